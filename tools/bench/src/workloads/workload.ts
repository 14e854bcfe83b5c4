/**
 * The workload contract. A closed-loop workload is a setup plus one operation that the load
 * generator repeats with N in flight (so a second generator process can run the same operation
 * against the same cluster); a custom workload drives the cluster itself (locks, watches,
 * failover, scale).
 */
import type { RunningCluster } from '../clusters/cluster';
import type { ClosedLoopOutcome, Operation } from '../load/closed-loop';
import type { Session, TargetDriver } from '../targets/session';

/** The knobs of a run that workloads read. */
export interface LoadOptions {
  /** Length of each workload's measured window. */
  readonly durationMs: number;
  /**
   * Unmeasured load before each throughput workload's measured window (default 0), so that no
   * system is measured with a cold JIT. Failover and scale workloads ignore it.
   */
  readonly warmupMs?: number;
  readonly inflight: number;
  /** Sessions the in-flight operations are spread over (round robin). */
  readonly clients: number;
  readonly quick: boolean;
}

/** What a closed-loop workload needs to build its operation. */
export interface OperationContext {
  /** The session worker `worker` uses. */
  readonly sessionFor: (worker: number) => Session;
  /** The workload's own subtree (`/bench-<name>`), made by setup. */
  readonly root: string;
  /** Distinguishes generator processes, so that their node names never collide. */
  readonly generator: number;
  /** Opens further sessions (session churn). */
  readonly driver: TargetDriver;
}

/** Shared description of every workload. */
interface WorkloadBase {
  readonly name: string;
  readonly title: string;
  /** One sentence for the report: what is measured and how. */
  readonly measures: string;
  /** Only with `--scale`. */
  readonly scale?: boolean;
}

/** A setup plus one repeated operation. */
export interface ClosedLoopWorkload extends WorkloadBase {
  readonly kind: 'closedLoop';
  setup(session: Session, root: string): Promise<void>;
  operation(context: OperationContext): Operation;
  /** In-flight operations for this workload (default: the run's `--inflight`). */
  inflight?(options: LoadOptions): number;
}

/** What a custom workload measured. */
export interface CustomMeasurement {
  readonly outcome: ClosedLoopOutcome;
  readonly extra?: Readonly<Record<string, number>>;
  readonly note?: string;
}

/** Everything a custom workload may use. */
export interface CustomContext {
  readonly cluster: RunningCluster;
  readonly driver: TargetDriver;
  readonly options: LoadOptions;
  readonly root: string;
}

/** A workload that drives the cluster itself. */
export interface CustomWorkload extends WorkloadBase {
  readonly kind: 'custom';
  run(context: CustomContext): Promise<CustomMeasurement>;
}

/** Any workload. */
export type Workload = ClosedLoopWorkload | CustomWorkload;

/** `bytes` bytes of filler data. */
export function payload(bytes: number): Uint8Array {
  return new Uint8Array(bytes).fill(0x78);
}

/** Creates `root` (ignoring "already exists", so a second generator can call it too). */
export async function ensureNode(session: Session, path: string, data: Uint8Array = new Uint8Array(0)): Promise<void> {
  try {
    await session.create(path, data);
  } catch (error) {
    if (!/exist/i.test(error instanceof Error ? `${error.name} ${error.message}` : String(error))) throw error;
  }
}
