// SharedCount: a shared integer with versioned compare-and-set.
// Run: npx tsx --conditions=@keel/source examples/shared-count.ts
import { SharedCount } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const count = new SharedCount(client, `/examples/${run}/epoch`, 0);
count.on('countChanged', (value) => console.log('count is now', value));
await count.start();
const seen = count.getVersionedValue();
console.log('first CAS:', await count.trySetCount(seen, seen.value + 1));
console.log('stale CAS:', await count.trySetCount(seen, seen.value + 2));
await count.close();
await client.close();
