/**
 * Recovery of one segment file: decodes every record, checks that indexes count up from the
 * segment's first index and terms never go down, and finds a torn tail.
 *
 * Zeros after the records end a segment cleanly: the log writes them ahead of its records
 * (preallocation), and a crash leaves them in place.
 *
 * The rule for damage (see docs in `durable-log.ts`): only the final record of the final
 * segment may be torn, because only the last group-commit write can have been interrupted.
 * That record counts as torn when it is cut short, when its crc fails and it ends exactly at
 * the end of the file, or when its crc fails and a part of it that lies in one 512-byte sector
 * is all zeros (the write never reached that sector of the zeros written ahead). Anything else
 * is corruption.
 */
import type { Entry } from '../core/types';
import { StorageCorruptionError } from './errors';
import { decodeRecord } from './record';

/** What a segment holds after recovery. */
export interface ScannedSegment {
  readonly entries: Entry[];
  /** Start offset of each entry's record. */
  readonly offsets: number[];
  /** Bytes of valid records; the file is cut here when `tornAt` is set. */
  readonly validBytes: number;
  /** Offset of the torn tail record, or null when the file ends cleanly. */
  readonly tornAt: number | null;
}

/**
 * Scans `bytes`, the content of segment `file` whose name says it starts at `firstIndex`.
 * `previousTerm` is the term of the entry before it (0 if none). Throws
 * {@link StorageCorruptionError} for damage that is not a torn tail of the last segment.
 */
export function scanSegment(
  file: string,
  bytes: Buffer,
  firstIndex: number,
  isLast: boolean,
  previousTerm: number,
): ScannedSegment {
  const entries: Entry[] = [];
  const offsets: number[] = [];
  let offset = 0;
  let expectedIndex = firstIndex;
  let lastTerm = previousTerm;
  while (offset < bytes.length) {
    if (bytes[offset] === 0 && isZero(bytes, offset, bytes.length)) break;
    const result = decodeRecord(bytes, offset);
    if (result.kind === 'ok') {
      const { entry } = result;
      if (entry.index !== expectedIndex) {
        throw new StorageCorruptionError(file, offset, `expected index ${expectedIndex}, found ${entry.index}`);
      }
      if (entry.term < lastTerm) {
        throw new StorageCorruptionError(file, offset, `term ${entry.term} after term ${lastTerm}`);
      }
      entries.push(entry);
      offsets.push(offset);
      lastTerm = entry.term;
      expectedIndex += 1;
      offset = result.end;
      continue;
    }
    if (result.kind === 'invalid') throw new StorageCorruptionError(file, offset, result.reason);
    const torn =
      isLast &&
      (result.kind === 'short' || result.end === bytes.length || hasZeroSectorPart(bytes, offset, result.end));
    if (!torn) {
      const reason = result.kind === 'short' ? 'record cut short in a segment that is not the last' : 'crc mismatch';
      throw new StorageCorruptionError(file, offset, reason);
    }
    return { entries, offsets, validBytes: offset, tornAt: offset };
  }
  return { entries, offsets, validBytes: offset, tornAt: null };
}

const SECTOR_BYTES = 512;

/** Whether some part of `[start, end)` that lies in one 512-byte sector of the file is all zeros. */
function hasZeroSectorPart(bytes: Buffer, start: number, end: number): boolean {
  for (let from = start; from < end; ) {
    const to = Math.min(end, (Math.floor(from / SECTOR_BYTES) + 1) * SECTOR_BYTES);
    if (isZero(bytes, from, to)) return true;
    from = to;
  }
  return false;
}

/** Whether every byte of `[start, end)` is zero. */
function isZero(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if (bytes[i] !== 0) return false;
  return true;
}
