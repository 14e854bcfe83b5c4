// Goal: the floor really moves writes through three processes and a disk: one client's writes
// are answered once durable on two of three copies, two clients pass a lock by turn events, the
// CPU figures come from the members themselves, and nothing is left running or on disk.
// Method: runFloor for under a second per phase (needs tools/bench/dist/floor-member.js, built
// before the tests), then check counts and that every process and file is gone (no timings).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runningPids } from '../src/clusters/processes';
import { type FloorResult, runFloor } from '../src/floor/floor-run';
import { floorShares } from '../src/floor/floor-share';
import type { WorkloadResult } from '../src/results';
import { sampleRun } from './fixtures';

const baseDir = mkdtempSync(join(os.tmpdir(), 'keel-floor-test-'));

afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

describe('floor', () => {
  it('answers writes, passes the lock, reports CPU per operation and cleans up', async () => {
    // A base directory that does not exist yet is made.
    const result = await runFloor({ durationMs: 700, warmupMs: 200, baseDir: join(baseDir, 'runs') });
    for (const phase of [result.sequential, result.handOver]) {
      expect(phase.operations).toBeGreaterThan(10);
      expect(phase.latency.count).toBe(phase.operations);
      expect(phase.latency.p50Ms).toBeGreaterThan(0);
      const cpu = phase.cpuMicrosPerOp;
      expect(cpu.leader).toBeGreaterThan(0);
      expect(cpu.followers[0]).toBeGreaterThan(0);
      expect(cpu.followers[1]).toBeGreaterThan(0);
      expect(cpu.total).toBe(cpu.leader + cpu.followers[0] + cpu.followers[1] + cpu.client);
    }
    expect(runningPids()).toEqual([]);
    expect(readdirSync(join(baseDir, 'runs'))).toEqual([]);
  });
});

describe('floor shares', () => {
  const phase = (opsPerSec: number) => ({
    operations: opsPerSec,
    opsPerSec,
    latency: { count: opsPerSec, p50Ms: 0.4, p99Ms: 0.8, p999Ms: 1, maxMs: 2, meanMs: 0.5 },
    cpuMicrosPerOp: { leader: 1, followers: [1, 1] as const, client: 1, total: 4 },
  });
  const floor: FloorResult = { sequential: phase(2500), handOver: phase(2000) };
  const keel = (workload: string, opsPerSec: number, status: WorkloadResult['status'] = 'ok'): WorkloadResult => ({
    ...(sampleRun.results[0] as WorkloadResult),
    workload,
    target: 'keel',
    status,
    opsPerSec,
  });

  it("puts Keel's create one at a time and lock-2 over the floor's phases", () => {
    expect(floorShares(floor, { oneAtATime: keel('create', 1250), handOver: keel('lock-2', 900) })).toEqual([
      { phase: 'one write at a time', floorOpsPerSec: 2500, keelWorkload: 'create', keelOpsPerSec: 1250, share: 0.5 },
      {
        phase: 'lock hand-over (2 clients)',
        floorOpsPerSec: 2000,
        keelWorkload: 'lock-2',
        keelOpsPerSec: 900,
        share: 0.45,
      },
    ]);
  });

  it('leaves out a phase Keel did not measure', () => {
    expect(floorShares(floor, { handOver: keel('lock-2', 0, 'failed') })).toEqual([]);
    expect(floorShares(floor, { oneAtATime: keel('create', 1000) }).map((share) => share.phase)).toEqual([
      'one write at a time',
    ]);
  });
});
