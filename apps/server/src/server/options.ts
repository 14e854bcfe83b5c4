/**
 * Options of a {@link KeelServer} member and their defaults.
 */
import { frameBytesMax, dataBytesMax as protocolDataBytesMax } from '@keel/protocol';
import type { ConfState, NodeId, RaftConfigOverrides, RaftNodeLogger } from '@keel/raft';

/** A host and port to listen on (port 0 picks a free one). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** How to start one Keel member. */
export interface KeelServerOptions {
  /** This member's id in the Raft cluster. */
  readonly id: NodeId;
  /** Directory of the member's durable Raft log (created if missing). */
  readonly dataDir: string;
  /** Where clients connect (WebSocket, binary frames of `@keel/protocol`). */
  readonly clientListen: ListenAddress;
  /** Where the other members connect (default 127.0.0.1, a free port). */
  readonly peerListen?: ListenAddress;
  /** Peer URLs (`ws://host:port`) of the other members, by id. */
  readonly peers?: ReadonlyMap<NodeId, string> | Readonly<Record<NodeId, string>>;
  /**
   * Membership of a brand-new cluster; used only when the log is empty. Defaults to this member
   * alone when no peers are given (a single-node cluster).
   */
  readonly bootstrap?: ConfState;
  /** Shared secret that authenticates peer links. */
  readonly clusterSecret: string;
  /** Shortest session timeout granted (default {@link defaultSessionTimeoutMsMin}). */
  readonly sessionTimeoutMsMin?: number;
  /** Longest session timeout granted (default {@link defaultSessionTimeoutMsMax}). */
  readonly sessionTimeoutMsMax?: number;
  /** How often the leader looks for expired sessions (default {@link defaultExpiryCheckMs}). */
  readonly expiryCheckMs?: number;
  /** Length of one Raft tick (default {@link defaultTickMs}). */
  readonly tickMs?: number;
  /** Raft core tuning. */
  readonly raft?: RaftConfigOverrides;
  /**
   * Snapshot after at most this many applied entries (default {@link defaultSnapshotEveryEntries};
   * 0: never); each member draws each gap between half and all of it, so members snapshot apart.
   */
  readonly snapshotEveryEntries?: number;
  readonly logger?: RaftNodeLogger;

  // ---- limits (DESIGN §6) -------------------------------------------------------------------

  /**
   * Largest node data a client may write, in bytes (default {@link defaultDataBytesMax}, which is
   * also the most allowed). Checked by the member that receives the request.
   */
  readonly dataBytesMax?: number;
  /** Largest request frame, in bytes (default and most allowed: the protocol's `frameBytesMax`). */
  readonly requestBytesMax?: number;
  /** Most requests one connection may have waiting for their answers (default {@link defaultPendingRequestsMax}). */
  readonly pendingRequestsMax?: number;
  /** Most bytes of request frames one connection may have waiting (default {@link defaultPendingRequestBytesMax}). */
  readonly pendingRequestBytesMax?: number;
  /**
   * Most bytes queued for sending to one client that reads too slowly; beyond it the connection
   * is closed (default {@link defaultSendBufferBytesMax}).
   */
  readonly sendBufferBytesMax?: number;
  /** Most client connections from one remote address (default {@link defaultSessionsPerAddressMax}). */
  readonly sessionsPerAddressMax?: number;
  /** Most watches one connection may hold (default {@link defaultWatchesPerConnectionMax}). */
  readonly watchesPerConnectionMax?: number;
  /** Revisions of recent changes kept for watch resumption (default {@link defaultChangeWindowRevisions}). */
  readonly changeWindowRevisions?: number;
  /** Most change events the window keeps, however few revisions (default {@link defaultChangeWindowEventsMax}). */
  readonly changeWindowEventsMax?: number;

  // ---- timers -------------------------------------------------------------------------------

  /** How often the leader looks for expired TTL nodes (default {@link defaultTtlCheckMs}). */
  readonly ttlCheckMs?: number;
  /**
   * How often a member reports the sessions it served to the leader (default: a third of the
   * shortest session timeout).
   */
  readonly sessionReportMs?: number;
  /**
   * How long a member may go without a leader before it closes its client connections, so that
   * its clients fail over to a member of the majority (they see `serverClosing`) before the
   * leader can expire their sessions (default: a quarter of the shortest session timeout). The
   * member notices the loss itself after an election timeout.
   */
  readonly leaderlessCloseMs?: number;
  /**
   * How long a session report of this member may go unapplied (one re-send included) before the
   * member counts itself cut off from the leader (a one-way partition: it hears the leader, the
   * leader does not hear it) and closes its client connections like a member without a leader
   * (default: a third of the shortest session timeout, at least an election timeout).
   */
  readonly reportRoundTripMs?: number;
  /**
   * How long a member waits for a write it sent to be applied before answering `ConnectionLoss`
   * (outcome unknown) and closing the connection (default {@link defaultWriteTimeoutMs}).
   */
  readonly writeTimeoutMs?: number;
}

/** Default and largest node data: the protocol's `dataBytesMax` (1 MiB, ZooKeeper's jute.maxbuffer). */
export const defaultDataBytesMax = protocolDataBytesMax;

/** Default and largest request frame: the protocol's `frameBytesMax`. */
export const defaultRequestBytesMax = frameBytesMax;

/** Default most requests waiting per connection. */
export const defaultPendingRequestsMax = 4096;

/** Default most bytes of request frames waiting per connection. */
export const defaultPendingRequestBytesMax = 64 * 1024 * 1024;

/** Default most bytes queued for sending to one client. */
export const defaultSendBufferBytesMax = 64 * 1024 * 1024;

/**
 * Default most connections per remote address. Higher than ZooKeeper's 60 (maxClientCnxns),
 * which often bites load tests and hosts running many clients behind one address.
 */
export const defaultSessionsPerAddressMax = 1024;

/** Default most watches per connection. */
export const defaultWatchesPerConnectionMax = 10_000;

/** Default revisions of recent changes kept for watch resumption. */
export const defaultChangeWindowRevisions = 10_000;

/** Default most change events kept in the window. */
export const defaultChangeWindowEventsMax = 100_000;

/** Default length of one Raft tick (the Raft runtime's). */
export const defaultTickMs = 50;

/**
 * Default entries applied between snapshots: ZooKeeper's and etcd's snapCount. A snapshot is
 * built on the event loop, so taking one every 10,000 entries (the Raft runtime's default)
 * stalled heartbeats often enough to cost leader elections under sustained writes.
 */
export const defaultSnapshotEveryEntries = 100_000;

/** Default interval of the leader's TTL check. */
export const defaultTtlCheckMs = 1_000;

/** Default wait for a member's own write to be applied. */
export const defaultWriteTimeoutMs = 10_000;

/** Default shortest session timeout (ZooKeeper's is 2 ticks of 2 s). */
export const defaultSessionTimeoutMsMin = 4_000;

/** Default longest session timeout (ZooKeeper's is 20 ticks of 2 s). */
export const defaultSessionTimeoutMsMax = 40_000;

/** Default interval of the leader's expiry check. */
export const defaultExpiryCheckMs = 250;

/** Longest a read waits for this member to apply a client's last-seen revision. */
export const revisionWaitMsMax = 10_000;
