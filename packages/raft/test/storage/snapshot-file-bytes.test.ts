/**
 * Goal: the durable log serves the newest stored snapshot's bytes back from its file exactly as
 * they were saved (any range, across blocks, after a reopen, after a newer snapshot deleted the
 * file), never hands out a block damaged on disk, and serves nothing but the newest snapshot.
 * Method: real files in a temp dir; snapshots of a few blocks of seeded bytes; damage is a
 * flipped byte written into the file.
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/core/types';
import { mulberry32 } from '../../src/sim/prng';
import { StorageCorruptionError } from '../../src/storage/errors';
import { SNAPSHOT_BLOCK_BYTES } from '../../src/storage/snapshot-file-bytes';
import { makeDir, openLoaded, removeDir } from './helpers';

const conf = { voters: ['a'], learners: [] };

function snapshotOf(index: number, bytes: number, seed = index): Snapshot {
  const random = mulberry32(seed);
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = Math.floor(random() * 256);
  return { meta: { index, term: 1, conf }, data };
}

let dir: string;
beforeEach(async () => {
  dir = await makeDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const noErrors = (error: Error) => {
  throw error;
};

/** Where two byte ranges first differ (-1 if they are equal): a megabyte compared element by element is slow. */
function firstDifference(actual: Uint8Array | null, expected: Uint8Array): number {
  if (actual === null) return 0;
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected)) return -1;
  const length = Math.min(actual.byteLength, expected.byteLength);
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i;
  return length;
}

