/**
 * The frame envelope shared by both directions: `u8 protocolVersion | u8 tag | body`, and the
 * result type of the decoders.
 */
import { defaultLimits, type ProtocolLimits, protocolVersion } from '../constants';
import { BadArgumentsError, isKeelError, TooLargeError } from '../errors';
import { FrameReader } from './reader';
import { FrameWriter } from './writer';

/** Why a frame could not be decoded. */
export interface DecodeError {
  /** `TooLarge` for a frame, field or count over a limit; `BadArguments` for everything else. */
  readonly code: 'BadArguments' | 'TooLarge';
  readonly message: string;
  /** The xid of the request or response, when the frame was readable that far: answer with it. */
  readonly xid?: number;
}

/** The result of decoding one frame. */
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: DecodeError };

/** The binary frame types a WebSocket delivers: `ws` gives Buffers (Uint8Arrays), browsers ArrayBuffers. */
export type FrameInput = Uint8Array | ArrayBuffer;

/** Where a decoder got to before failing, so the failure can name the xid. */
export interface DecodeProgress {
  xid?: number;
}

/** Starts a frame: version byte and tag. */
export function beginFrame(tag: number, limits: ProtocolLimits): FrameWriter {
  const writer = new FrameWriter(limits);
  writer.u8(protocolVersion);
  writer.u8(tag);
  return writer;
}

/**
 * Runs a body decoder on a frame and turns every failure into a {@link DecodeResult}: a decoder
 * never throws, whatever the input.
 */
export function decodeFrame<T>(
  input: unknown,
  limits: ProtocolLimits = defaultLimits,
  body: (reader: FrameReader, tag: number, progress: DecodeProgress) => T,
): DecodeResult<T> {
  const progress: DecodeProgress = {};
  try {
    const frame = toBytes(input);
    if (frame === undefined) throw new BadArgumentsError('expected a binary frame (Uint8Array or ArrayBuffer)');
    if (frame.length > limits.frameBytesMax) {
      throw new TooLargeError(`frame is ${frame.length} bytes, over ${limits.frameBytesMax}`);
    }
    const reader = new FrameReader(frame, limits);
    const version = reader.u8('protocol version');
    if (version !== protocolVersion) {
      throw new BadArgumentsError(`unsupported protocol version ${version} (this side speaks ${protocolVersion})`);
    }
    const tag = reader.u8('tag');
    const value = body(reader, tag, progress);
    reader.end();
    return { ok: true, value };
  } catch (error) {
    const known = isKeelError(error) && (error.code === 'BadArguments' || error.code === 'TooLarge');
    // Anything else is a decoder bug; it is still reported as a result, never thrown, and its
    // message says so (the fuzz test looks for it).
    const code = known ? (error.code as 'BadArguments' | 'TooLarge') : 'BadArguments';
    const message = known ? error.message : `malformed frame (internal decoder error: ${String(error)})`;
    return { ok: false, error: progress.xid === undefined ? { code, message } : { code, message, xid: progress.xid } };
  }
}

function toBytes(input: unknown): Uint8Array | undefined {
  // A plain view, whatever the subclass (a Node Buffer's slice() would not copy).
  if (input instanceof Uint8Array) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return undefined;
}
