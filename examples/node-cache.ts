// NodeCache: a local copy of one node, updated by a watch.
// Run: npx tsx --conditions=@keel/source examples/node-cache.ts
import { toText } from '@keel/client';
import { NodeCache } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const path = `/examples/${run}/flags`;
const cache = new NodeCache(client, path);
const changes: Promise<void> = new Promise((resolve) => {
  cache.on('nodeChanged', (node) => {
    console.log('flags:', node === null ? '(none)' : toText(node.data));
    if (node === null) resolve();
  });
});
await cache.start();
await client.create(`/examples/${run}`, '').catch(() => undefined);
await client.create(path, 'dark-mode=off');
await client.set(path, 'dark-mode=on');
await client.delete(path);
await changes;
await cache.close();
await client.close();
