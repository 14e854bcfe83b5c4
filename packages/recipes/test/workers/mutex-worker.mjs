// A mutex contender in its own process, for test/mutex-processes.test.ts. It imports the built
// client and recipes (npx nx run @keel/recipes:build) and appends what it does to the witness
// file with O_APPEND writes, outside Keel: "acquire <token> <pid>" once it holds the lock and
// "release <token> <pid> <how>" before it lets go (or as soon as the lease is revoked).
// Arguments: <servers comma-separated> <lock path> <witness file> <run ms>. Prints a JSON summary.
import { writeSync } from 'node:fs';
import { Mutex } from '@keel/recipes';
import { startWitnessedWorker } from './witnessed-worker.mjs';

const { client, path: lockPath, witness, until } = await startWitnessedWorker();
const mutex = new Mutex(client, lockPath);
const summary = { acquired: 0, revoked: 0, timeouts: 0, errors: 0, lastError: null };

while (Date.now() < until) {
  let lease;
  try {
    lease = await mutex.acquire({ timeoutMs: 5_000 });
  } catch (error) {
    summary.errors += 1;
    summary.lastError = String(error?.code ?? error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    continue;
  }
  if (lease === null) {
    summary.timeouts += 1;
    continue;
  }
  const token = lease.fencingToken;
  let released = false;
  const writeRelease = (how) => {
    if (released) return;
    released = true;
    writeSync(witness, `release ${token} ${process.pid} ${how}\n`);
  };
  // Synchronous: the line is written the moment the lease is revoked, before anything else runs.
  lease.signal.addEventListener('abort', () => writeRelease('revoked'), { once: true });
  if (lease.signal.aborted) writeRelease('revoked');
  else {
    writeSync(witness, `acquire ${token} ${process.pid}\n`);
    summary.acquired += 1;
    // The critical section: a few ms of "work" that stops when the lease is revoked.
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 3);
      lease.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (lease.signal.aborted) summary.revoked += 1;
    writeRelease(lease.signal.aborted ? 'revoked' : 'released');
  }
  await lease.release().catch(() => undefined);
}
await client.close();
// A pipe's write is asynchronous: exit only once the summary is out.
process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0));