describe('durable log - serving a stored snapshot from its file', () => {
  it('stores a snapshot given as chunks as the same file, and serves it with the same checksums', async () => {
    const snapshot = snapshotOf(10, 3 * SNAPSHOT_BLOCK_BYTES + 4_321);
    const joined = await openLoaded(join(dir, 'joined'));
    await joined.log.saveSnapshot(snapshot);
    const chunked = await openLoaded(join(dir, 'chunked'));
    // Cuts inside blocks, on a block's edge, past a write's 4 MiB, and empty chunks.
    const data = snapshot.data;
    const cuts = [
      0,
      1,
      1,
      70_000,
      SNAPSHOT_BLOCK_BYTES,
      SNAPSHOT_BLOCK_BYTES + 3,
      3 * SNAPSHOT_BLOCK_BYTES + 9,
      data.byteLength,
    ];
    await chunked.log.saveSnapshotChunks(
      snapshot.meta,
      cuts.slice(1).map((end, i) => data.subarray(cuts[i], end)),
    );
    const name = (await readdir(join(dir, 'joined', 'snapshots')))[0] as string;
    const fileOf = (at: string) => readFile(join(dir, at, 'snapshots', name));
    expect((await fileOf('chunked')).equals(await fileOf('joined'))).toBe(true);
    const bytes = chunked.log.serveSnapshot(snapshot.meta, noErrors);
    expect(bytes).not.toBeNull();
    if (bytes === null) return;
    // Every block is checked against the checksum taken while writing.
    expect(firstDifference(bytes.read(0, data.byteLength), data)).toBe(-1);
    bytes.close();
    await joined.log.close();
    await chunked.log.close();
  });

  it('reads back any range of the saved bytes, across blocks and at the end', async () => {
    const { log } = await openLoaded(dir);
    const snapshot = snapshotOf(10, 2 * SNAPSHOT_BLOCK_BYTES + 12_345);
    await log.saveSnapshot(snapshot);
    const bytes = log.serveSnapshot(snapshot.meta, noErrors);
    expect(bytes).not.toBeNull();
    if (bytes === null) return;
    expect(bytes.byteLength).toBe(snapshot.data.byteLength);
    const ranges: [number, number][] = [
      [0, SNAPSHOT_BLOCK_BYTES],
      [SNAPSHOT_BLOCK_BYTES, SNAPSHOT_BLOCK_BYTES],
      [2 * SNAPSHOT_BLOCK_BYTES, SNAPSHOT_BLOCK_BYTES],
      [SNAPSHOT_BLOCK_BYTES - 100, 300],
      [5, 2 * SNAPSHOT_BLOCK_BYTES + 1_000],
      [snapshot.data.byteLength - 1, 10],
    ];
    for (const [offset, length] of ranges) {
      expect(firstDifference(bytes.read(offset, length), snapshot.data.subarray(offset, offset + length))).toBe(-1);
    }
    expect(bytes.read(snapshot.data.byteLength, 10)?.byteLength).toBe(0);
    bytes.close();
    expect(bytes.read(0, 10)).toBeNull();
    await log.close();
  });

  it('serves the newest snapshot after a reopen, and only the newest', async () => {
    const first = await openLoaded(dir);
    const older = snapshotOf(10, 1_000);
    const newer = snapshotOf(20, SNAPSHOT_BLOCK_BYTES + 1);
    await first.log.saveSnapshot(older);
    await first.log.saveSnapshot(newer);
    expect(first.log.serveSnapshot(older.meta, noErrors)).toBeNull();
    await first.log.close();

    const { log, state } = await openLoaded(dir);
    expect(state.snapshot?.meta.index).toBe(20);
    expect(log.serveSnapshot(older.meta, noErrors)).toBeNull();
    expect(log.serveSnapshot({ ...newer.meta, term: 2 }, noErrors)).toBeNull();
    const bytes = log.serveSnapshot(newer.meta, noErrors);
    expect(firstDifference(bytes?.read(0, newer.data.byteLength) ?? null, newer.data)).toBe(-1);
    bytes?.close();
    await log.close();
    // A closed log serves nothing.
    expect(log.serveSnapshot(newer.meta, noErrors)).toBeNull();
  });

  it('keeps serving bytes whose file a newer snapshot deleted', async () => {
    const { log } = await openLoaded(dir);
    const first = snapshotOf(10, SNAPSHOT_BLOCK_BYTES + 500);
    await log.saveSnapshot(first);
    const bytes = log.serveSnapshot(first.meta, noErrors);
    // Two snapshots are retained by default: the third save deletes the first file.
    await log.saveSnapshot(snapshotOf(20, 100));
    await log.saveSnapshot(snapshotOf(30, 100));
    const names = await readdir(join(dir, 'snapshots'));
    expect(names.some((name) => name.startsWith(String(10).padStart(20, '0')))).toBe(false);
    expect(firstDifference(bytes?.read(0, first.data.byteLength) ?? null, first.data)).toBe(-1);
    bytes?.close();
    await log.close();
  });

  it('never returns a block damaged on disk, and reports it', async () => {
    const { log } = await openLoaded(dir);
    const snapshot = snapshotOf(10, 2 * SNAPSHOT_BLOCK_BYTES);
    await log.saveSnapshot(snapshot);
    const errors: Error[] = [];
    const bytes = log.serveSnapshot(snapshot.meta, (error) => errors.push(error));
    expect(bytes).not.toBeNull();
    if (bytes === null) return;

    const [name] = await readdir(join(dir, 'snapshots'));
    const path = join(dir, 'snapshots', name ?? '');
    expect(existsSync(path)).toBe(true);
    const file = await open(path, 'r+');
    const { size } = await file.stat();
    // The data is the file's tail: flip a byte in the middle of the second block.
    const at = size - SNAPSHOT_BLOCK_BYTES / 2;
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await file.write(byte, 0, 1, at);
    await file.close();

    expect(firstDifference(bytes.read(0, SNAPSHOT_BLOCK_BYTES), snapshot.data.subarray(0, SNAPSHOT_BLOCK_BYTES))).toBe(
      -1,
    );
    expect(errors).toEqual([]);
    expect(bytes.read(SNAPSHOT_BLOCK_BYTES, SNAPSHOT_BLOCK_BYTES)).toBeNull();
    expect(bytes.read(SNAPSHOT_BLOCK_BYTES - 10, 20)).toBeNull();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(StorageCorruptionError);
    expect(errors[0]?.message).toMatch(/block 1 checksum/);
    bytes.close();
    await log.close();
  });
});
