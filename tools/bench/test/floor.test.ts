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
import { runFloor } from '../src/floor/floor-run';

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
