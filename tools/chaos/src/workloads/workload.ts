/**
 * What every workload provides: a run phase of concurrent clients recording what they did, and
 * a check phase (after the cluster has healed) that turns the record into a verdict.
 */
import type { Operation } from '../history';

/** What a workload gets while running and checking. */
export interface WorkloadContext {
  /** Client URLs of every member. */
  readonly servers: readonly string[];
  /** Concurrent clients to run. */
  readonly clients: number;
  /** Seeded randomness: operation mix, keys, think times. */
  readonly random: () => number;
  /** Milliseconds since the workload started (monotonic). */
  readonly now: () => number;
  /** Directory for files the workload writes (the lock witness). */
  readonly runDir: string;
  readonly log: (line: string) => void;
}

/** The verdict of one workload run. */
export interface WorkloadResult {
  /** Operations issued. */
  readonly ops: number;
  /** Writes the cluster acknowledged. */
  readonly acked: number;
  /** Acknowledged writes missing after recovery (or, for watches, never delivered). */
  readonly lost: number;
  /** Every anomaly found, one sentence each. */
  readonly anomalies: readonly string[];
  /** The linearizability checker's verdict on `history` (`unknown`: the step budget ran out). */
  readonly linearizable: 'yes' | 'no' | 'unknown';
  /** The register history the checker saw (also what is written to the history file). */
  readonly history: readonly Operation[];
  /** Extra lines for the report. */
  readonly details: readonly string[];
}

/** A workload instance: `run` until `signal` aborts, then `check` once the cluster is healed. */
export interface Workload {
  readonly name: string;
  /** Creates what the run needs (parent nodes, initial values) before faults start. */
  setup(context: WorkloadContext): Promise<void>;
  run(context: WorkloadContext, signal: AbortSignal): Promise<void>;
  check(context: WorkloadContext): Promise<WorkloadResult>;
}

/** The workload names of the CLI's `--workload`. */
export const workloadNames = ['register', 'set', 'lock', 'session'] as const;

/** A workload name. */
export type WorkloadName = (typeof workloadNames)[number];
