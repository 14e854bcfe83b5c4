// Mutex: exclusive access with a fencing token; re-entrance through the lease.
// Run: npx tsx --conditions=@keel/source examples/mutex.ts
import { Mutex } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const mutex = new Mutex(client, `/examples/${run}/locks/orders`);
const lease = await mutex.acquire();
console.log(`holding ${lease.path}, fencing token ${lease.fencingToken}`);
lease.reenter(); // a nested section of the same holder
await lease.release();
console.log('still held after one release:', lease.isHeld);
lease.signal.addEventListener('abort', () => console.log('revoked: stop writing'));
await lease.release();
const other = await new Mutex(client, `/examples/${run}/locks/orders`).acquire({ timeoutMs: 1_000 });
console.log(`next holder's token ${other?.fencingToken} > ${lease.fencingToken}`);
await other?.release();
await client.close();
