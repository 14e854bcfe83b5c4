/**
 * Options, status and events of a `RaftNode`.
 */
import type { RaftConfig, RaftStatus } from '../core/raft';
import type { ConfState, NodeId, Role, Snapshot } from '../core/types';
import type { RaftStorage, StateMachine, Transport } from './interfaces';

/** Where a `RaftNode` writes its diagnostics. Every method is optional to implement as a no-op. */
export interface RaftNodeLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Core tuning a caller may override; `id` comes from the node options, randomness from the runtime. */
export type RaftConfigOverrides = Partial<Omit<RaftConfig, 'id'>>;

/** Everything `RaftNode.start` needs. */
export interface RaftNodeOptions<Result = unknown> {
  /** This member's id. */
  readonly id: NodeId;
  readonly storage: RaftStorage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<Result>;
  /**
   * Addresses (`ws://host:port`) of the members known at start, keyed by id; may include this
   * member. Later members' addresses are learned from committed configuration entries.
   */
  readonly peers?: ReadonlyMap<NodeId, string> | Readonly<Record<NodeId, string>>;
  /**
   * The initial membership of a brand-new cluster. Used only when storage is empty; members
   * that join an existing cluster start without it and learn everything from the leader.
   */
  readonly bootstrap?: ConfState;
  /** Length of one core tick in milliseconds (default 50). */
  readonly tickMs?: number;
  /** Core tuning (election and heartbeat ticks, pre-vote, flow control ...). */
  readonly raft?: RaftConfigOverrides;
  /**
   * Take a snapshot and compact the log after at most this many applied entries (default
   * 10,000; 0 = never). Each member draws each gap between half and all of it, so the members
   * of a cluster snapshot at different times.
   */
  readonly snapshotEveryEntries?: number;
  /** Maximum proposals, reads and membership changes waiting at once (default 16,384). */
  readonly maxPendingRequests?: number;
  /**
   * How long `readIndex`, `transferLeadership` and membership changes forwarded from a follower
   * may take before failing with `TimeoutError` (default 10 s).
   */
  readonly requestTimeoutMs?: number;
  readonly logger?: RaftNodeLogger;
}

/** Options of a single proposal. */
export interface ProposeOptions {
  /** Stops waiting. An entry already appended to the log may still commit and apply. */
  readonly signal?: AbortSignal;
}

/** Counters that show what the runtime did; useful for tests, status endpoints and benchmarks. */
export interface RaftNodeStats {
  /** Ready batches handled. */
  readonly readyCycles: number;
  /** `storage.sync()` calls (each may cover many entries: group commit). */
  readonly syncs: number;
  /** Entries handed to `storage.append`. */
  readonly entriesPersisted: number;
  /** Messages handed to the transport. */
  readonly messagesSent: number;
  /** Messages received from the transport. */
  readonly messagesReceived: number;
  /** Entries applied to the state machine (normal entries with data). */
  readonly entriesApplied: number;
  /** Snapshots this member took of its own state machine. */
  readonly snapshotsTaken: number;
  /**
   * Milliseconds the newest of them took, from capturing the state machine until the file was
   * durable (serialising runs beside the Ready loop, so this includes waiting for it); 0 if none.
   */
  readonly lastSnapshotMs: number;
  /** Bytes of that snapshot (0 if none). */
  readonly lastSnapshotBytes: number;
  /** The longest any of them took, in milliseconds. */
  readonly snapshotMsMax: number;
  /** Snapshots received from a leader and restored into the state machine. */
  readonly snapshotsInstalled: number;
  /**
   * Bytes of the newest snapshot held in memory to send to followers that fall behind: 0 once
   * storage serves them from the snapshot's file (`RaftStorage.serveSnapshot`).
   */
  readonly snapshotBytesInMemory: number;
}

/** A point-in-time view of a `RaftNode`: the core's status plus the runtime's own. */
export interface RaftNodeStatus extends RaftStatus {
  /** Index of the last entry applied to the user state machine (may trail `commit`). */
  readonly appliedIndex: number;
  /** Known peer addresses. */
  readonly peers: ReadonlyMap<NodeId, string>;
  /** Requests waiting (proposals, reads, membership changes). */
  readonly pendingRequests: number;
  readonly stats: RaftNodeStats;
  readonly stopped: boolean;
}

/** Events a `RaftNode` emits (listener argument tuples, for `EventEmitter`). */
export interface RaftNodeEvents {
  /** This member's role, term or known leader changed. */
  roleChange: [change: { role: Role; term: number; leader: NodeId | null }];
  /** The known leader changed (null while none is known). */
  leaderChange: [change: { leader: NodeId | null; term: number }];
  /** The state machine applied entries through `index`. */
  applied: [index: number];
  /** The membership changed (a configuration entry applied, or a snapshot restored). */
  membershipChange: [conf: ConfState];
  /** A snapshot from the leader replaced the state machine. */
  snapshotInstalled: [meta: Snapshot['meta']];
  /** The node stopped itself after a fatal error (storage failure). */
  fatal: [error: Error];
}
