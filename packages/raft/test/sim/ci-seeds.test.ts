/**
 * Goal: the real Raft core keeps every safety invariant and recovers liveness across many
 * seeded runs of 3- and 5-member clusters under drops, delays, duplicates, partitions,
 * crashes with torn writes, membership changes and leadership transfers.
 * Method: run the deterministic simulator over a fixed range of seeds; any violation fails
 * the test with the command that replays it.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/sim/simulation';

const SEEDS = 250;
const STEPS = 8000;

function failures(nodes: number): string[] {
  const out: string[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const result = runSimulation({ seed, nodes, steps: STEPS });
    for (const v of result.violations) out.push(`${v.kind}: ${v.message}\n  replay: ${result.replay}`);
  }
  return out;
}

describe('sim - seeded clusters', () => {
  it(`${SEEDS} seeds of 3 members keep every invariant`, () => {
    expect(failures(3)).toEqual([]);
  });

  it(`${SEEDS} seeds of 5 members keep every invariant`, () => {
    expect(failures(5)).toEqual([]);
  });
});
