/**
 * Goal: the core stays safe when its driver pipelines writes (`acceptReady`, then
 * `readyPersisted` at the fsync; a leader's messages and a follower's forwards leave before the
 * fsync, everything else after every earlier write is durable), which is how `RaftNode` drives it.
 * Method: run the deterministic simulator in pipelined mode over a fixed range of seeds (with and
 * without lease reads), require zero violations and that Readys really overlapped; and run a core
 * that acknowledges unpersisted appends in that mode, which must be caught.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/sim/simulation';
import { brokenCores } from './broken-cores';
import { type SeedSweep, sweepSeeds } from './seed-sweep';

const SEEDS = 120;
const STEPS = 6000;

function failures(nodes: number, seeds: number, leaseReads: boolean): SeedSweep {
  return sweepSeeds(seeds, { nodes, steps: STEPS, leaseReads, pipelined: true });
}

describe('sim - pipelined driver', () => {
  for (const nodes of [3, 5]) {
    it(`${SEEDS} seeds of ${nodes} members keep every invariant`, () => {
      const { failed, totals } = failures(nodes, SEEDS, false);
      expect(failed).toEqual([]);
      expect(totals.readysOverlapped).toBeGreaterThan(SEEDS);
    });
  }

  it('lease reads keep every invariant', () => {
    expect(failures(3, 60, true).failed).toEqual([]);
  });

  it('catches a core that acknowledges appends without persisting', () => {
    const broken = brokenCores.find((core) => core.name === 'acknowledges appends without persisting');
    if (broken === undefined) throw new Error('missing broken core');
    let kind: string | undefined;
    for (let seed = 1; seed <= 40 && kind === undefined; seed++) {
      kind = runSimulation({ seed, nodes: 3, steps: 3000, pipelined: true, createRaft: broken.createRaft })
        .violations[0]?.kind;
    }
    expect(['durability', 'apply-not-durable', 'log-matching']).toContain(kind);
  });
});
