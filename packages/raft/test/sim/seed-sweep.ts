/**
 * Runs a range of seeds with the same options and gathers what the sim tests check: every
 * violation with the command that replays it, and the run statistics summed over all seeds.
 */
import { runSimulation } from '../../src/sim/simulation';
import type { SimulationOptions, SimulationStats } from '../../src/sim/types';

/** What {@link sweepSeeds} found. */
export interface SeedSweep {
  /** One line per violation: kind, message and the replay command. */
  readonly failed: string[];
  /** Each statistic summed over the runs. */
  readonly totals: SimulationStats;
}

/** Runs seeds 1 to `count` with `options`. */
export function sweepSeeds(count: number, options: Omit<SimulationOptions, 'seed'>): SeedSweep {
  const failed: string[] = [];
  let totals: SimulationStats | null = null;
  for (let seed = 1; seed <= count; seed++) {
    const result = runSimulation({ ...options, seed });
    for (const v of result.violations) failed.push(`${v.kind}: ${v.message}\n  replay: ${result.replay}`);
    if (totals === null) totals = { ...result.stats };
    else for (const key of Object.keys(totals) as (keyof SimulationStats)[]) totals[key] += result.stats[key];
  }
  if (totals === null) throw new RangeError('sweepSeeds needs at least one seed');
  return { failed, totals };
}
