/**
 * Goal: recovery tells a torn tail (the interrupted last write, dropped) from damage to data
 * that was already durable (refused with the file and offset), and the log keeps working
 * after a tail was dropped.
 * Method: write a real log, then damage the files directly (truncate at every byte offset
 * inside the last record, flip bits, zero-fill, delete a segment) and reopen.
 */
import { open, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageCorruptionError } from '../../src/storage/errors';
import { RECORD_HEADER_BYTES } from '../../src/storage/record';
import { entries, makeDir, openLoaded, removeDir, segmentNames, summary } from './helpers';

const small = { segmentBytes: 256 };
const recordBytes = RECORD_HEADER_BYTES + 16;

let dir: string;
beforeEach(async () => {
  dir = await makeDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function writeLog(count: number): Promise<void> {
  const { log } = await openLoaded(dir, small);
  log.append(entries(1, count));
  await log.sync();
  await log.close();
}

async function lastSegmentPath(): Promise<string> {
  const names = await segmentNames(dir);
  return join(dir, 'log', names[names.length - 1] ?? '');
}

async function flipBit(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[offset] = (bytes[offset] ?? 0) ^ 0x10;
  await writeFile(path, bytes);
}

async function loadError(): Promise<StorageCorruptionError> {
  const { DurableLog } = await import('../../src/storage/durable-log');
  const log = await DurableLog.open(dir, small);
  const error = await log.load().then(
    () => null,
    (caught: unknown) => caught,
  );
  await log.close();
  expect(error).toBeInstanceOf(StorageCorruptionError);
  return error as StorageCorruptionError;
}

describe('recovery - torn tail', () => {
  it('drops the last record when the file is cut at any byte inside it, and appends again', async () => {
    // 8 records: segment 1 holds 1..6, segment 7 holds 7..8 (82 bytes).
    await writeLog(8);
    const path = await lastSegmentPath();
    const original = await readFile(path);
    expect(original.length).toBe(2 * recordBytes);
    for (let cut = recordBytes; cut < 2 * recordBytes; cut += 1) {
      await writeFile(path, original.subarray(0, cut));
      const { log, state } = await openLoaded(dir, small);
      expect(state.entries.map((item) => item.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect((await readFile(path)).length).toBe(recordBytes);
      log.append(entries(8, 9, 2));
      await log.sync();
      await log.close();
      const reopened = await openLoaded(dir, small);
      expect(summary(reopened.state.entries)).toEqual(summary([...entries(1, 7), ...entries(8, 9, 2)]));
      await reopened.log.close();
      await writeFile(path, original);
    }
  });

  it('treats a bad crc in the payload of the final record as torn', async () => {
    await writeLog(8);
    const path = await lastSegmentPath();
    await flipBit(path, recordBytes + RECORD_HEADER_BYTES + 3);
    const { log, state } = await openLoaded(dir, small);
    expect(state.entries.map((item) => item.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await log.close();
  });

  it('reads zeros over the final record (size extended, data lost) as the end of the log', async () => {
    await writeLog(8);
    const path = await lastSegmentPath();
    const handle = await open(path, 'r+');
    await handle.write(Buffer.alloc(recordBytes + 100), 0, recordBytes + 100, recordBytes);
    await handle.close();
    const { log, state } = await openLoaded(dir, small);
    expect(state.entries.map((item) => item.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await log.close();
  });

  it('keeps an empty last segment when its only record was torn', async () => {
    await writeLog(7);
    const path = await lastSegmentPath();
    await truncate(path, 10);
    const { log, state } = await openLoaded(dir, small);
    expect(state.entries.length).toBe(6);
    log.append(entries(7, 8, 2));
    await log.sync();
    await log.close();
    const reopened = await openLoaded(dir, small);
    expect(reopened.state.entries.map((item) => `${item.index}/${item.term}`).slice(5)).toEqual(['6/1', '7/2', '8/2']);
    await reopened.log.close();
  });
});

describe('recovery - corruption', () => {
  it('refuses a flipped bit in the middle of the log, naming file and offset', async () => {
    await writeLog(20);
    const path = join(dir, 'log', '00000000000000000007.seg');
    await flipBit(path, 2 * recordBytes + RECORD_HEADER_BYTES + 1);
    const error = await loadError();
    expect(error.code).toBe('STORAGE_CORRUPT');
    expect(error.file).toBe(path);
    expect(error.offset).toBe(2 * recordBytes);
    expect(error.message).toContain(path);
    expect(error.message).toContain(`offset ${2 * recordBytes}`);
  });

  it('refuses a bad crc in a record that is not the last of the last segment', async () => {
    await writeLog(10);
    const path = await lastSegmentPath(); // holds 7..10
    await flipBit(path, recordBytes + 20); // inside record 8's header
    const error = await loadError();
    expect(error.file).toBe(path);
    expect(error.offset).toBe(recordBytes);
  });

  it('refuses a short record at the end of a segment that is not the last', async () => {
    await writeLog(10);
    const path = join(dir, 'log', '00000000000000000001.seg');
    await truncate(path, 6 * recordBytes - 5);
    const error = await loadError();
    expect(error.file).toBe(path);
    expect(error.offset).toBe(5 * recordBytes);
  });

  it('refuses a gap between segments', async () => {
    await writeLog(20);
    await unlink(join(dir, 'log', '00000000000000000007.seg'));
    const error = await loadError();
    expect(error.file).toBe(join(dir, 'log', '00000000000000000013.seg'));
    expect(error.offset).toBe(0);
    expect(error.message).toContain('expected 7');
  });

  it('refuses a log that does not start at 1 without a snapshot', async () => {
    await writeLog(8);
    await unlink(join(dir, 'log', '00000000000000000001.seg'));
    const error = await loadError();
    expect(error.message).toContain('without a snapshot');
  });

  it('refuses a damaged final record at or below the durable commit index', async () => {
    const { log } = await openLoaded(dir, small);
    log.append(entries(1, 8));
    log.setHardState({ term: 1, vote: 'n1', commit: 8 });
    await log.sync();
    await log.close();
    const path = await lastSegmentPath();
    await flipBit(path, recordBytes + RECORD_HEADER_BYTES + 3);
    const error = await loadError();
    expect(error.file).toBe(path);
    expect(error.offset).toBe(recordBytes);
    expect(error.message).toContain('durable commit index 8');
  });
});
