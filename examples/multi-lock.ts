// MultiLock: two locks taken as one, all or nothing.
// Run: npx tsx --conditions=@keel/source examples/multi-lock.ts
import { MultiLock, Mutex } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const both = new MultiLock([
  new Mutex(client, `/examples/${run}/accounts/a`),
  new Mutex(client, `/examples/${run}/accounts/b`),
]);
const lease = await both.acquire();
console.log('transfer between a and b under tokens', lease.fencingTokens, 'max', lease.fencingToken);
await lease.release();
await client.close();
