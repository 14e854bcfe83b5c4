/**
 * What the runtime (`RaftNode`) needs from the outside world. Each is an interface so that
 * tests and the simulator can swap in their own; the defaults are the durable segmented log
 * (`storage/`) and the WebSocket transport (`transport/`).
 */
import type { Entry, HardState, Message, NodeId, Snapshot, SnapshotBytes, SnapshotMeta } from '../core/types';

/** What a member finds on disk when it starts. */
export interface PersistedState {
  readonly hardState: HardState;
  /** The newest durable snapshot, or null. */
  readonly snapshot: Snapshot | null;
  /** Durable entries after the snapshot, contiguous and ascending. */
  readonly entries: readonly Entry[];
}

/** A stored snapshot's bytes, read back from storage; `close` once they are no longer served. */
export interface StoredSnapshotBytes extends SnapshotBytes {
  close(): void;
}

/**
 * Durable Raft storage. Writes are buffered until `sync()`, which makes every buffered
 * write durable with as few fsyncs as possible (group commit).
 */
export interface RaftStorage {
  /** Reads and validates everything on disk. Throws `StorageCorruptionError` on damage. */
  load(): Promise<PersistedState>;
  /**
   * Buffers entries. If the first entry's index is at or below the last stored index, the
   * stored suffix from that index on is replaced (a follower overwriting a conflict).
   */
  append(entries: readonly Entry[]): void;
  /** Buffers a new hard state. */
  setHardState(state: HardState): void;
  /**
   * Makes every buffered append and hard state durable (one fdatasync per file touched). Calls
   * resolve in the order made, each only once every write buffered before it is durable, even
   * when nothing new was buffered: `RaftNode` does not wait for one call before the next and
   * holds a follower's acknowledgements until the call that covers them resolves.
   */
  sync(): Promise<void>;
  /**
   * Atomically stores a snapshot (temp file, fsync, rename, fsync directory). If the log does
   * not contain the snapshot's index with the snapshot's term, the whole log is discarded
   * (a follower installing a leader's snapshot); otherwise entries after it are kept. May run
   * while appends and syncs go on (the runtime stores its own snapshots beside the Ready loop);
   * a snapshot older than one saved meanwhile is dropped.
   */
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /**
   * Optional: {@link saveSnapshot} with the data as chunks in order, stored without joining them
   * in memory. The runtime stores its own snapshots this way when it can; it keeps the chunks
   * to serve followers only until {@link serveSnapshot} reads the stored file back instead.
   */
  saveSnapshotChunks?(meta: SnapshotMeta, chunks: readonly Uint8Array[]): Promise<void>;
  /** Drops log entries at or below `index` (whole segments only); needs a snapshot covering it. */
  compact(index: number): Promise<void>;
  /**
   * Optional: the newest stored snapshot's bytes, read back from storage whenever a follower
   * needs a chunk, so the runtime need not keep them in memory. Null when `meta` is not the
   * newest stored snapshot. `onReadError` hears each read that fails or finds the bytes damaged
   * (that chunk is not sent). The caller closes what it gets.
   */
  serveSnapshot?(meta: SnapshotMeta, onReadError: (error: Error) => void): StoredSnapshotBytes | null;
  close(): Promise<void>;
}

/** Delivers messages between members. Best effort: Raft tolerates loss, reordering, duplicates. */
export interface Transport {
  /**
   * Starts accepting peers; `onMessage` receives every valid message addressed to this member.
   * `onPeerGone`, if the transport can tell, hears when the last connection a peer opened to
   * this member closed (a hint: the peer may be back at once).
   */
  start(onMessage: (message: Message) => void, onPeerGone?: (peer: NodeId) => void): Promise<void>;
  /** Queues messages; they leave in one batch per peer once the current callback is done. Never throws. */
  send(messages: readonly Message[]): void;
  /** Sets where each peer can be reached (`ws://host:port`). Unknown peers' messages are dropped. */
  setPeers(peers: ReadonlyMap<NodeId, string>): void;
  close(): Promise<void>;
}

/**
 * A state machine's snapshot: its bytes, or the same bytes as chunks in order. Chunks spare a
 * large state being joined into one buffer: the runtime hands them as they are to a storage
 * that takes chunks (`RaftStorage.saveSnapshotChunks`) and joins them only for one that does
 * not. The runtime only reads them; the state machine must not change them once returned.
 */
export type SnapshotData = Uint8Array | readonly Uint8Array[];

/**
 * The user's replicated state machine. `apply` must be deterministic: every member applies the
 * same entries in the same order and must reach the same state.
 */
export interface StateMachine<Result = unknown> {
  /** Applies one committed normal entry; the result resolves the proposer's promise. */
  apply(entry: Entry): Result;
  /**
   * Captures the state as of the last applied entry. Should be cheap to call; the returned
   * promise may do the slow serialisation off the apply path.
   */
  snapshot(): Promise<SnapshotData> | SnapshotData;
  /** Replaces all state with a snapshot's. */
  restore(data: Uint8Array): void | Promise<void>;
}
