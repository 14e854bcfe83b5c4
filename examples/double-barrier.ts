// DoubleBarrier: three members start together and finish together.
// Run: npx tsx --conditions=@keel/source examples/double-barrier.ts
import { DoubleBarrier } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const clients = [await connectToKeel(), await connectToKeel(), await connectToKeel()];
await Promise.all(
  clients.map(async (client, i) => {
    const barrier = new DoubleBarrier(client, `/examples/${run}/double`, 3, { id: `m${i}` });
    await barrier.enter();
    console.log(`m${i} computing`);
    await new Promise((resolve) => setTimeout(resolve, 100 * i));
    await barrier.leave();
    console.log(`m${i} done`);
  }),
);
for (const client of clients) await client.close();
