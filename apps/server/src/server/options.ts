/**
 * Options of a {@link KeelServer} member and their defaults.
 */
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
  /** Length of one Raft tick (default: the runtime's). */
  readonly tickMs?: number;
  /** Raft core tuning. */
  readonly raft?: RaftConfigOverrides;
  /** Snapshot every this many applied entries (default: the runtime's). */
  readonly snapshotEveryEntries?: number;
  readonly logger?: RaftNodeLogger;
}

/** Default shortest session timeout (ZooKeeper's is 2 ticks of 2 s). */
export const defaultSessionTimeoutMsMin = 4_000;

/** Default longest session timeout (ZooKeeper's is 20 ticks of 2 s). */
export const defaultSessionTimeoutMsMax = 40_000;

/** Default interval of the leader's expiry check. */
export const defaultExpiryCheckMs = 250;

/** Longest a read waits for this member to apply a client's last-seen revision. */
export const revisionWaitMsMax = 10_000;
