/**
 * The log record format. Each record is a fixed little-endian header followed by the payload:
 *
 * ```
 * offset  size  field
 *      0     4  length   payload bytes (u32)
 *      4     4  crc32    zlib.crc32 of bytes 8 .. end of payload
 *      8     8  term     (u64, safe integer)
 *     16     8  index    (u64, safe integer)
 *     24     1  type     EntryType
 *     25     n  payload  the entry's data
 * ```
 *
 * The crc covers everything after itself, so a torn header, a torn payload and a flipped bit
 * are all caught by one check.
 */
import { crc32 } from 'node:zlib';
import { type Entry, EntryType } from '../core/types';
import { readUint53, writeUint53 } from './uint53';

/** Bytes before the payload. */
export const RECORD_HEADER_BYTES = 25;
const CRC_START = 8;

/** Encodes one entry as a complete record (header + payload). */
export function encodeRecord(entry: Entry): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + entry.data.byteLength);
  record.writeUInt32LE(entry.data.byteLength, 0);
  writeUint53(record, entry.term, 8);
  writeUint53(record, entry.index, 16);
  record.writeUInt8(entry.type, 24);
  record.set(entry.data, RECORD_HEADER_BYTES);
  record.writeUInt32LE(crc32(record.subarray(CRC_START)), 4);
  return record;
}

/** Outcome of decoding the record starting at some offset of a segment buffer. */
export type DecodeResult =
  | { readonly kind: 'ok'; readonly entry: Entry; readonly end: number }
  /** The buffer ends before the header or the declared payload does. */
  | { readonly kind: 'short' }
  /** The bytes are all there but the crc does not match. */
  | { readonly kind: 'bad-crc'; readonly end: number }
  /** The crc matches but a field holds a value we never write. */
  | { readonly kind: 'invalid'; readonly end: number; readonly reason: string };

const entryTypes: ReadonlySet<number> = new Set(Object.values(EntryType));

/**
 * Decodes the record at `offset`. The payload is a view into `source` (no copy): callers keep
 * the segment buffer alive as long as they keep the entries.
 */
export function decodeRecord(source: Buffer, offset: number): DecodeResult {
  if (source.length - offset < RECORD_HEADER_BYTES) return { kind: 'short' };
  const length = source.readUInt32LE(offset);
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > source.length) return { kind: 'short' };
  const stored = source.readUInt32LE(offset + 4);
  if (crc32(source.subarray(offset + CRC_START, end)) !== stored) return { kind: 'bad-crc', end };
  const term = readUint53(source, offset + 8);
  const index = readUint53(source, offset + 16);
  const type = source.readUInt8(offset + 24);
  if (term < 1 || index < 1) return { kind: 'invalid', end, reason: `impossible term ${term} or index ${index}` };
  if (!entryTypes.has(type)) return { kind: 'invalid', end, reason: `unknown entry type ${type}` };
  const data = source.subarray(offset + RECORD_HEADER_BYTES, end);
  return { kind: 'ok', entry: { term, index, type: type as EntryType, data }, end };
}
