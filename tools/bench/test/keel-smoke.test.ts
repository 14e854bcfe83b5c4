// Goal: the harness really drives Keel: it starts a three-member cluster of keel-server
// processes, finds the leader, runs short workloads through @keel/client and produces results
// and reports from them, then stops every process it started.
// Method: startKeel on loopback in a temporary directory (needs apps/server/dist: run
// `npx nx run @keel/server:build` first), run each workload for one second with a few requests in
// flight, check that operations completed (no timing thresholds), read the members' snapshot
// times (snapshots every 200 entries), restart a follower on its data, and check that no PID is
// left running.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCluster } from '../src/clusters/cluster';
import { startKeel } from '../src/clusters/keel';
import { runningPids } from '../src/clusters/processes';
import { markdownReport } from '../src/report/markdown';
import type { BenchRun, WorkloadResult } from '../src/results';
import { runWorkload } from '../src/run';
import { selectWorkloads } from '../src/workloads';
import type { LoadOptions } from '../src/workloads/workload';
import { sampleRun } from './fixtures';

const load: LoadOptions = { durationMs: 1000, inflight: 4, clients: 2, quick: true };
let baseDir = '';
let cluster: RunningCluster;

beforeAll(async () => {
  baseDir = mkdtempSync(join(os.tmpdir(), 'keel-bench-test-'));
  // The members inherit the environment: snapshot often, so that the snapshot figures exist.
  const before = process.env.KEEL_SNAPSHOT_EVERY_ENTRIES;
  process.env.KEEL_SNAPSHOT_EVERY_ENTRIES = '200';
  try {
    cluster = await startKeel({ baseDir, members: 3 });
  } finally {
    if (before === undefined) delete process.env.KEEL_SNAPSHOT_EVERY_ENTRIES;
    else process.env.KEEL_SNAPSHOT_EVERY_ENTRIES = before;
  }
});

afterAll(async () => {
  await cluster?.stop();
  rmSync(baseDir, { recursive: true, force: true });
});

describe('keel smoke run', () => {
  it('finds a leader among the three members', async () => {
    const leader = await cluster.leader();
    expect(cluster.members.map((member) => member.id)).toContain(leader.id);
    expect(runningPids()).toContain(leader.process.pid);
  });

  it('runs create, mixed, linearizable reads, session churn and a 2-contender lock', async () => {
    const results: WorkloadResult[] = [];
    for (const workload of selectWorkloads(
      ['create', 'mixed', 'read-linearizable', 'session-churn', 'lock-2'],
      false,
    )) {
      const result = await runWorkload(workload, cluster, load, 1);
      expect(result.status, `${workload.name}: ${result.error ?? result.note ?? ''}`).toBe('ok');
      expect(result.operations, workload.name).toBeGreaterThan(0);
      expect(result.errors, `${workload.name}: ${result.note ?? ''}`).toBe(0);
      expect(result.latency.count).toBe(result.operations);
      results.push(result);
    }
    const run: BenchRun = { info: { ...sampleRun.info, targets: ['keel'] }, results };
    expect(markdownReport(run)).toContain('| create | Keel |');
  });

  it("reports the members' snapshot times as the scale-snapshot figure", async () => {
    const [workload] = selectWorkloads(['scale-snapshot'], true);
    if (workload === undefined) throw new Error('no scale-snapshot workload');
    const result = await runWorkload(workload, cluster, load, 1);
    expect(result.status, result.error ?? result.note ?? '').toBe('ok');
    expect(result.note).toMatch(/^longest of \d+ snapshot\(s\)/);
    expect(result.extra?.snapshotMs).toBeGreaterThanOrEqual(0);
    expect(result.extra?.snapshotBytes).toBeGreaterThan(0);
    const run: BenchRun = { info: { ...sampleRun.info, targets: ['keel'] }, results: [result] };
    expect(markdownReport(run)).toMatch(/\| scale-snapshot \| \d/);
  });

  it('delivers every watch event of a small fan-out', async () => {
    const [workload] = selectWorkloads(['watch-fanout'], false);
    if (workload === undefined || workload.kind !== 'custom') throw new Error('no fan-out workload');
    const measured = await workload.run({ cluster, driver: cluster.driver, options: load, root: '/smoke-fanout' });
    expect(measured.outcome.operations).toBeGreaterThan(0);
    expect(measured.outcome.errors).toBe(0);
  });

  it('restarts a follower on its data and sees it serve again', async () => {
    const leader = await cluster.leader();
    const follower = cluster.members.find((member) => member.id !== leader.id);
    if (follower === undefined) throw new Error('no follower');
    const oldPid = follower.process.pid;
    const restartMs = await cluster.restartMember(follower);
    expect(restartMs).toBeGreaterThan(0);
    expect(follower.process.pid).not.toBe(oldPid);
    expect(runningPids()).not.toContain(oldPid);
    expect(runningPids()).toContain(follower.process.pid);
  });

  it('leaves no member running after stop', async () => {
    const pids = cluster.members.map((member) => member.process.pid);
    await cluster.stop();
    for (const pid of pids) expect(runningPids()).not.toContain(pid);
  });
});
