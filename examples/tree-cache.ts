// TreeCache: a local copy of a subtree.
// Run: npx tsx --conditions=@keel/source examples/tree-cache.ts
import { TreeCache } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const root = `/examples/${run}/config`;
await client.create(`/examples/${run}`, '').catch(() => undefined);
await client.create(root, '');
const cache = new TreeCache(client, root);
cache.on('nodeAdded', (path) => console.log('added', path));
cache.on('nodeUpdated', (path) => console.log('updated', path));
cache.on('nodeRemoved', (path) => console.log('removed', path));
await cache.start();
await client.create(`${root}/db`, 'postgres://db:5432');
await client.set(`${root}/db`, 'postgres://db2:5432');
await client.delete(`${root}/db`);
while (cache.getCurrentData(`${root}/db`) !== null || cache.entries().size !== 1)
  await new Promise((resolve) => setTimeout(resolve, 20));
await cache.close();
await client.close();
