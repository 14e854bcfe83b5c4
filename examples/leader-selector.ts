// LeaderSelector: each participant leads in turn; takeLeadership gets an AbortSignal that fires
// when leadership is lost. Run: npx tsx --conditions=@keel/source examples/leader-selector.ts
import { LeaderSelector } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const clients = [await connectToKeel(), await connectToKeel()];
let terms = 0;
const selectors = clients.map(
  (client, i) =>
    new LeaderSelector(
      client,
      `/examples/${run}/selector`,
      async (signal) => {
        terms += 1;
        console.log(`worker-${i} leads (term ${terms})`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (signal.aborted) console.log(`worker-${i} lost leadership: ${signal.reason}`);
      },
      { id: `worker-${i}`, autoRequeue: true },
    ),
);
for (const selector of selectors) selector.start();
while (terms < 4) await new Promise((resolve) => setTimeout(resolve, 50));
for (const selector of selectors) await selector.close();
for (const client of clients) await client.close();
