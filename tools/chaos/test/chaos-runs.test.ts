// Goal: every workload survives a short run of real faults on a real cluster with no anomaly:
// nothing acknowledged lost, histories linearizable, one lock holder at a time with increasing
// fencing tokens, ephemerals and watches as promised. Any anomaly fails the test and prints
// the command that replays the run.
// Method: `runChaos` starts 3 keel-server processes (build the server first) behind fault
// proxies, runs 8 clients for a few seconds while a seeded schedule kills, pauses, partitions
// and restarts members, heals, checks, and tears everything down. Members snapshot every 200
// entries, so snapshots are taken, the log compacted and lagging members sent the leader's
// snapshot while the faults happen. CHAOS_LONG=1 runs 60 s per workload on 5 members instead;
// CHAOS_SEED=n picks another seed.
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { faultKinds } from '../src/faults/schedule';
import { runChaos } from '../src/run/run-chaos';
import { type WorkloadName, workloadNames } from '../src/workloads/workload';

const long = process.env.CHAOS_LONG === '1';
const seedOverride = process.env.CHAOS_SEED === undefined ? undefined : Number(process.env.CHAOS_SEED);
const durationMs = long ? 60_000 : 10_000;
const nodes = long ? 5 : 3;
// Together these seeds' 10 s schedules kill and pause the leader, isolate it, block what it
// receives and restart the whole cluster.
const seeds: Record<WorkloadName, number> = { register: 46, set: 21, lock: 63, session: 33 };

describe.sequential('chaos runs', () => {
  it.each(workloadNames)(
    '%s: no anomaly under kill, pause, partition and restart',
    async (workload) => {
      const lines: string[] = [];
      const report = await runChaos({
        workload,
        nodes,
        durationMs,
        faults: faultKinds,
        seed: seedOverride ?? seeds[workload],
        snapshotEveryEntries: 200,
        log: (line) => lines.push(line),
      });
      const faultsApplied = report.events.filter((e) => e.action === 'fault').length;
      expect(faultsApplied, 'the schedule injected faults').toBeGreaterThan(0);
      expect(report.result.acked, 'the cluster acknowledged work').toBeGreaterThan(0);
      const explanation = [
        ...report.result.anomalies,
        `history: ${report.historyFile}`,
        `replay: ${report.replay}`,
        report.summary,
      ].join('\n');
      expect(report.result.anomalies, explanation).toEqual([]);
      expect(report.result.lost, explanation).toBe(0);
      expect(report.result.linearizable, explanation).toBe('yes');
      expect(report.ok).toBe(true);
      // A passing run leaves nothing behind; a failing one keeps its history and members' files.
      await rm(report.runDir, { recursive: true, force: true });
    },
    long ? 600_000 : 120_000,
  );
});
