/**
 * Named limits and fixed numbers of the Keel wire protocol.
 *
 * The byte limits are defaults: a server may configure tighter or looser ones and pass them to the
 * codec as {@link ProtocolLimits}. Every limit here is enforced by both encoder and decoder, so a
 * well-behaved peer never sends what the other side would refuse.
 */

/** Version byte that opens every frame; a peer refuses frames of another version. */
export const protocolVersion = 1;

/** Largest encoded frame, in bytes, in either direction. */
export const frameBytesMax = 8 * 1024 * 1024;

/** Largest node data, in bytes (ZooKeeper's jute.maxbuffer default). */
export const dataBytesMax = 1024 * 1024;

/** Longest path, in UTF-8 bytes. */
export const pathBytesMax = 4096;

/** Most operations in one multi (etcd's default txn op limit). */
export const multiOpsMax = 128;

/** Most child names in one children response. */
export const childrenMax = 100_000;

/** Most members in a listMembers response. */
export const membersMax = 64;

/** Longest free-text string (error messages, close reasons), in UTF-8 bytes. */
export const textBytesMax = 4096;

/** Longest identifier (session id, session secret, member id, member address), in UTF-8 bytes. */
export const identifierBytesMax = 256;

/** Digits of the counter that sequential creates append to the name (ZooKeeper's format). */
export const sequenceDigits = 10;

/** Largest sequence counter that fits in {@link sequenceDigits} digits. */
export const sequenceMax = 9_999_999_999;

/**
 * WebSocket close codes a member uses when it ends a client connection. 1002 and 1009 are the
 * standard "protocol error" and "message too big"; the 4000 range is reserved for applications.
 */
export const closeCodes = {
  /** Frame-level garbage: the frame could not even be read far enough to answer it. */
  protocolError: 1002,
  /** A frame larger than the frame limit. */
  frameTooLarge: 1009,
  /** The session expired; the client must start a new one. */
  sessionExpired: 4000,
  /** The session was resumed on another connection. */
  sessionMoved: 4001,
  /** The member is shutting down or leaving the cluster. */
  serverClosing: 4002,
  /** The handshake was missing, repeated or refused. */
  handshakeFailed: 4003,
  /** Over a limit of the member (connections per address): try again later (the standard 1013). */
  throttled: 1013,
} as const;

/** Limits the codec enforces; see the constants of the same names for the defaults. */
export interface ProtocolLimits {
  readonly frameBytesMax: number;
  readonly dataBytesMax: number;
  readonly pathBytesMax: number;
  readonly multiOpsMax: number;
  readonly childrenMax: number;
}

/** The default limits. */
export const defaultLimits: ProtocolLimits = Object.freeze({
  frameBytesMax,
  dataBytesMax,
  pathBytesMax,
  multiOpsMax,
  childrenMax,
});

// Start-up assertions relating the limits: a frame must be able to carry the largest data plus
// a longest path and its framing, or the data limit could never be reached.
if (frameBytesMax < dataBytesMax + pathBytesMax + 1024) throw new Error('frameBytesMax too small for dataBytesMax');
if (sequenceMax !== 10 ** sequenceDigits - 1) throw new Error('sequenceMax does not match sequenceDigits');
