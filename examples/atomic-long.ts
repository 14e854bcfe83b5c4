// DistributedAtomicLong: a 64-bit counter updated by compare-and-set.
// Run: npx tsx --conditions=@keel/source examples/atomic-long.ts
import { DistributedAtomicLong } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const orders = new DistributedAtomicLong(client, `/examples/${run}/order-ids`);
await Promise.all([1, 2, 3].map(() => orders.increment()));
console.log('value:', (await orders.get()).postValue);
console.log('CAS 3 -> 100:', await orders.compareAndSet(3n, 100n));
await client.close();
