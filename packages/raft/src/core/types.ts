/**
 * The vocabulary of the Raft core: identities, log entries, persistent state, messages and
 * the `Ready` batch that carries the core's output to its driver.
 *
 * Everything here is plain data so that the same values can be persisted, sent over the
 * wire (see `codec/`) and compared in the simulator.
 */

/** A member's stable identity, e.g. `"n1"`. Chosen by the operator, never reused. */
export type NodeId = string;

/** Kinds of log entries. Numeric values are part of the on-disk and wire formats. */
export const EntryType = {
  /** Application data (an empty payload is the leader's no-op at the start of its term). */
  Normal: 0,
  /** A membership change; `data` is an encoded {@link ConfChange}. */
  Config: 1,
} as const;
/** See {@link EntryType}. */
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

/** One replicated log entry. `index` starts at 1; `term` starts at 1. */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** The membership of the cluster: voters decide, learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/**
 * A membership change, applied one server at a time (see docs/raft.md "Membership").
 * `bootstrap` is only ever the first entry of a brand-new cluster's log.
 * `context` is opaque to the core; the runtime stores the member's peer address there.
 */
export type ConfChange =
  | { readonly kind: 'bootstrap'; readonly conf: ConfState; readonly context?: Uint8Array }
  | { readonly kind: 'addVoter'; readonly node: NodeId; readonly context?: Uint8Array }
  | { readonly kind: 'addLearner'; readonly node: NodeId; readonly context?: Uint8Array }
  | { readonly kind: 'promoteLearner'; readonly node: NodeId; readonly context?: Uint8Array }
  | { readonly kind: 'removeNode'; readonly node: NodeId; readonly context?: Uint8Array };

/** State that MUST be durable before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  /** Candidate this member voted for in `term`, or null. */
  readonly vote: NodeId | null;
  readonly commit: number;
}

/** Identifies the log prefix a snapshot replaces, and the membership at that point. */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

/** A state machine snapshot: the application's bytes plus the log position it covers. */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/**
 * The bytes of the snapshot a leader sends to followers that fell behind, read a chunk at a
 * time: from memory, or from the file the driver stored them in (`Raft.serveSnapshotFrom`),
 * so that a member need not keep a copy of its whole state in memory for a rare catch-up.
 */
export interface SnapshotBytes {
  readonly byteLength: number;
  /**
   * Up to `length` bytes from `offset` (fewer at the end). Null when they cannot be read now:
   * the chunk is not sent, and the next heartbeat response asks again.
   */
  read(offset: number, length: number): Uint8Array | null;
}

/**
 * A snapshot the driver took and stored, given to `Raft.compact` by where its bytes can be read
 * rather than as one array (a large state need never be assembled in memory).
 */
export interface StoredSnapshot {
  readonly meta: SnapshotMeta;
  readonly bytes: SnapshotBytes;
}

/** Role of a member. */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state worth reporting: who leads and what this member is. */
export interface SoftState {
  readonly role: Role;
  readonly term: number;
  readonly leader: NodeId | null;
}

/**
 * Every message between members. `from`/`to` are member ids; `term` is the sender's term
 * (0 for local-only messages). Pre-vote requests carry the term the sender WOULD campaign in.
 */
