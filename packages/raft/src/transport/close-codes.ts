/**
 * WebSocket close codes a member uses on peer connections. 1000-1015 are the standard codes;
 * the 4000 range is for applications (the same numbers as the client protocol where they mean
 * the same thing).
 */
export const peerCloseCodes = {
  /** The peer was removed from the configuration (or its address changed). */
  normal: 1000,
  /** This transport is shutting down. */
  goingAway: 1001,
  /** A frame could not be decoded. */
  protocolError: 1002,
  /** A text frame: peers speak binary only. */
  unsupportedData: 1003,
  /** Too many connections are waiting to authenticate. */
  tryAgainLater: 1013,
  /** The handshake failed: bad proof, wrong member, timeout, or data before authentication. */
  handshakeFailed: 4003,
} as const;
