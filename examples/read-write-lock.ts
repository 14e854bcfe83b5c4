// ReadWriteLock: readers share, a writer waits for them and excludes everyone.
// Run: npx tsx --conditions=@keel/source examples/read-write-lock.ts
import { ReadWriteLock } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const lock = new ReadWriteLock(client, `/examples/${run}/rw`);
const [r1, r2] = [await lock.readLock.acquire(), await lock.readLock.acquire()];
console.log('two readers hold the lock');
const writer = lock.writeLock.acquire().then((lease) => {
  console.log(`writer holds the lock, token ${lease.fencingToken}`);
  return lease;
});
await r1.release();
await r2.release();
await (await writer).release();
await client.close();
