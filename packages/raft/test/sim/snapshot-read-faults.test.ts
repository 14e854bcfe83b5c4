/**
 * Goal: a leader that reads the snapshot it sends from a source that can fail (as `RaftNode`
 * reads it back from the snapshot's file, where a read may fail or find a damaged block) keeps
 * every invariant, and followers behind its log still catch up: a chunk that could not be read
 * is not sent, and the next heartbeat response asks for it again.
 * Method: the deterministic simulator with snapshot read faults on (a share of reads, drawn per
 * run, fail), driven as `RaftNode` drives the core (pipelined, applying before durable), over a
 * fixed range of seeds of 3 and 5 members; require zero violations, failed reads, and snapshots
 * installed despite them.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/sim/simulation';
import { sweepSeeds } from './seed-sweep';

const SEEDS = 100;
const STEPS = 6000;

describe('sim - snapshot read faults', () => {
  for (const nodes of [3, 5]) {
    it(`${SEEDS} seeds of ${nodes} members keep every invariant, and followers still install snapshots`, () => {
      const { failed, totals } = sweepSeeds(SEEDS, {
        nodes,
        steps: STEPS,
        pipelined: true,
        applyBeforeDurable: true,
        snapshotReadFaults: true,
      });
      expect(failed).toEqual([]);
      expect(totals.snapshotReadsFailed).toBeGreaterThan(SEEDS);
      expect(totals.snapshotsInstalled).toBeGreaterThan(SEEDS / 2);
    });
  }

  it('faults come only with the option, which the replay command carries', () => {
    const plain = runSimulation({ seed: 7, steps: 2000, pipelined: true });
    expect(plain.stats.snapshotReadsFailed).toBe(0);
    expect(plain.replay).not.toContain('--snapshot-read-faults');
    const faulty = runSimulation({ seed: 7, steps: 2000, pipelined: true, snapshotReadFaults: true });
    expect(faulty.replay).toContain('--snapshot-read-faults');
  });
});
