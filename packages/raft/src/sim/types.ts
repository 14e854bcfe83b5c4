/**
 * Public types of the simulator: options, results, violations.
 */
import type { Raft, RaftConfig, RaftInitialState } from '../core/raft';

/** Builds the core for one member; tests pass a deliberately broken one. */
export type CreateRaft = (config: RaftConfig, initial: RaftInitialState) => Raft;

/** Options of one simulated run. Everything not given is drawn from `seed`. */
export interface SimulationOptions {
  readonly seed: number;
  /** Initial voters (3 or 5 are the usual sizes). Default 3. */
  readonly nodes?: number;
  /** Events processed in the faulty (safety) phase. Default 3000. */
  readonly steps?: number;
  /** Core factory; defaults to `new Raft(config, initial)`. */
  readonly createRaft?: CreateRaft;
  /** Ticks the healed cluster gets to elect a leader and commit on every member. Default 400. */
  readonly livenessTicks?: number;
  /** Lose or tear unsynced writes at a crash. Default true. */
  readonly tornWrites?: boolean;
  /**
   * Submit some writes, membership changes and transfers on followers, which forward them to
   * the leader. Default true; false replays runs drawn before forwarding existed.
   */
  readonly forwarding?: boolean;
  /**
   * Drive each member the way a pipelining runtime does (`acceptReady` now, `readyPersisted`
   * at the fsync): the next Ready is taken while earlier writes are in flight, and only a
   * leader's messages and forwards leave before they are durable. Default false.
   */
  readonly pipelined?: boolean;
  /**
   * Cores hand out committed entries before they are durable locally (`RaftConfig.applyBeforeDurable`,
   * as `RaftNode` runs them): an applied entry must then be committed (durable on a quorum),
   * not durable on the applier's disk. Default false, so that seeds replay as before.
   */
  readonly applyBeforeDurable?: boolean;
  /**
   * Tell members when a peer's connections close (`Raft.peerGone`), as `RaftNode`'s transport
   * does: every running member hears it soon after a member crashes or is removed, the two sides
   * of some partitions hear it of each other, and now and then a member hears it of a peer that
   * is still running (a link reset). Default false, so that seeds replay as before.
   */
  readonly peerGone?: boolean;
  /**
   * After each compaction a member serves its snapshot's bytes through a source that fails a
   * share of reads (`Raft.serveSnapshotFrom`), as `RaftNode` serves them from the snapshot's
   * file, where a read may fail or find a damaged block: the chunk is then not sent. Default
   * false, so that seeds replay as before.
   */
  readonly snapshotReadFaults?: boolean;
  /** Serve reads from the leader lease in some runs. Default false. */
  readonly leaseReads?: boolean;
  /** Keep the event log as text in the result (for debugging a seed). Default false. */
  readonly trace?: boolean;
  /** Stop at the first violation. Default true. */
  readonly stopOnViolation?: boolean;
}

/** The safety or liveness property a violation breaks. */
export type ViolationKind =
  | 'election-safety'
  | 'log-matching'
  | 'leader-append-only'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'apply-order'
  | 'apply-not-durable'
  | 'apply-not-committed'
  | 'durability'
  | 'read-linearizability'
  | 'liveness'
  | 'core-error';

/** One broken property, with where it was seen. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  readonly step: number;
  readonly timeMs: number;
}

/** What happened during a run, for reports and for tests that want coverage. */
export interface SimulationStats {
  elections: number;
  maxTerm: number;
  proposals: number;
  proposalsRejected: number;
  acknowledgedWrites: number;
  /** Requests (writes, membership changes, transfers) submitted on a follower and forwarded. */
  forwarded: number;
  /** Forwarded writes their submitter saw applied (each counts once, even if duplicated). */
  forwardedWritesAcknowledged: number;
  committedIndex: number;
  readsStarted: number;
  readsServed: number;
  readsFailed: number;
  confChanges: number;
  transfers: number;
  crashes: number;
  restarts: number;
  entriesLostAtCrash: number;
  partitions: number;
  messagesSent: number;
  messagesDropped: number;
  messagesDuplicated: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  /** Pipelined mode: Readys taken while an earlier one still waited for its fsync. */
  readysOverlapped: number;
  /** Entries applied while not yet durable on the applier's disk (`applyBeforeDurable`). */
  appliedBeforeDurable: number;
  /** `peerGone` hints delivered to a running member (`peerGone` runs only). */
  peerGoneHints: number;
  /** Of those, hints about the member the hearer followed as its leader. */
  peerGoneOfLeader: number;
  /** Snapshot chunk reads that failed on purpose (`snapshotReadFaults` runs only). */
  snapshotReadsFailed: number;
  /** Crashes that took back entries their member had applied (it restarts behind them). */
  crashesBehindApplied: number;
  livenessTicks: number;
  simulatedMs: number;
}

/** Outcome of one run. */
export interface SimulationResult {
  readonly seed: number;
  readonly nodes: number;
  /** Events processed (safety and liveness phases). */
  readonly steps: number;
  readonly violations: readonly Violation[];
  readonly stats: SimulationStats;
  /** FNV-1a hash of the event log: equal for equal seeds and options. */
  readonly traceHash: string;
  /** The event log, when `trace` was set. */
  readonly trace: readonly string[];
  /** Command that replays this run. */
  readonly replay: string;
}
