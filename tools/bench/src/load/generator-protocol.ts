/** Messages between the harness and a second load generator process (`--generators`). */
import type { TargetName } from '../results';
import type { HistogramSnapshot } from './histogram';

/** What the harness asks a generator process to run. */
export interface GeneratorJob {
  readonly type: 'job';
  readonly target: TargetName;
  readonly addresses: readonly string[];
  readonly workload: string;
  readonly root: string;
  readonly inflight: number;
  readonly clients: number;
  readonly durationMs: number;
  /** Unmeasured load before the measured `durationMs`. */
  readonly warmupMs: number;
  /** This generator's number (1, 2, ...; the harness itself is 0). */
  readonly generator: number;
}

/** Harness to generator: start now (every generator connected first). */
export interface GeneratorGo {
  readonly type: 'go';
}

/** Generator to harness. */
export type GeneratorReport =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly histogram: HistogramSnapshot;
      readonly operations: number;
      readonly errors: number;
      readonly elapsedMs: number;
      readonly generatorCpu: number;
      readonly generatorLoopBusy: number;
      readonly firstError?: string;
    }
  | { readonly type: 'failed'; readonly error: string };
