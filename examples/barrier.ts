// Barrier: workers wait until the coordinator removes the barrier.
// Run: npx tsx --conditions=@keel/source examples/barrier.ts
import { Barrier } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const path = `/examples/${run}/barrier`;
const coordinator = new Barrier(client, path);
await coordinator.setBarrier();
const workers = [1, 2, 3].map(async (i) => {
  await new Barrier(client, path).waitOnBarrier();
  console.log(`worker ${i} passed`);
});
setTimeout(() => void coordinator.removeBarrier(), 300);
await Promise.all(workers);
await client.close();