export type Message =
  | {
      readonly type: 'preVote' | 'vote';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly lastLogIndex: number;
      readonly lastLogTerm: number;
      /** Set by a leadership transfer: voters ignore their leader lease for this request. */
      readonly force: boolean;
    }
  | {
      readonly type: 'preVoteResp' | 'voteResp';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly granted: boolean;
    }
  | {
      readonly type: 'append';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly Entry[];
      readonly commit: number;
    }
  | {
      readonly type: 'appendResp';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly success: boolean;
      /** On success: the last index now matching the leader. On reject: the rejected prevIndex. */
      readonly index: number;
      /** On reject: a hint for fast backtracking, the follower's last index <= the rejected one ... */
      readonly hintIndex: number;
      /** ... and the term at `hintIndex` in the follower's log (0 if none). */
      readonly hintTerm: number;
    }
  | {
      readonly type: 'heartbeat';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly commit: number;
      /** ReadIndex round this heartbeat confirms leadership for (0 if none). */
      readonly readRound: number;
    }
  | {
      /**
       * An empty append that is not answered: the leader's commit index, for a follower whose
       * log matches the leader's at `index`/`logTerm` (the last entry sent to it). Sent when
       * the commit index moves and no append is going to the follower anyway.
       */
      readonly type: 'commit';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly index: number;
      readonly logTerm: number;
      readonly commit: number;
    }
  | {
      readonly type: 'heartbeatResp';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly readRound: number;
    }
  | {
      readonly type: 'snapshot';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly meta: SnapshotMeta;
      /** Byte offset of `chunk` within the snapshot data. */
      readonly offset: number;
      readonly totalBytes: number;
      readonly chunk: Uint8Array;
      readonly done: boolean;
    }
  | {
      readonly type: 'snapshotResp';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly snapshotIndex: number;
      /** Bytes received so far; the next chunk should start here. */
      readonly offset: number;
      /** False if the follower lost the transfer and it must restart at offset 0. */
      readonly success: boolean;
      readonly done: boolean;
    }
  | {
      readonly type: 'timeoutNow';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
    }
  | {
      /** A follower asking the leader for a read index on behalf of its own caller. */
      readonly type: 'readIndex';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly context: string;
    }
  | {
      /**
       * A follower handing a request to the leader it knows (see {@link ForwardRequest}).
       * Never answered: a leader that cannot take it drops it, and so does a non-leader.
       */
      readonly type: 'forward';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly request: ForwardRequest;
    }
  | {
      readonly type: 'readIndexResp';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly term: number;
      readonly context: string;
      /** The commit index to wait for; -1 when the leader could not serve the read. */
      readonly index: number;
    };

/**
 * What a follower forwards to its leader: application payloads (each becomes one Normal entry,
 * exactly as if proposed on the leader), one membership change, or a leadership transfer.
 * Delivery is at most once per message, but a duplicated message appends its payloads twice:
 * applications recognise their own entries (e.g. by a request id inside the payload).
 */
export type ForwardRequest =
  | { readonly kind: 'entries'; readonly entries: readonly Uint8Array[] }
  | { readonly kind: 'confChange'; readonly change: MemberChange }
  | { readonly kind: 'transfer'; readonly target: NodeId };

/** A membership change other than the bootstrap (the only kind that may be forwarded). */
export type MemberChange = Exclude<ConfChange, { readonly kind: 'bootstrap' }>;

/** All message type names. */
export type MessageType = Message['type'];

/** A ReadIndex result: once `index` is applied locally, a read for `context` is linearizable. */
export interface ReadState {
  readonly context: string;
  readonly index: number;
}

/** A ReadIndex request that cannot be served (no leader, leadership lost, removed ...). */
export interface ReadFailure {
  readonly context: string;
  readonly reason: 'not-leader' | 'no-leader' | 'stepped-down';
  readonly leader: NodeId | null;
}

/**
 * The core's output. The driver MUST handle it in this order, then call `advance(ready)`:
 *
 * 1. Persist `snapshot` (if any), then `entries` (replacing any conflicting suffix of the
 *    stored log), then `hardState` (if any), and make them durable (one fsync for all).
 * 2. Only then send `messages`: they promise that what was just persisted is durable
 *    (a vote, an acknowledgement of entries).
 * 3. Restore the state machine from `snapshot` (if any) and apply `committedEntries` in order.
 *    `committedEntries` never include entries that are not yet in durable storage.
 * 4. Deliver `readStates` once the state machine has applied up to their index, and fail
 *    the requests in `readFailures`.
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly snapshot: Snapshot | null;
  readonly entries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  readonly readFailures: readonly ReadFailure[];
}

/** Result of a proposal (data, config change or transfer) handed to the core. */
export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | {
      readonly ok: false;
      readonly reason: 'not-leader' | 'transferring' | 'conf-change-pending' | 'invalid-conf-change' | 'too-large';
      readonly leader: NodeId | null;
    };

/**
 * Result of a request that any member may make (`submit`, `submitConfChange`,
 * `submitTransfer`): done on the leader (`index`/`term` as for a proposal), handed to the
 * known leader (`forwardedTo`; nothing more is known: the leader may still drop it), or
 * refused. `no-leader` means this member knows of no leader to forward to.
 */
export type SubmitResult =
  | { readonly ok: true; readonly index: number; readonly term: number; readonly forwardedTo: null }
  | { readonly ok: true; readonly forwardedTo: NodeId }
  | Extract<ProposeResult, { ok: false }>
  | { readonly ok: false; readonly reason: 'no-leader'; readonly leader: null };

/** Seeded randomness in [0, 1), injected so that runs replay. */
export type RandomSource = () => number;
