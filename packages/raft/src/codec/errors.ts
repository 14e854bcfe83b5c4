/**
 * The single error the peer codec throws. Decoding answers every bad input with it, so a
 * caller that catches `CodecError` has handled all garbage a peer can send.
 */

/** `BAD_FRAME`: input bytes are not a valid frame. `UNENCODABLE`: a message breaks the format's rules. */
export type CodecErrorCode = 'BAD_FRAME' | 'UNENCODABLE';

/** A frame could not be decoded, or a message could not be encoded; `reason` says why. */
export class CodecError extends Error {
  readonly code: CodecErrorCode;
  /** Short machine-friendly reason, e.g. `truncated`, `bad node id`, `too many entries`. */
  readonly reason: string;
  constructor(code: CodecErrorCode, reason: string, options?: { cause?: unknown }) {
    super(`${code === 'BAD_FRAME' ? 'bad peer frame' : 'unencodable peer message'}: ${reason}`, options);
    this.name = 'CodecError';
    this.code = code;
    this.reason = reason;
  }
}

/** True for any error thrown by the peer codec. */
export function isCodecError(error: unknown): error is CodecError {
  return error instanceof CodecError;
}

/** Shorthand for decoders: every decoding failure is a `BAD_FRAME`. */
export function badFrame(reason: string, cause?: unknown): CodecError {
  return new CodecError('BAD_FRAME', reason, cause === undefined ? undefined : { cause });
}

/** Shorthand for encoders. */
export function unencodable(reason: string): CodecError {
  return new CodecError('UNENCODABLE', reason);
}
