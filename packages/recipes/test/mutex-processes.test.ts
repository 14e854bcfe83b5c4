// Goal: mutual exclusion holds across processes while the Keel leader is killed (-9) and
// restarted: an external witness shows no two holders at once, and fencing tokens strictly
// increase from one holder to the next.
// Method: three keel-server processes on loopback; 8 worker processes (test/workers/
// mutex-worker.mjs, importing the built client and recipes) contend for one mutex and append
// "acquire"/"release" lines to one O_APPEND file outside Keel. Meanwhile the test kills the
// leader, restarts it, and does it again with the next leader. The run lasts 20 s by default;
// RECIPES_SOAK_MS=<ms> makes it longer. Needs `npx nx run @keel/recipes:build` (the test
// target builds first).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorker, sleep, WitnessedProcessCluster, type Worker } from './harness';

const runMs = Number(process.env.RECIPES_SOAK_MS ?? 20_000);
const workersCount = 8;
const worker = join(import.meta.dirname, 'workers', 'mutex-worker.mjs');

interface Summary {
  acquired: number;
  revoked: number;
  timeouts: number;
  errors: number;
}

function runMutexWorker(servers: string[], witness: string): Worker<Summary> {
  return runWorker(worker, [servers.join(','), '/locks/soak', witness, String(runMs)]);
}

describe('mutex across processes with leader failures', () => {
  const setup = new WitnessedProcessCluster();

  it(`${workersCount} processes, leader killed and restarted twice: no overlap, tokens increase`, async () => {
    const workers = Array.from({ length: workersCount }, () => runMutexWorker(setup.cluster.urls, setup.witness));
    const kills: string[] = [];
    for (let round = 0; round < 2; round++) {
      await sleep(runMs / 6);
      kills.push(await setup.killLeaderFor(runMs / 8));
    }
    const summaries = await Promise.all(workers.map((each) => each.done));

    const lines = readFileSync(setup.witness, 'utf8').trim().split('\n');
    const holders = new Map<string, number>();
    let lastToken = 0;
    let overlaps = 0;
    let acquisitions = 0;
    for (const line of lines) {
      const [kind, token, pid] = line.split(' ');
      if (kind === 'acquire') {
        acquisitions += 1;
        if (holders.size > 0) overlaps += 1;
        expect(Number(token)).toBeGreaterThan(lastToken);
        lastToken = Number(token);
        holders.set(pid as string, Number(token));
      } else if (kind === 'release') {
        holders.delete(pid as string);
      }
    }
    const total = summaries.reduce((sum, each) => sum + each.acquired, 0);
    console.log(
      `mutex soak: ${acquisitions} acquisitions by ${workersCount} processes in ${runMs} ms, leaders killed: ${kills.join(', ')}, revoked: ${summaries.reduce((sum, each) => sum + each.revoked, 0)}, errors: ${summaries.reduce((sum, each) => sum + each.errors, 0)}`,
    );
    expect(overlaps).toBe(0);
    expect(acquisitions).toBe(total);
    expect(kills).toHaveLength(2);
    // Every process got the lock, and the lock kept moving through the failures.
    expect(summaries.every((each) => each.acquired > 0)).toBe(true);
    expect(acquisitions).toBeGreaterThan(100);
  });
});
