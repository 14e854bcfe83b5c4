/**
 * Options, logger and statistics of the WebSocket peer transport.
 */
import type { NodeId } from '../core/types';

/** Where the transport writes diagnostics (structurally the same as the runtime's logger). */
export interface TransportLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Everything a {@link WsTransport} needs; only `id`, `listen` and `clusterSecret` are required. */
export interface WsTransportOptions {
  /** This member's id; peers must dial it under this id. */
  readonly id: NodeId;
  /** Where to accept peers. Port 0 picks a free port; read it from `address` after `start`. */
  readonly listen: { readonly host: string; readonly port: number };
  /** Shared by every member; proves membership in the handshake and is never sent. */
  readonly clusterSecret: string | Uint8Array;
  readonly logger?: TransportLogger;
  /** Largest frame in either direction (default and maximum: `peerFrameBytesMax`). */
  readonly frameBytesMax?: number;
  /** Bytes queued on one socket above which new frames to it are dropped. */
  readonly bufferedBytesMax?: number;
  /** Messages kept for a peer while connecting to it; further ones are dropped. */
  readonly connectQueueMessagesMax?: number;
  readonly handshakeTimeoutMs?: number;
  readonly reconnectDelayMinMs?: number;
  readonly reconnectDelayMaxMs?: number;
  /** Randomness for reconnect jitter (default `Math.random`). */
  readonly random?: () => number;
}

/** Counters of what the transport did; cumulative since construction. */
export interface WsTransportStats {
  /** Data frames written to peer sockets (one per peer per flush, unless split by limits). */
  readonly framesSent: number;
  readonly messagesSent: number;
  /** Data frames received from authenticated peers and decoded successfully. */
  readonly framesReceived: number;
  /** Messages handed to `onMessage`. */
  readonly messagesReceived: number;
  /** Outgoing messages dropped: unknown or down peer, full queue, full socket, unencodable. */
  readonly messagesDropped: number;
  /** Incoming messages dropped because `from` was not the authenticated peer or `to` not us. */
  readonly messagesRejected: number;
  /** Incoming frames that failed to decode (each closed its connection). */
  readonly framesRejected: number;
  /** Handshakes that failed, in either direction. */
  readonly handshakesFailed: number;
  /** Outbound connections that completed the handshake. */
  readonly outboundConnections: number;
  /** Inbound connections that completed the handshake. */
  readonly inboundConnections: number;
}

/** A mutable copy used internally. */
export type MutableStats = { -readonly [K in keyof WsTransportStats]: WsTransportStats[K] };

export function emptyStats(): MutableStats {
  return {
    framesSent: 0,
    messagesSent: 0,
    framesReceived: 0,
    messagesReceived: 0,
    messagesDropped: 0,
    messagesRejected: 0,
    framesRejected: 0,
    handshakesFailed: 0,
    outboundConnections: 0,
    inboundConnections: 0,
  };
}

/** A logger that discards everything. */
export const silentLogger: TransportLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
