// Goal: exactly one LeaderLatch leader at a time across Keel leader failovers, as seen by an
// external witness.
// Method: three keel-server processes on loopback; 5 participant processes (test/workers/
// latch-worker.mjs, built client and recipes) that lead for a moment, step down and rejoin,
// writing "lead"/"unlead" lines to one O_APPEND file outside Keel, while the test kills (-9)
// the Keel leader and restarts it, twice. Needs `npx nx run @keel/recipes:build`.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeelClient } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, ProcessCluster, tempDir } from './harness';

const runMs = Number(process.env.RECIPES_SOAK_MS ?? 14_000);
const worker = join(import.meta.dirname, 'workers', 'latch-worker.mjs');

function runWorker(servers: string[], witness: string): { child: ChildProcess; done: Promise<{ terms: number }> } {
  const child = spawn(process.execPath, [worker, servers.join(','), '/election/failover', witness, String(runMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const done = new Promise<{ terms: number }>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited ${code}: ${err.slice(-2_000)}`));
      else {
        try {
          resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as { terms: number });
        } catch (error) {
          reject(new Error(`worker printed no summary: ${out} ${err.slice(-2_000)}`, { cause: error }));
        }
      }
    });
  });
  return { child, done };
}

describe('leader election across Keel leader failovers', () => {
  let cluster: ProcessCluster;
  let probe: KeelClient;
  let cleanup: () => Promise<void>;
  let witness: string;

  beforeAll(async () => {
    cluster = await ProcessCluster.start();
    probe = await client(cluster.urls, { connectTimeoutMs: 30_000 });
    const temp = await tempDir();
    cleanup = temp.cleanup;
    witness = join(temp.dir, 'witness.log');
  });

  afterAll(async () => {
    await probe?.close();
    await cluster?.stop();
    await cleanup?.();
  });

  it('never two leaders at once', async () => {
    const workers = Array.from({ length: 5 }, () => runWorker(cluster.urls, witness));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let round = 0; round < 2; round++) {
      await sleep(runMs / 5);
      const leader = await cluster.leaderId(probe);
      await cluster.kill(leader);
      await sleep(runMs / 8);
      cluster.restart(leader);
    }
    const summaries = await Promise.all(workers.map((each) => each.done));

    let leader: string | null = null;
    let overlaps = 0;
    let terms = 0;
    for (const line of readFileSync(witness, 'utf8').trim().split('\n')) {
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
