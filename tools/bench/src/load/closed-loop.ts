/**
 * The closed-loop load generator: `inflight` workers each issue one operation, wait for its
 * answer, and issue the next, until the duration is over. Throughput is what the system answers
 * at that concurrency; latency is measured per operation from send to answer. An optional
 * warm-up runs the same load first without measuring it.
 */
import { nowMicros } from './clock';
import { LatencyHistogram } from './histogram';
import { openMeasuredWindow } from './measured-window';

/** One operation: `worker` is the worker's index, `sequence` counts that worker's operations. */
export type Operation = (worker: number, sequence: number) => Promise<void>;

/** Options of {@link runClosedLoop}. */
export interface ClosedLoopOptions {
  readonly inflight: number;
  /** Length of the measured window, after the warm-up. */
  readonly durationMs: number;
  /**
   * Load without measuring for this long first (default 0): only operations started after it are
   * counted and timed, and the generator's CPU is metered from then on. Workers do not pause at
   * the boundary; an operation that straddles it is not counted.
   */
  readonly warmupMs?: number;
  readonly operation: Operation;
  /** Starts no more than this many operations in total, warm-up included (for bounded workloads). */
  readonly operationsMax?: number;
  /** Pause a worker after a failed operation, so an unavailable system is not spun on. */
  readonly errorBackoffMs?: number;
  /**
   * An operation not settled after this long counts as an error and its worker moves on (the
   * operation is abandoned), so that one stuck request cannot stall the run. Default 30 s.
   */
  readonly operationTimeoutMs?: number;
}

/** Default of {@link ClosedLoopOptions.operationTimeoutMs}. */
export const operationTimeoutMsDefault = 30_000;

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} not settled after ${ms} ms`)), ms);
    }),
  ]);
}

/** What a closed-loop run measured. */
export interface ClosedLoopOutcome {
  readonly histogram: LatencyHistogram;
  readonly operations: number;
  readonly errors: number;
  /** From the end of the warm-up to the end of the run. */
  readonly elapsedMs: number;
  /** CPU share of one core over the measured window. */
  readonly generatorCpu: number;
  /** Event-loop utilisation of the generator over the measured window (0-1). */
  readonly generatorLoopBusy?: number;
  /** The first error seen, for the report. */
  readonly firstError?: string;
}

/** Runs `operation` with `inflight` workers for `warmupMs` unmeasured, then `durationMs` measured. */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopOutcome> {
  const histogram = new LatencyHistogram();
  let operations = 0;
  let errors = 0;
  let firstError: string | undefined;
  const measuring = openMeasuredWindow(options.warmupMs ?? 0, options.durationMs);
  const { endAt } = measuring;
  const limit = options.operationsMax ?? Number.POSITIVE_INFINITY;
  // Counts operations started, so that a bounded run starts no more than its limit.
  let started = 0;
  const worker = async (index: number): Promise<void> => {
    let sequence = 0;
    while (nowMicros() < endAt && started < limit) {
      started++;
      const sentAt = nowMicros();
      const measured = measuring.admits(sentAt);
      try {
        await withTimeout(
          options.operation(index, sequence++),
          options.operationTimeoutMs ?? operationTimeoutMsDefault,
        );
        if (measured) {
          histogram.record(nowMicros() - sentAt);
          operations++;
        }
      } catch (error) {
        if (measured) {
          errors++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
        const backoff = options.errorBackoffMs ?? 10;
        if (backoff > 0) await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  };
  await Promise.all(Array.from({ length: options.inflight }, (_, index) => worker(index)));
  const { elapsedMs, generatorCpu, generatorLoopBusy } = measuring.close();
  return {
    histogram,
    operations,
    errors,
    elapsedMs,
    generatorCpu,
    generatorLoopBusy,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
