/**
 * What a benchmark run produces: one {@link WorkloadResult} per workload and target, plus the
 * run's context. This is the raw JSON written to `bench-results/<timestamp>.json` and the input
 * of every report.
 */

/** The systems the harness can drive. */
export type TargetName = 'keel' | 'zookeeper' | 'etcd';

/** Every target, in report order (Keel first: every ratio is Keel / peer). */
export const targetNames: readonly TargetName[] = ['keel', 'zookeeper', 'etcd'];

/** Latency summary in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** How one workload went against one target. */
export interface WorkloadResult {
  readonly workload: string;
  readonly target: TargetName;
  /** `ok`: measured; `failed`: the run threw (see `error`); `notDone`: not attempted (see `note`). */
  readonly status: 'ok' | 'failed' | 'notDone';
  /** Completed operations per second (for lock workloads: acquisitions per second). */
  readonly opsPerSec: number;
  readonly operations: number;
  /** Operations that failed (counted, not timed). */
  readonly errors: number;
  readonly elapsedMs: number;
  readonly latency: LatencySummary;
  /** CPU time of the load generator(s) over the run, as a fraction of one core (1 = one core busy). */
  readonly generatorCpu: number;
  /** Event-loop utilisation of the busiest generator (0-1): near 1, the generator is saturated. */
  readonly generatorLoopBusy?: number;
  /** Workload-specific figures (e.g. `unavailableMs` for failover). */
  readonly extra?: Readonly<Record<string, number>>;
  readonly note?: string;
  readonly error?: string;
}

/** The environment and options of a run. */
export interface RunInfo {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly quick: boolean;
  /** Measured seconds per workload. */
  readonly durationSec: number;
  /**
   * Unmeasured seconds of load before each throughput workload (not failover or scale); absent in
   * runs from before the harness had a warm-up, which had none.
   */
  readonly warmupSec?: number;
  readonly inflight: number;
  readonly clients: number;
  readonly generators: number;
  /** `interleaved`: all clusters up, each workload on each system in turn; `sequential`: one cluster at a time. */
  readonly order: 'interleaved' | 'sequential';
  readonly targets: readonly TargetName[];
  readonly workloads: readonly string[];
  readonly machine: {
    readonly hostname: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
    readonly loadAverage: readonly number[];
  };
  /** Versions of the peers, as their binaries report them. */
  readonly versions: Readonly<Partial<Record<TargetName, string>>>;
}

/** A whole run. */
export interface BenchRun {
  readonly info: RunInfo;
  readonly results: readonly WorkloadResult[];
}

/** Above this share of one core (or of event-loop time) the generator, not the target, probably limits throughput. */
export const generatorBottleneckCpu = 0.85;

/** Whether the load generator may have been the limit of this result. */
export function generatorBound(result: WorkloadResult): boolean {
  return result.generatorCpu > generatorBottleneckCpu || (result.generatorLoopBusy ?? 0) > generatorBottleneckCpu;
}
