/**
 * Goal: the real Raft core keeps every safety invariant and recovers liveness across many
 * seeded runs of 3- and 5-member clusters under drops, delays, duplicates, partitions,
 * crashes with torn writes, membership changes and leadership transfers, with writes,
 * membership changes and transfers sometimes submitted on followers (forwarded to the leader).
 * Method: run the deterministic simulator over a fixed range of seeds, and a shorter range with
 * optional lease reads enabled; any violation fails the test with the command that replays it.
 */
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/sim/simulation';

const SEEDS = 250;
const STEPS = 8000;

const LEASE_SEEDS = 100;

/** Forwarded requests over all runs: the seeds must exercise forwarding, not just allow it. */
const forwardingTotals = { forwarded: 0, forwardedWritesAcknowledged: 0, messagesDuplicated: 0 };

function failures(nodes: number, seeds = SEEDS, leaseReads = false): string[] {
  const out: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runSimulation({ seed, nodes, steps: STEPS, leaseReads });
    for (const v of result.violations) out.push(`${v.kind}: ${v.message}\n  replay: ${result.replay}`);
    for (const key of Object.keys(forwardingTotals) as (keyof typeof forwardingTotals)[]) {
      forwardingTotals[key] += result.stats[key];
    }
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

  it(`${LEASE_SEEDS} seeds of 3 and 5 members with lease reads keep every invariant`, () => {
    expect([...failures(3, LEASE_SEEDS, true), ...failures(5, LEASE_SEEDS, true)]).toEqual([]);
  });

  it('the runs forward writes, membership changes and transfers under duplicating networks', () => {
    expect(forwardingTotals.forwarded).toBeGreaterThan(1_000);
    expect(forwardingTotals.forwardedWritesAcknowledged).toBeGreaterThan(100);
    expect(forwardingTotals.messagesDuplicated).toBeGreaterThan(1_000);
  });
});
