/**
 * SKELETON — the public surface of the pure Raft core. The core helper replaces the bodies;
 * the signatures are the contract the runtime and the simulator build against.
 */
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  RandomSource,
  Ready,
  Role,
  Snapshot,
} from './types';

/** Tuning of one member's core. Times are in ticks; the driver decides how long a tick is. */
export interface RaftConfig {
  readonly id: NodeId;
  /** Base election timeout; the actual one is drawn from [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  /** Leader heartbeat interval; must be well below electionTicks. */
  readonly heartbeatTicks: number;
  /** Run a pre-vote round before incrementing the term (§9.6 of Ongaro's thesis). */
  readonly preVote: boolean;
  /** Leader steps down if it has not heard from a quorum within an election timeout. */
  readonly checkQuorum: boolean;
  /** Serve ReadIndex from the leader lease without a heartbeat round; requires checkQuorum. */
  readonly leaseReads: boolean;
  /** Maximum append messages in flight to one follower before waiting for acknowledgements. */
  readonly maxInflightAppends: number;
  /** Maximum entries in one append message. */
  readonly maxEntriesPerAppend: number;
  /** Maximum payload bytes in one append message (at least one entry is always sent). */
  readonly maxAppendBytes: number;
  /** Snapshot data is sent in chunks of at most this many bytes. */
  readonly snapshotChunkBytes: number;
  /** Seeded randomness for election timeouts. */
  readonly random: RandomSource;
}

/** Defaults for everything but `id` and `random`. */
export const defaultRaftConfig: Omit<RaftConfig, 'id' | 'random'> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  leaseReads: false,
  maxInflightAppends: 256,
  maxEntriesPerAppend: 4096,
  maxAppendBytes: 1 << 20,
  snapshotChunkBytes: 1 << 20,
};

/** What the core starts from: exactly what storage holds (all of it is durable). */
export interface RaftInitialState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** Durable entries after the snapshot, contiguous and ascending. */
  readonly entries: readonly Entry[];
}

/** Replication progress of one peer as seen by the leader. */
export interface PeerProgress {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly inflight: number;
  readonly recentActive: boolean;
  readonly learner: boolean;
}

/** A point-in-time view of a member, for status endpoints and tests. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly leader: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly conf: ConfState;
  /** Only on the leader. */
  readonly progress: ReadonlyMap<NodeId, PeerProgress> | null;
  readonly transferringTo: NodeId | null;
}

/** The pure Raft state machine. No I/O, timers, clocks or ambient randomness. */
export class Raft {
  constructor(_config: RaftConfig, _initial: RaftInitialState) {
    throw new Error('not implemented');
  }

  /** Initial state of a member of a brand-new cluster: entry 1 is the bootstrap config. */
  static bootstrap(_conf: ConfState): RaftInitialState {
    throw new Error('not implemented');
  }

  /** Advances logical time by one tick (election and heartbeat timers). */
  tick(): void {}

  /** Feeds one message from a peer. Stale, unknown or malformed messages are ignored. */
  step(_message: Message): void {}

  /** Appends application data if this member leads. */
  propose(_data: Uint8Array): ProposeResult {
    throw new Error('not implemented');
  }

  /** Proposes one membership change; only one may be uncommitted at a time. */
  proposeConfChange(_change: ConfChange): ProposeResult {
    throw new Error('not implemented');
  }

  /** Starts handing leadership to `target` (leader only). */
  transferLeadership(_target: NodeId): ProposeResult {
    throw new Error('not implemented');
  }

  /** Requests a linearizable read point; answered in `Ready.readStates` or `readFailures`. */
  readIndex(_context: string): void {}

  /** Starts an election now (tests and operators); ignored by learners and non-members. */
  campaign(): void {}

  /** True when `ready()` would return something to do. */
  hasReady(): boolean {
    return false;
  }

  /** Collects the pending output. Call `advance(ready)` after handling it (see `Ready`). */
  ready(): Ready {
    throw new Error('not implemented');
  }

  /** Acknowledges that `ready` was persisted, sent and applied. */
  advance(_ready: Ready): void {}

  /**
   * Takes a snapshot the driver made at an applied index: log entries up to its index are
   * dropped and the snapshot is kept to send to followers that fall behind.
   */
  compact(_snapshot: Snapshot): void {}

  status(): RaftStatus {
    throw new Error('not implemented');
  }
}
