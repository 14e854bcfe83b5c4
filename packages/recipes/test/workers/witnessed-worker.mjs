// What the witnessed worker processes (latch-worker.mjs, mutex-worker.mjs) share: their
// arguments <servers comma-separated> <path> <witness file> <run ms>, the witness file opened
// for O_APPEND writes, and a client of the cluster (the built @keel/client) that rides out
// leader failovers.
import { openSync } from 'node:fs';
import { connect } from '@keel/client';

/** Reads the arguments, opens the witness and connects; `until` is when the run ends. */
export async function startWitnessedWorker() {
  const [servers, path, witnessPath, runMs] = process.argv.slice(2);
  const witness = openSync(witnessPath, 'a');
  const client = await connect({
    servers: servers.split(','),
    sessionTimeoutMs: 3_000,
    requestTimeoutMs: 5_000,
    backoffMsMax: 250,
    connectTimeoutMs: 30_000,
  });
  return { client, path, witness, until: Date.now() + Number(runMs) };
}
