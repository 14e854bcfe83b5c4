// Semaphore: at most two leases at a time.
// Run: npx tsx --conditions=@keel/source examples/semaphore.ts
import { Semaphore } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const semaphore = new Semaphore(client, `/examples/${run}/pool`, 2);
const leases = await semaphore.acquire({ quantity: 2 });
console.log(
  'tokens:',
  leases.map((lease) => lease.fencingToken),
);
console.log('a third lease within 500 ms?', (await semaphore.acquire({ timeoutMs: 500 })) !== null);
for (const lease of leases) await lease.release();
await client.close();
