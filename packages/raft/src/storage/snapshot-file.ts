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
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { ConfState, Snapshot, SnapshotMeta } from '../core/types';
import { writeAll, writevAll } from './atomic-file';
import type { DiskStats } from './disk-stats';
import { StorageCorruptionError, StorageMisuseError } from './errors';
import { SNAPSHOT_META_BYTES_MAX } from './limits';
import { SNAPSHOT_BLOCK_BYTES } from './snapshot-file-bytes';

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

/** The fixed part and the metadata, with the crc field still zero. */
function encodeHeader(meta: SnapshotMeta): Buffer {
  const { index, term, conf } = meta;
  const json = Buffer.from(JSON.stringify({ index, term, conf: { voters: conf.voters, learners: conf.learners } }));
  if (json.byteLength > SNAPSHOT_META_BYTES_MAX) {
    throw new StorageMisuseError(`snapshot metadata larger than ${SNAPSHOT_META_BYTES_MAX} bytes`);
  }
  const header = Buffer.alloc(FIXED_BYTES + json.byteLength);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(json.byteLength, 8);
  json.copy(header, FIXED_BYTES);
  return header;
}

export function encodeSnapshot(snapshot: Snapshot): Buffer {
  const header = encodeHeader(snapshot.meta);
  const bytes = Buffer.concat([header, snapshot.data]);
  bytes.writeUInt32LE(crc32(bytes.subarray(8)), 4);
  return bytes;
}

/** Bytes handed to one write at most, so a large snapshot never holds the event loop for long. */
const WRITE_CHUNK_BYTES = 4 * SNAPSHOT_BLOCK_BYTES;
/** Pieces handed to one write at most (a state machine may give many small chunks; IOV_MAX is 1,024 on Linux). */
const WRITE_PIECES_MAX = 1024;

/** Where a written snapshot's data starts in its file, its length, and each block's checksum. */
export interface WrittenSnapshot {
  readonly dataOffset: number;
  readonly byteLength: number;
  readonly checksums: Uint32Array;
}

/**
 * Writes a snapshot file to `path` and fsyncs it: the data given as chunks in order, never
 * joined in memory, up to {@link WRITE_CHUNK_BYTES} per write; the crc is computed as the data
 * is written and patched into the header last. Produces the same bytes as {@link encodeSnapshot}
 * of the joined data. The caller renames the file into place.
 */
export async function writeSnapshotFile(
  path: string,
  meta: SnapshotMeta,
  chunks: readonly Uint8Array[],
  stats: DiskStats,
): Promise<WrittenSnapshot> {
  const header = encodeHeader(meta);
  let byteLength = 0;
  for (const chunk of chunks) byteLength += chunk.byteLength;
  const checksums = new Uint32Array(Math.ceil(byteLength / SNAPSHOT_BLOCK_BYTES));
  const handle = await open(path, 'w');
  try {
    await writeAll(handle, header, 0);
    let crc = crc32(header.subarray(8));
    let written = 0;
    // Pieces of whole chunks or parts of one, gathered until a write's worth.
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    const flush = async (): Promise<void> => {
      await writevAll(handle, batch, header.byteLength + written);
      written += batchBytes;
      batch = [];
      batchBytes = 0;
    };
    for (const chunk of chunks) {
      for (let from = 0; from < chunk.byteLength; ) {
        // Never past a block's end, so each piece adds to exactly one block's checksum.
        const at = written + batchBytes;
        const block = Math.floor(at / SNAPSHOT_BLOCK_BYTES);
        const blockEnd = (block + 1) * SNAPSHOT_BLOCK_BYTES;
        const piece = chunk.subarray(
          from,
          from + Math.min(chunk.byteLength - from, blockEnd - at, WRITE_CHUNK_BYTES - batchBytes),
        );
        checksums[block] = crc32(piece, at % SNAPSHOT_BLOCK_BYTES === 0 ? 0 : checksums[block]);
        crc = crc32(piece, crc);
        batch.push(piece);
        batchBytes += piece.byteLength;
        from += piece.byteLength;
        if (batchBytes === WRITE_CHUNK_BYTES || batch.length === WRITE_PIECES_MAX) await flush();
      }
    }
    if (batchBytes > 0) await flush();
    const field = Buffer.alloc(4);
    field.writeUInt32LE(crc, 0);
    await writeAll(handle, field, 4);
    await handle.sync();
    stats.fileFsyncs += 1;
  } finally {
    await handle.close();
  }
  return { dataOffset: header.byteLength, byteLength, checksums };
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
