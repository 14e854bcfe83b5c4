/**
 * Snapshot files (`dir/snapshots/<index>-<term>.snap`, numbers zero-padded so names sort):
 *
 * ```
 * magic "KSN1" | crc32 (of the rest) | metaBytes u32 | meta JSON {index, term, conf} | data
 * ```
 *
 * The metadata is JSON because it is small, rare and worth reading with `head`; the crc
 * covers it and the data, and the reader checks the name against the metadata.
 */
import { crc32 } from 'node:zlib';
import type { ConfState, Snapshot, SnapshotMeta } from '../core/types';
import { StorageCorruptionError, StorageMisuseError } from './errors';
import { SNAPSHOT_META_BYTES_MAX } from './limits';

const MAGIC = 0x314e534b; // "KSN1" little-endian
const FIXED_BYTES = 12;
const NAME_PATTERN = /^(\d{20})-(\d{20})\.snap$/;

export function snapshotFileName(meta: Pick<SnapshotMeta, 'index' | 'term'>): string {
  return `${String(meta.index).padStart(20, '0')}-${String(meta.term).padStart(20, '0')}.snap`;
}

/** Parses a snapshot file name, or returns null for any other file. */
export function parseSnapshotFileName(name: string): { index: number; term: number } | null {
  const match = NAME_PATTERN.exec(name);
  if (match === null) return null;
  const index = Number(match[1]);
  const term = Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(term)) return null;
  return { index, term };
}

export function encodeSnapshot(snapshot: Snapshot): Buffer {
  const { index, term, conf } = snapshot.meta;
  const meta = Buffer.from(JSON.stringify({ index, term, conf: { voters: conf.voters, learners: conf.learners } }));
  if (meta.byteLength > SNAPSHOT_META_BYTES_MAX) {
    throw new StorageMisuseError(`snapshot metadata larger than ${SNAPSHOT_META_BYTES_MAX} bytes`);
  }
  const bytes = Buffer.allocUnsafe(FIXED_BYTES + meta.byteLength + snapshot.data.byteLength);
  bytes.writeUInt32LE(MAGIC, 0);
  bytes.writeUInt32LE(meta.byteLength, 8);
  meta.copy(bytes, FIXED_BYTES);
  bytes.set(snapshot.data, FIXED_BYTES + meta.byteLength);
  bytes.writeUInt32LE(crc32(bytes.subarray(8)), 4);
  return bytes;
}

/** Decodes and validates a snapshot file; `expected` comes from its name. */
export function decodeSnapshot(bytes: Buffer, file: string, expected: { index: number; term: number }): Snapshot {
  if (bytes.length < FIXED_BYTES || bytes.readUInt32LE(0) !== MAGIC) {
    throw new StorageCorruptionError(file, 0, 'snapshot file too short or bad magic');
  }
  if (crc32(bytes.subarray(8)) !== bytes.readUInt32LE(4)) {
    throw new StorageCorruptionError(file, 4, 'snapshot crc mismatch');
  }
  const metaBytes = bytes.readUInt32LE(8);
  if (FIXED_BYTES + metaBytes > bytes.length) throw new StorageCorruptionError(file, 8, 'snapshot meta length');
  const meta = parseMeta(bytes.toString('utf8', FIXED_BYTES, FIXED_BYTES + metaBytes));
  if (meta === null || meta.index !== expected.index || meta.term !== expected.term) {
    throw new StorageCorruptionError(file, FIXED_BYTES, 'snapshot metadata invalid or does not match its file name');
  }
  return { meta, data: bytes.subarray(FIXED_BYTES + metaBytes) };
}

function parseMeta(text: string): SnapshotMeta | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { index, term, conf } = value as Record<string, unknown>;
  if (!isCount(index) || !isCount(term) || typeof conf !== 'object' || conf === null) return null;
  const { voters, learners } = conf as Record<string, unknown>;
  if (!isIdList(voters) || !isIdList(learners)) return null;
  const state: ConfState = { voters, learners };
  return { index, term, conf: state };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
