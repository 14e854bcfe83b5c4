// DistributedQueue: FIFO items, each taken once.
// Run: npx tsx --conditions=@keel/source examples/queue.ts
import { DistributedQueue } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const queue = new DistributedQueue<{ job: string }>(client, `/examples/${run}/jobs`);
const consumer = (async () => {
  for (let i = 0; i < 3; i++) console.log('took', await queue.take());
})();
for (const job of ['resize', 'encode', 'upload']) await queue.put({ job });
await consumer;
await client.close();
