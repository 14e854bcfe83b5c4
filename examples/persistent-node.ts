// PersistentNode: an ephemeral node that is created again whenever it disappears.
// Run: npx tsx --conditions=@keel/source examples/persistent-node.ts
import { PersistentNode } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const node = new PersistentNode(client, `/examples/${run}/workers/worker-1`, 'ready', { mode: 'ephemeral' });
node.on('created', (path) => console.log('node present at', path));
node.start();
await node.waitForInitialCreate({ timeoutMs: 10_000 });
await client.delete(node.getActualPath() as string); // someone removes it...
await new Promise((resolve) => node.once('created', resolve)); // ...and it comes back
await node.close();
await client.close();
