/**
 * Where the runtime gets the decoder for `ConfChange` entry payloads (owned by the core/codec).
 */
import type { ConfChange } from '../core/types';

/** Decodes a configuration entry's payload. */
export function decodeConfChange(_data: Uint8Array): ConfChange {
  throw new Error('ConfChange decoding is not wired yet');
}
