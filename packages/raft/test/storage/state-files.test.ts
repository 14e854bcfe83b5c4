/**
 * Goal: the hard state and snapshots are replaced atomically and survive reopen; leftovers
 * of interrupted writes are ignored; snapshot install discards a log that does not contain
 * the snapshot; compaction deletes whole segments and never loses entries after the snapshot.
 * Method: real files in a temp dir, reopened with new `DurableLog` instances; crash leftovers
 * (torn temp files, an undeleted old log) are planted by hand.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/core/types';
import { StorageCorruptionError } from '../../src/storage/errors';
import { encodeSnapshot, snapshotFileName } from '../../src/storage/snapshot-file';
import { entries, makeDir, openLoaded, removeDir, segmentNames, summary } from './helpers';

const small = { segmentBytes: 256 };

function snapshot(index: number, term: number, text = `state@${index}`): Snapshot {
  return {
    meta: { index, term, conf: { voters: ['n1', 'n2', 'n3'], learners: ['n4'] } },
    data: new Uint8Array(Buffer.from(text)),
  };
}

let dir: string;
beforeEach(async () => {
  dir = await makeDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('hard state', () => {
  it('round trips term, vote and commit', async () => {
    const { log } = await openLoaded(dir);
    log.setHardState({ term: 3, vote: 'n2', commit: 0 });
    await log.sync();
    log.setHardState({ term: 4, vote: null, commit: 0 });
    await log.sync();
    await log.close();
    const reopened = await openLoaded(dir);
    expect(reopened.state.hardState).toEqual({ term: 4, vote: null, commit: 0 });
    await reopened.log.close();
  });

  it('writes commit-only changes lazily, and always on close', async () => {
    const { log } = await openLoaded(dir, { commitPersistIntervalFlushes: 3 });
    log.append(entries(1, 5));
    log.setHardState({ term: 1, vote: 'n1', commit: 1 });
    await log.sync();
    const afterVote = log.stats().fileFsyncs;
    log.setHardState({ term: 1, vote: 'n1', commit: 2 });
    await log.sync(); // nothing else buffered: no flush at all
    expect(log.stats().fileFsyncs).toBe(afterVote);
    log.append(entries(6, 6));
    log.setHardState({ term: 1, vote: 'n1', commit: 3 });
    await log.sync();
    expect(log.stats().fileFsyncs).toBe(afterVote);
    const hardStatePath = join(dir, 'hardstate');
    const before = await readFile(hardStatePath);
    log.setHardState({ term: 1, vote: 'n1', commit: 4 });
    await log.close();
    expect((await readFile(hardStatePath)).equals(before)).toBe(false);
    const reopened = await openLoaded(dir);
    expect(reopened.state.hardState).toEqual({ term: 1, vote: 'n1', commit: 4 });
    await reopened.log.close();
  });

  it('ignores a torn temp file and refuses a damaged hard state file', async () => {
    const first = await openLoaded(dir);
    first.log.setHardState({ term: 2, vote: 'n3', commit: 0 });
    await first.log.close();
    await writeFile(join(dir, 'hardstate.tmp'), Buffer.from([1, 2, 3]));
    const second = await openLoaded(dir);
    expect(second.state.hardState).toEqual({ term: 2, vote: 'n3', commit: 0 });
    await second.log.close();
    expect(await readdir(dir)).not.toContain('hardstate.tmp');

    const bytes = await readFile(join(dir, 'hardstate'));
    bytes[9] = (bytes[9] ?? 0) ^ 1;
    await writeFile(join(dir, 'hardstate'), bytes);
    const { DurableLog } = await import('../../src/storage/durable-log');
    const third = await DurableLog.open(dir);
    await expect(third.load()).rejects.toBeInstanceOf(StorageCorruptionError);
    await third.close();
  });
});

describe('snapshots', () => {
  it('saves and loads the newest snapshot, keeping two files', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 30, 1));
    await log.sync();
    for (const index of [10, 20, 25]) await log.saveSnapshot(snapshot(index, 1));
    await log.close();
    expect((await readdir(join(dir, 'snapshots'))).sort()).toEqual([
      snapshotFileName({ index: 20, term: 1 }),
      snapshotFileName({ index: 25, term: 1 }),
    ]);
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.snapshot?.meta).toEqual(snapshot(25, 1).meta);
    expect(Buffer.from(reopened.state.snapshot?.data ?? []).toString()).toBe('state@25');
    // The log still holds 1..30; only entries after the snapshot are returned.
    expect(reopened.state.entries.map((item) => item.index)).toEqual([26, 27, 28, 29, 30]);
    await reopened.log.close();
  });

  it('installing a snapshot not in the log discards the log; appends continue after it', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 10, 1));
    await log.sync();
    await log.saveSnapshot(snapshot(50, 3));
    expect(await segmentNames(dir)).toEqual([]);
    log.append(entries(51, 53, 3));
    await log.sync();
    await log.close();
    expect(await segmentNames(dir)).toEqual(['00000000000000000051.seg']);
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.snapshot?.meta.index).toBe(50);
    expect(summary(reopened.state.entries)).toEqual(summary(entries(51, 53, 3)));
    await reopened.log.close();
  });

  it('installing a snapshot whose index is in the log with another term discards the log', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 10, 1));
    await log.sync();
    await log.saveSnapshot(snapshot(8, 2));
    expect(() => log.append(entries(9, 9, 2))).not.toThrow();
    await log.close();
    const reopened = await openLoaded(dir, small);
    expect(summary(reopened.state.entries)).toEqual(summary(entries(9, 9, 2)));
    await reopened.log.close();
  });

  it('finishes an install that crashed before the old log was deleted', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 10, 1));
    await log.sync();
    await log.close();
    // The snapshot is durable but the old log is still there (crash mid-install).
    await writeFile(join(dir, 'snapshots', snapshotFileName({ index: 40, term: 4 })), encodeSnapshot(snapshot(40, 4)));
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.entries).toEqual([]);
    expect(await segmentNames(dir)).toEqual([]);
    reopened.log.append(entries(41, 41, 4));
    await reopened.log.close();
    const again = await openLoaded(dir, small);
    expect(again.state.entries.map((item) => item.index)).toEqual([41]);
    await again.log.close();
  });

  it('refuses a damaged newest snapshot', async () => {
    const { log } = await openLoaded(dir);
    log.append(entries(1, 5));
    await log.sync();
    await log.saveSnapshot(snapshot(5, 1));
    await log.close();
    const path = join(dir, 'snapshots', snapshotFileName({ index: 5, term: 1 }));
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 4;
    await writeFile(path, bytes);
    const { DurableLog } = await import('../../src/storage/durable-log');
    const reopened = await DurableLog.open(dir);
    await expect(reopened.load()).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', file: path });
    await reopened.close();
  });
  it('writes a snapshot while appends and syncs go on; the file matches the in-memory encoding', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 20, 1));
    await log.sync();
    // 9 MiB: more than two write chunks, so the crc is carried across chunks.
    const big: Snapshot = { meta: snapshot(20, 1).meta, data: new Uint8Array(9 * 1024 * 1024).map((_, i) => i * 7) };
    const saving = log.saveSnapshot(big);
    log.append(entries(21, 40, 1));
    await log.sync();
    log.append(entries(41, 45, 1));
    await Promise.all([saving, log.sync()]);
    await log.close();
    const file = await readFile(join(dir, 'snapshots', snapshotFileName(big.meta)));
    expect(file.equals(encodeSnapshot(big))).toBe(true);
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.snapshot?.meta.index).toBe(20);
    expect(reopened.state.entries.map((item) => item.index)).toEqual(entries(21, 45).map((item) => item.index));
    await reopened.log.close();
  });

  it('never lets a snapshot overtaken while it was written replace the newer one', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 30, 1));
    await log.sync();
    const older = log.saveSnapshot({ meta: snapshot(10, 1).meta, data: new Uint8Array(6 * 1024 * 1024) });
    await log.saveSnapshot(snapshot(25, 1));
    await older;
    await log.close();
    // Which write finishes first is up to the disk: the older one is either dropped or kept as the second newest.
    const files = await readdir(join(dir, 'snapshots'));
    expect(files).toContain(snapshotFileName({ index: 25, term: 1 }));
    expect(
      files.every(
        (name) =>
          name === snapshotFileName({ index: 10, term: 1 }) || name === snapshotFileName({ index: 25, term: 1 }),
      ),
    ).toBe(true);
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.snapshot?.meta.index).toBe(25);
    await reopened.log.close();
  });
});

describe('compaction', () => {
  it('deletes whole segments covered by the snapshot and survives reopen', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 20, 1));
    await log.sync();
    await log.saveSnapshot(snapshot(14, 1));
    await log.compact(14);
    // Segments 1..6 and 7..12 are covered; 13..18 holds 15..18 and stays.
    expect(await segmentNames(dir)).toEqual(['00000000000000000013.seg', '00000000000000000019.seg']);
    log.append(entries(21, 22, 1));
    await log.sync();
    await log.close();
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.entries.map((item) => item.index)).toEqual([15, 16, 17, 18, 19, 20, 21, 22]);
    await reopened.log.close();
  });

  it('keeps the active segment even when the snapshot covers it', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 8, 1));
    await log.sync();
    await log.saveSnapshot(snapshot(8, 1));
    await log.compact(8);
    expect(await segmentNames(dir)).toEqual(['00000000000000000007.seg']);
    log.append(entries(9, 9, 1));
    await log.close();
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.entries.map((item) => item.index)).toEqual([9]);
    await reopened.log.close();
  });
});
