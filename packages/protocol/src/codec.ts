/**
 * The wire encoding of Keel's client protocol: one message per binary WebSocket frame.
 *
 * Binary, not JSON, because node data is bytes (no base64 inflation) and because a compact
 * tag/length format is cheap to validate completely. Layout (all integers are unsigned LEB128
 * varints of at most 8 bytes, canonical, at most 2^53 - 1):
 *
 * ```
 * frame    = u8 protocolVersion, u8 tag, header, body      (nothing may follow the body)
 * request  header = xid
 * answer   header = xid, revision                          (responses and `error`)
 * event    header = revision                               (`watch`, `session`)
 * bytes    = uint length, length bytes
 * string   = bytes, strict UTF-8
 * bool     = u8 0 | 1
 * optional = bool present, value if present
 * enum     = u8 index into a fixed list (create modes, watch kinds, ...)
 * ```
 *
 * Error codes travel as strings so that an older peer can read a newer code (as `Internal`).
 * Encoders throw typed Keel errors on bad input; decoders never throw and return a
 * {@link DecodeResult}.
 */
export type { DecodeError, DecodeResult, FrameInput } from './codec/frame';
export { decodeRequest, encodeRequest } from './codec/requests';
export { decodeResponse, encodeResponse, serverMessageTypes } from './codec/responses';
