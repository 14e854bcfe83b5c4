/**
 * Runs a range of seeds and reports them the way the CLI prints them: one block per
 * violation with the command that replays it, then a summary line.
 */
import { replayCommand, runSimulation } from './simulation';
import type { CreateRaft, SimulationOptions } from './types';

/** Which runs to make. */
export interface SeedRangeOptions {
  readonly seeds: readonly number[];
  readonly nodes: readonly number[];
  readonly steps: number;
  readonly leaseReads?: boolean;
  readonly tornWrites?: boolean;
  readonly forwarding?: boolean;
  /** See `SimulationOptions.pipelined`. */
  readonly pipelined?: boolean;
  /** See `SimulationOptions.applyBeforeDurable`. */
  readonly applyBeforeDurable?: boolean;
  /** See `SimulationOptions.peerGone`. */
  readonly peerGone?: boolean;
  /** See `SimulationOptions.snapshotReadFaults`. */
  readonly snapshotReadFaults?: boolean;
  readonly trace?: boolean;
  readonly verbose?: boolean;
  readonly createRaft?: CreateRaft;
}

/** Totals over all runs. */
export interface SeedRangeSummary {
  readonly runs: number;
  readonly steps: number;
  readonly violations: number;
}

/** The last line the CLI prints. */
export function summaryLine(summary: SeedRangeSummary): string {
  return `sim: ${summary.runs} seeds, ${summary.steps} steps, ${summary.violations} violations`;
}

/** Runs every (nodes, seed) pair, printing failures as they happen, and the summary last. */
export function runSeedRange(options: SeedRangeOptions, print: (line: string) => void): SeedRangeSummary {
  let runs = 0;
  let steps = 0;
  let violations = 0;
  for (const nodes of options.nodes) {
    for (const seed of options.seeds) {
      const run: SimulationOptions = {
        seed,
        nodes,
        steps: options.steps,
        ...(options.leaseReads === true ? { leaseReads: true } : {}),
        ...(options.tornWrites === false ? { tornWrites: false } : {}),
        ...(options.forwarding === false ? { forwarding: false } : {}),
        ...(options.pipelined === true ? { pipelined: true } : {}),
        ...(options.applyBeforeDurable === true ? { applyBeforeDurable: true } : {}),
        ...(options.peerGone === true ? { peerGone: true } : {}),
        ...(options.snapshotReadFaults === true ? { snapshotReadFaults: true } : {}),
        ...(options.trace === true ? { trace: true } : {}),
        ...(options.createRaft === undefined ? {} : { createRaft: options.createRaft }),
      };
      const result = runSimulation(run);
      runs++;
      steps += result.steps;
      violations += result.violations.length;
      for (const line of result.trace) print(line);
      if (options.verbose === true) print(`seed ${seed} nodes ${nodes}: ${JSON.stringify(result.stats)}`);
      for (const v of result.violations) {
        print(`FAIL seed ${seed} nodes ${nodes}: ${v.kind} at step ${v.step} (${v.timeMs} ms): ${v.message}`);
        print(`  replay: ${replayCommand(run)}`);
      }
    }
  }
  const summary = { runs, steps, violations };
  print(summaryLine(summary));
  return summary;
}
