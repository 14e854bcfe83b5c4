/**
 * Goal: the durable log keeps exactly what was synced across close and reopen, in every
 * layout the log can reach (several segments, conflict overwrites across a segment boundary,
 * appends after reopen), and refuses misuse with typed errors.
 * Method: real files in a temp dir; write through `DurableLog`, close, reopen with a new
 * instance and compare the loaded entries with the model of what should be there.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RecordTooLargeError,
  StorageClosedError,
  StorageFailedError,
  StorageMisuseError,
} from '../../src/storage/errors';
import { entries, entry, makeDir, openLoaded, removeDir, segmentNames, summary } from './helpers';

// 41-byte records (25 header + 16 payload): 256-byte segments hold 6 records.
const small = { segmentBytes: 256 };

let dir: string;
beforeEach(async () => {
  dir = await makeDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('durable log - round trip', () => {
  it('returns an empty state for a new directory', async () => {
    const { log, state } = await openLoaded(dir);
    expect(state).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
    await log.close();
  });

  it('keeps synced entries across reopen, over several segments', async () => {
    const written = [...entries(1, 20, 1), ...entries(21, 40, 2)];
    const first = await openLoaded(dir, small);
    first.log.append(written.slice(0, 13));
    await first.log.sync();
    first.log.append(written.slice(13));
    await first.log.sync();
    await first.log.close();

    const names = await segmentNames(dir);
    expect(names.length).toBe(7);
    expect(names[0]).toBe('00000000000000000001.seg');
    expect(names[1]).toBe('00000000000000000007.seg');
    for (const name of names) expect((await stat(join(dir, 'log', name))).size).toBeLessThanOrEqual(256);

    const second = await openLoaded(dir, small);
    expect(summary(second.state.entries)).toEqual(summary(written));
    second.log.append(entries(41, 45, 3));
    await second.log.sync();
    await second.log.close();

    const third = await openLoaded(dir, small);
    expect(summary(third.state.entries)).toEqual(summary([...written, ...entries(41, 45, 3)]));
    await third.log.close();
  });

  it('writes the record layout length | crc32 | term | index | type | payload', async () => {
    const { log } = await openLoaded(dir);
    log.append([{ index: 1, term: 7, type: 1, data: new Uint8Array([0xaa, 0xbb]) }]);
    await log.sync();
    await log.close();
    const bytes = await readFile(join(dir, 'log', '00000000000000000001.seg'));
    expect(bytes.length).toBe(27);
    expect(bytes.readUInt32LE(0)).toBe(2);
    expect(bytes.readUInt32LE(8)).toBe(7);
    expect(bytes.readUInt32LE(16)).toBe(1);
    expect(bytes[24]).toBe(1);
    expect([...bytes.subarray(25)]).toEqual([0xaa, 0xbb]);
    const { crc32 } = await import('node:zlib');
    expect(bytes.readUInt32LE(4)).toBe(crc32(bytes.subarray(8)));
  });

  it('close flushes entries that were appended but not synced', async () => {
    const { log } = await openLoaded(dir);
    log.append(entries(1, 3));
    await log.close();
    const reopened = await openLoaded(dir);
    expect(reopened.state.entries.map((item) => item.index)).toEqual([1, 2, 3]);
    await reopened.log.close();
  });
});

describe('durable log - conflicting suffix', () => {
  it('overwrites across a segment boundary and survives reopen', async () => {
    const first = await openLoaded(dir, small);
    first.log.append(entries(1, 20, 1));
    await first.log.sync();
    expect((await segmentNames(dir)).length).toBe(4);
    // Index 5 is in the first segment (1..6): segments 7.., 13.., 19.. must go.
    first.log.append(entries(5, 9, 2));
    await first.log.sync();
    expect(await segmentNames(dir)).toEqual(['00000000000000000001.seg', '00000000000000000007.seg']);
    await first.log.close();

    const second = await openLoaded(dir, small);
    const expected = [...entries(1, 4, 1), ...entries(5, 9, 2)];
    expect(summary(second.state.entries)).toEqual(summary(expected));
    second.log.append(entries(10, 14, 2));
    await second.log.sync();
    await second.log.close();

    const third = await openLoaded(dir, small);
    expect(summary(third.state.entries)).toEqual(summary([...expected, ...entries(10, 14, 2)]));
    await third.log.close();
  });

  it('overwrites at the first index of a segment and within unsynced entries', async () => {
    const first = await openLoaded(dir, small);
    first.log.append(entries(1, 12, 1));
    await first.log.sync();
    first.log.append(entries(7, 8, 2));
    first.log.append(entries(8, 9, 3)); // conflicts with entries still buffered
    await first.log.sync();
    await first.log.close();
    const second = await openLoaded(dir, small);
    const expected = [...entries(1, 6, 1), entry(7, 2), ...entries(8, 9, 3)];
    expect(summary(second.state.entries)).toEqual(summary(expected));
    await second.log.close();
  });
});

describe('durable log - misuse', () => {
  it('rejects gaps, appends below the snapshot, oversized records and use after close', async () => {
    const { log } = await openLoaded(dir, { recordBytesMax: 100 });
    expect(() => log.append([entry(2)])).toThrow(StorageMisuseError);
    expect(() => log.append([entry(1), entry(3)])).toThrow(StorageMisuseError);
    expect(() => log.append([entry(1, 2), entry(2, 1)])).toThrow(StorageMisuseError);
    let tooLarge: unknown;
    try {
      log.append([entry(1, 1, 101)]);
    } catch (error) {
      tooLarge = error;
    }
    expect(tooLarge).toBeInstanceOf(RecordTooLargeError);
    expect(tooLarge).toMatchObject({ code: 'STORAGE_RECORD_TOO_LARGE', bytes: 101, limit: 100 });
    log.append([entry(1, 1, 100)]);
    await log.sync();
    expect(() => log.compact(1)).toThrow(StorageMisuseError);
    await log.close();
    expect(() => log.append([entry(2)])).toThrow(StorageClosedError);
    await expect(log.sync()).rejects.toBeInstanceOf(StorageClosedError);
  });

  it('refuses writes before load and a second load', async () => {
    const { DurableLog } = await import('../../src/storage/durable-log');
    const log = await DurableLog.open(dir);
    expect(() => log.append([entry(1)])).toThrow(StorageMisuseError);
    await log.load();
    await expect(log.load()).rejects.toMatchObject({ code: 'STORAGE_MISUSE' });
    await log.close();
  });
});

describe('durable log - disk failure', () => {
  it('fails the sync and refuses all later writes once a flush failed', async () => {
    const { log } = await openLoaded(dir);
    log.append(entries(1, 2));
    await log.sync();
    // The log directory vanishing makes creating the next segment fail for real.
    await log.close();
    const reopened = await openLoaded(dir, { segmentBytes: 64 });
    await rm(join(dir, 'log'), { recursive: true });
    reopened.log.append(entries(3, 4));
    const failure = await reopened.log.sync().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StorageFailedError);
    expect(failure).toMatchObject({ code: 'STORAGE_FAILED' });
    expect(() => reopened.log.append(entries(5, 5))).toThrow(StorageFailedError);
    await expect(reopened.log.sync()).rejects.toBeInstanceOf(StorageFailedError);
    await reopened.log.close();
  });
});
