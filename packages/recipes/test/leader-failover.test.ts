// Goal: exactly one LeaderLatch leader at a time across Keel leader failovers, as seen by an
// external witness.
// Method: three keel-server processes on loopback; 5 participant processes (test/workers/
// latch-worker.mjs, built client and recipes) that lead for a moment, step down and rejoin,
// writing "lead"/"unlead" lines to one O_APPEND file outside Keel, while the test kills (-9)
// the Keel leader and restarts it, twice. Needs `npx nx run @keel/recipes:build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorker, sleep, WitnessedProcessCluster, type Worker } from './harness';

const runMs = Number(process.env.RECIPES_SOAK_MS ?? 14_000);
const worker = join(import.meta.dirname, 'workers', 'latch-worker.mjs');

function runLatchWorker(servers: string[], witness: string): Worker<{ terms: number }> {
  return runWorker(worker, [servers.join(','), '/election/failover', witness, String(runMs)]);
}

describe('leader election across Keel leader failovers', () => {
  const setup = new WitnessedProcessCluster();

  it('never two leaders at once', async () => {
    const workers = Array.from({ length: 5 }, () => runLatchWorker(setup.cluster.urls, setup.witness));
    for (let round = 0; round < 2; round++) {
      await sleep(runMs / 5);
      await setup.killLeaderFor(runMs / 8);
    }
    const summaries = await Promise.all(workers.map((each) => each.done));

    let leader: string | null = null;
    let overlaps = 0;
    let terms = 0;
    for (const line of readFileSync(setup.witness, 'utf8').trim().split('\n')) {
      const [kind, pid] = line.split(' ');
      if (kind === 'lead') {
        terms += 1;
        if (leader !== null) overlaps += 1;
        leader = pid as string;
      } else if (kind === 'unlead' && leader === pid) {
        leader = null;
      }
    }
    console.log(`leader failover: ${terms} terms by 5 processes`);
    expect(overlaps).toBe(0);
    expect(terms).toBe(summaries.reduce((sum, each) => sum + each.terms, 0));
    expect(terms).toBeGreaterThan(10);
  });
});
