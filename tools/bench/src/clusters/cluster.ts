/**
 * A running three-member cluster of one system, started by the harness on loopback with its data
 * in a temporary directory and fsync on.
 */
import type { TargetName } from '../results';
import type { TargetDriver } from '../targets/session';
import type { TrackedProcess } from './processes';

/** One member of a running cluster. */
export interface ClusterMember {
  readonly id: string;
  /** The member's current process (replaced when the member is restarted). */
  process: TrackedProcess;
  /** Where clients connect (`host:port` or a URL). */
  readonly clientAddress: string;
}

/** A cluster the harness started. */
export interface RunningCluster {
  readonly target: TargetName;
  readonly driver: TargetDriver;
  readonly members: readonly ClusterMember[];
  /** The version the binary reports. */
  readonly version: string;
  /** The directory holding the members' data and logs. */
  readonly dataDir: string;
  /** The current leader (asked of the members; ids compared as strings). */
  leader(): Promise<ClusterMember>;
  /**
   * Stops one member (SIGTERM, by PID), starts it again on the same data, and resolves with the
   * milliseconds from its start until it serves clients again (it has loaded its state and knows
   * a leader).
   */
  restartMember(member: ClusterMember): Promise<number>;
  /**
   * How long a snapshot of the whole state takes, as the system itself reports or makes it (see
   * {@link SnapshotTimes}). Throws `WorkloadNotDoneError` when this build cannot tell.
   */
  snapshotTimes(): Promise<SnapshotTimes>;
  /** Stops every member (by PID) and removes the data directory. */
  stop(): Promise<void>;
}

/** Options shared by every cluster starter. */
/**
 * Snapshot figures: Keel and ZooKeeper report their members' own periodic snapshots (the longest
 * one any member took, which for a growing tree is about the newest); etcd keeps its key space in
 * its bbolt file and never serialises it at a Raft snapshot, so its figure is the backend snapshot
 * a user takes (`etcdctl snapshot save`), streamed from the leader.
 */
export interface SnapshotTimes {
  /** Milliseconds of the longest snapshot. */
  readonly ms: number;
  /** Its size in bytes, when the system says. */
  readonly bytes: number | null;
  /** Snapshots the figure is the longest of. */
  readonly count: number;
  /** Where the figure comes from. */
  readonly source: string;
}

export interface ClusterOptions {
  /** Parent of the cluster's data directory (a fresh directory is made inside). */
  readonly baseDir: string;
  readonly members: number;
  /** Keep the data directory after stopping (for debugging). */
  readonly keepData?: boolean;
  /** Keel only: write a V8 CPU profile of each member into this directory (`node --cpu-prof`). */
  readonly cpuProfileDir?: string;
}

/** Starts a cluster. */
export type ClusterStarter = (options: ClusterOptions) => Promise<RunningCluster>;
