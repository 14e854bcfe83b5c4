/**
 * Goal: `peerGone`, the transport's hint that a peer's connections closed, keeps every
 * invariant under faults. `RaftNode` passes it to the core, which then lets a follower whose
 * leader is gone campaign early and answer a lagging pre-candidate with a campaign of its own;
 * the core's own tests pin those rules one case at a time, and this runs them under crashes,
 * partitions, removals and link resets to peers that are still running.
 * Method: the deterministic simulator with hints on, driven as `RaftNode` drives the core
 * (pipelined, applying before durable), over a fixed range of seeds (3 and 5 members, with and
 * without lease reads); require zero violations and that hints about the hearer's own leader
 * were delivered.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/sim/simulation';
import { type SeedSweep, sweepSeeds } from './seed-sweep';

const SEEDS = 100;
const STEPS = 6000;

function run(nodes: number, seeds: number, leaseReads: boolean): SeedSweep {
  return sweepSeeds(seeds, {
    nodes,
    steps: STEPS,
    leaseReads,
    pipelined: true,
    applyBeforeDurable: true,
    peerGone: true,
  });
}

describe('sim - peerGone hints', () => {
  for (const nodes of [3, 5]) {
    it(`${SEEDS} seeds of ${nodes} members keep every invariant`, () => {
      const { failed, totals } = run(nodes, SEEDS, false);
      expect(failed).toEqual([]);
      expect(totals.peerGoneHints).toBeGreaterThan(SEEDS);
      expect(totals.peerGoneOfLeader).toBeGreaterThan(SEEDS / 4);
    });
  }

  it('lease reads keep every invariant', () => {
    expect(run(3, 50, true).failed).toEqual([]);
  });

  it('hints come only with the option, which the replay command carries', () => {
    const plain = runSimulation({ seed: 7, steps: 2000, pipelined: true });
    expect(plain.stats.peerGoneHints).toBe(0);
    expect(plain.replay).not.toContain('--peer-gone');
    const hinted = runSimulation({ seed: 7, steps: 2000, pipelined: true, peerGone: true });
    expect(hinted.replay).toContain('--peer-gone');
    expect(hinted.traceHash).not.toBe(plain.traceHash);
  });
});
