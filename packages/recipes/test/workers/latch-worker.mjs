// A LeaderLatch participant in its own process, for test/leader-failover.test.ts. It imports the
// built client and recipes and appends to the witness file (O_APPEND, outside Keel) "lead <pid>"
// when it becomes leader and "unlead <pid>" when it stops, synchronously in the latch's events.
// A leader steps down after a few terms' worth of time (closes its latch and joins again), so
// leadership keeps moving. Arguments: <servers comma-separated> <latch path> <witness file> <run ms>.
import { writeSync } from 'node:fs';
import { LeaderLatch } from '@keel/recipes';
import { startWitnessedWorker } from './witnessed-worker.mjs';

const { client, path: latchPath, witness, until } = await startWitnessedWorker();
const summary = { terms: 0 };

while (Date.now() < until) {
  const latch = new LeaderLatch(client, latchPath, { id: String(process.pid), closeMode: 'notifyLeader' });
  latch.on('isLeader', () => {
    writeSync(witness, `lead ${process.pid}\n`);
    summary.terms += 1;
  });
  latch.on('notLeader', () => writeSync(witness, `unlead ${process.pid}\n`));
  latch.start();
  const leads = await latch.await({ timeoutMs: Math.max(1, until - Date.now()) }).catch(() => false);
  if (leads) await new Promise((resolve) => setTimeout(resolve, 150));
  await latch.close();
}
await client.close();
// A pipe's write is asynchronous: exit only once the summary is out.
process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0));
