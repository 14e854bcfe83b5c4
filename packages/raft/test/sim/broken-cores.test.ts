/**
 * Goal: the simulator catches real protocol bugs, so that its silence on the real core means
 * something.
 * Method: run it against deliberately broken cores (see `broken-cores.ts`: double votes,
 * ignoring the election restriction, acknowledging unpersisted entries, stale read indexes,
 * committing earlier-term entries by counting, never electing a leader) and require a violation of the expected kind
 * within a bounded number of seeds.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/sim/simulation';
import type { ViolationKind } from '../../src/sim/types';
import { type BrokenCore, brokenCores } from './broken-cores';

/** Seeds tried before giving up on finding the bug. */
const SEED_BUDGET = 40;

function firstViolation(core: BrokenCore, nodes: number, steps: number, budget: number): ViolationKind | null {
  for (let seed = 1; seed <= budget; seed++) {
    const result = runSimulation({ seed, nodes, steps, createRaft: core.createRaft });
    const v = result.violations[0];
    if (v !== undefined) return v.kind;
  }
  return null;
}

const expected: Record<string, readonly ViolationKind[]> = {
  'grants two votes in a term': ['election-safety', 'leader-completeness', 'state-machine-safety', 'log-matching'],
  'votes for out-of-date candidates': ['leader-completeness', 'state-machine-safety', 'log-matching'],
  'acknowledges appends without persisting': ['durability', 'apply-not-durable', 'log-matching'],
  'returns stale read indexes': ['read-linearizability'],
  'never ticks': ['liveness'],
  'commits previous-term entries by counting': ['leader-completeness', 'state-machine-safety', 'durability'],
};

describe('sim - catches broken cores', () => {
  for (const core of brokenCores) {
    for (const nodes of [3, 5]) {
      it(`${core.name} (${nodes} members)`, () => {
        const budget = core.seedBudget ?? SEED_BUDGET;
        const kind = firstViolation(core, nodes, core.steps ?? 3000, budget);
        expect(kind, `no violation within ${budget} seeds`).not.toBeNull();
        expect(expected[core.name]).toContain(kind);
      });
    }
  }
});
