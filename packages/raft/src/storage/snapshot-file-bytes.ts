/**
 * A stored snapshot's bytes read back from its file, so that a member keeps no copy of its
 * whole state in memory just in case a follower falls behind (at a million nodes that copy was
 * about an eighth of a member's memory).
 *
 * Reads are whole blocks, each checked against a checksum computed from the bytes in memory
 * before they were dropped: a block damaged on disk since is never sent to a follower, which
 * would otherwise install it. Reads are synchronous (`Raft` asks for a chunk inside a step); a
 * chunk is one block of the page cache, read a few times per catch-up, never on the write path.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { SnapshotBytes } from '../core/types';
import { StorageCorruptionError } from './errors';

/** Bytes per checksummed block: `Raft`'s default snapshot chunk, so a chunk is one block. */
export const SNAPSHOT_BLOCK_BYTES = 1024 * 1024;

/** The checksum of each {@link SNAPSHOT_BLOCK_BYTES} block of `data` (the last may be shorter). */
export function blockChecksums(data: Uint8Array): Uint32Array {
  const checksums = new Uint32Array(Math.ceil(data.byteLength / SNAPSHOT_BLOCK_BYTES));
  for (let block = 0; block < checksums.length; block++) {
    const start = block * SNAPSHOT_BLOCK_BYTES;
    checksums[block] = crc32(data.subarray(start, start + SNAPSHOT_BLOCK_BYTES));
  }
  return checksums;
}

/** Where a snapshot's data lies in its file, and what its blocks must hash to. */
export interface SnapshotFileLayout {
  readonly path: string;
  /** Offset of the first data byte (after the header). */
  readonly dataOffset: number;
  readonly byteLength: number;
  readonly checksums: Uint32Array;
}

/** A stored snapshot's bytes, read from its file; `close` when no longer served. */
export class SnapshotFileBytes implements SnapshotBytes {
  private fd: number | null;

  private constructor(
    private readonly layout: SnapshotFileLayout,
    fd: number,
    private readonly onReadError: (error: Error) => void,
  ) {
    this.fd = fd;
  }

  /**
   * Opens the file. The descriptor keeps the data readable after a newer snapshot replaces the
   * file. `onReadError` hears each failed or damaged read (the chunk is then not sent).
   */
  static open(layout: SnapshotFileLayout, onReadError: (error: Error) => void): SnapshotFileBytes {
    const expectedBlocks = Math.ceil(layout.byteLength / SNAPSHOT_BLOCK_BYTES);
    if (layout.checksums.length !== expectedBlocks) {
      throw new RangeError(`${layout.checksums.length} block checksums for ${layout.byteLength} bytes`);
    }
    return new SnapshotFileBytes(layout, openSync(layout.path, 'r'), onReadError);
  }

  get byteLength(): number {
    return this.layout.byteLength;
  }

  read(offset: number, length: number): Uint8Array | null {
    const { path, dataOffset, byteLength, checksums } = this.layout;
    if (this.fd === null) return null;
    const end = Math.min(byteLength, offset + length);
    if (offset < 0 || offset >= end) return new Uint8Array(0);
    const firstBlock = Math.floor(offset / SNAPSHOT_BLOCK_BYTES);
    const blocksEnd = Math.min(byteLength, Math.ceil(end / SNAPSHOT_BLOCK_BYTES) * SNAPSHOT_BLOCK_BYTES);
    const start = firstBlock * SNAPSHOT_BLOCK_BYTES;
    const buffer = Buffer.allocUnsafe(blocksEnd - start);
    try {
      let filled = 0;
      while (filled < buffer.byteLength) {
        const read = readSync(this.fd, buffer, filled, buffer.byteLength - filled, dataOffset + start + filled);
        if (read === 0) throw new StorageCorruptionError(path, dataOffset + start + filled, 'snapshot file ends early');
        filled += read;
      }
      for (let block = firstBlock; block * SNAPSHOT_BLOCK_BYTES < blocksEnd; block++) {
        const at = block * SNAPSHOT_BLOCK_BYTES - start;
        if (crc32(buffer.subarray(at, at + SNAPSHOT_BLOCK_BYTES)) !== checksums[block]) {
          throw new StorageCorruptionError(path, dataOffset + start + at, `snapshot block ${block} checksum mismatch`);
        }
      }
    } catch (error) {
      this.onReadError(error instanceof Error ? error : new Error(String(error)));
      return null;
    }
    return buffer.subarray(offset - start, end - start);
  }

  /** Closes the file; later reads return null. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}
