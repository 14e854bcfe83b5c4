/**
 * Frame-level limits a codec caller may tighten (tests, or a member with little memory).
 * Per-message limits (entries, ids, strings, members) are fixed by `constants.ts` because
 * every member must agree on them.
 */
import { peerFrameBytesMax, peerFrameMessagesMax } from '../constants';

/** Limits on one frame. */
export interface CodecLimits {
  /** Largest frame in bytes. */
  readonly frameBytesMax: number;
  /** Most messages in one frame. */
  readonly frameMessagesMax: number;
}

/** The limits every member uses unless told otherwise. */
export const defaultCodecLimits: CodecLimits = {
  frameBytesMax: peerFrameBytesMax,
  frameMessagesMax: peerFrameMessagesMax,
};

/** `overrides` on top of the defaults; an override may only tighten a limit. */
export function resolveCodecLimits(overrides?: Partial<CodecLimits>): CodecLimits {
  if (overrides === undefined) return defaultCodecLimits;
  const frameBytesMax = Math.min(overrides.frameBytesMax ?? peerFrameBytesMax, peerFrameBytesMax);
  const frameMessagesMax = Math.min(overrides.frameMessagesMax ?? peerFrameMessagesMax, peerFrameMessagesMax);
  if (!(Number.isSafeInteger(frameBytesMax) && frameBytesMax > 0)) throw new RangeError('frameBytesMax must be > 0');
  if (!(Number.isSafeInteger(frameMessagesMax) && frameMessagesMax > 0)) {
    throw new RangeError('frameMessagesMax must be > 0');
  }
  return { frameBytesMax, frameMessagesMax };
}
