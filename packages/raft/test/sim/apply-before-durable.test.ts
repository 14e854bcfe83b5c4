/**
 * Goal: applying committed entries before they are durable on the applying member
 * (`applyBeforeDurable`, as `RaftNode` runs the core) keeps every invariant, with "applied
 * entries are durable locally" replaced by "applied entries are committed" (durable on a
 * majority of the voters), including across crashes that take back entries a member applied.
 * Method: run the deterministic simulator with the pipelined driver and the option over a
 * fixed range of seeds (3 and 5 members, with and without lease reads); require zero
 * violations, that entries really were applied before their local write was durable and that
 * members crashed behind what they had applied; and run a core that acknowledges unpersisted
 * appends and a leader that counts its own copy before it is durable, which must be caught.
 */
import { describe, expect, it } from 'vitest';
import { Raft } from '../../src/core/raft';
import type { Ready } from '../../src/core/types';
import { runSimulation } from '../../src/sim/simulation';
import { brokenCores } from './broken-cores';
import { type SeedSweep, sweepSeeds } from './seed-sweep';

/** A leader that counts its own copy towards commit as soon as the write is queued, not durable. */
class EagerLeader extends Raft {
  override acceptReady(ready: Ready): void {
    super.acceptReady(ready);
    if (this.status().role === 'leader') super.readyPersisted(ready);
  }
}

const SEEDS = 100;
const STEPS = 6000;

function run(nodes: number, seeds: number, leaseReads: boolean): SeedSweep {
  return sweepSeeds(seeds, { nodes, steps: STEPS, leaseReads, pipelined: true, applyBeforeDurable: true });
}

describe('sim - apply before durable', () => {
  for (const nodes of [3, 5]) {
    it(`${SEEDS} seeds of ${nodes} members keep every invariant`, () => {
      const { failed, totals } = run(nodes, SEEDS, false);
      expect(failed).toEqual([]);
      expect(totals.appliedBeforeDurable).toBeGreaterThan(SEEDS);
      expect(totals.crashesBehindApplied).toBeGreaterThan(0);
    });
  }

  it('lease reads keep every invariant', () => {
    expect(run(3, 50, true).failed).toEqual([]);
  });

  it('the replay command carries the option', () => {
    expect(runSimulation({ seed: 1, steps: 10, pipelined: true, applyBeforeDurable: true }).replay).toContain(
      '--apply-before-durable',
    );
  });

  it('catches a core that acknowledges appends without persisting', () => {
    const broken = brokenCores.find((core) => core.name === 'acknowledges appends without persisting');
    if (broken === undefined) throw new Error('missing broken core');
    let kind: string | undefined;
    for (let seed = 1; seed <= 40 && kind === undefined; seed++) {
      kind = runSimulation({
        seed,
        nodes: 3,
        steps: 3000,
        pipelined: true,
        applyBeforeDurable: true,
        createRaft: broken.createRaft,
      }).violations[0]?.kind;
    }
    expect(['durability', 'apply-not-committed', 'log-matching']).toContain(kind);
  });

  it('catches a leader that counts its own copy towards commit before it is durable', () => {
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const result = runSimulation({
        seed,
        nodes: 3,
        steps: 3000,
        pipelined: true,
        applyBeforeDurable: true,
        createRaft: (config, initial) => new EagerLeader(config, initial),
      });
      for (const v of result.violations) kinds.add(v.kind);
    }
    expect([...kinds]).toContain('apply-not-committed');
  });
});
