/**
 * The hard state file (`dir/hardstate`), replaced atomically on every write:
 *
 * ```
 * magic "KHS1" | crc32 (of the rest) | term u64 | commit u64 | hasVote u8 | voteBytes u16 | vote utf8
 * ```
 */
import { crc32 } from 'node:zlib';
import type { HardState } from '../core/types';
import { StorageCorruptionError, StorageMisuseError } from './errors';
import { VOTE_BYTES_MAX } from './limits';
import { readUint53, writeUint53 } from './uint53';

export const HARD_STATE_FILE = 'hardstate';
const MAGIC = 0x3153484b; // "KHS1" little-endian
const FIXED_BYTES = 4 + 4 + 8 + 8 + 1 + 2;

/** The hard state of a member that has never written one. */
export const INITIAL_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };

export function encodeHardState(state: HardState): Buffer {
  const vote = state.vote === null ? Buffer.alloc(0) : Buffer.from(state.vote, 'utf8');
  if (vote.byteLength > VOTE_BYTES_MAX) throw new StorageMisuseError(`vote id longer than ${VOTE_BYTES_MAX} bytes`);
  const bytes = Buffer.alloc(FIXED_BYTES + vote.byteLength);
  bytes.writeUInt32LE(MAGIC, 0);
  writeUint53(bytes, state.term, 8);
  writeUint53(bytes, state.commit, 16);
  bytes.writeUInt8(state.vote === null ? 0 : 1, 24);
  bytes.writeUInt16LE(vote.byteLength, 25);
  vote.copy(bytes, FIXED_BYTES);
  bytes.writeUInt32LE(crc32(bytes.subarray(8)), 4);
  return bytes;
}

/** Decodes and validates; `file` names the source in the error. */
export function decodeHardState(bytes: Buffer, file: string): HardState {
  if (bytes.length < FIXED_BYTES) throw new StorageCorruptionError(file, 0, 'hard state file too short');
  if (bytes.readUInt32LE(0) !== MAGIC) throw new StorageCorruptionError(file, 0, 'hard state file has a bad magic');
  if (crc32(bytes.subarray(8)) !== bytes.readUInt32LE(4)) {
    throw new StorageCorruptionError(file, 4, 'hard state crc mismatch');
  }
  const term = readUint53(bytes, 8);
  const commit = readUint53(bytes, 16);
  const hasVote = bytes.readUInt8(24);
  const voteBytes = bytes.readUInt16LE(25);
  if (term < 0 || commit < 0 || hasVote > 1 || FIXED_BYTES + voteBytes !== bytes.length) {
    throw new StorageCorruptionError(file, 8, 'hard state fields out of range');
  }
  const vote = hasVote === 1 ? bytes.toString('utf8', FIXED_BYTES) : null;
  return { term, vote, commit };
}
