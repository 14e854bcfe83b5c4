/**
 * Goal: the zeros the log writes ahead of its records (so that a record write overwrites
 * allocated blocks instead of growing the file) never change what the log holds. They are
 * written once per run, not per flush; a segment the log rolls past and a closed log lose
 * them; a copy of the directory taken while the log is open (what a crash leaves) reopens
 * with every synced entry and appends over the zeros; zeros after the records of a segment
 * that is not the last read as its end; a final record that reached only some of its sectors
 * is a torn write, while a flipped bit in a final record followed by zeros is damage; a hole
 * of zeros before intact records (a write started beside a flush finished, the flush did not)
 * is cut at the hole.
 * Method: a real log on real files; crash states are copies of the open log's directory
 * (without its LOCK file), edited by hand.
 */
import { cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry } from '../../src/core/types';
import { StorageCorruptionError } from '../../src/storage/errors';
import { PREALLOCATE_BYTES } from '../../src/storage/limits';
import { RECORD_HEADER_BYTES } from '../../src/storage/record';
import { entries, makeDir, openLoaded, removeDir, segmentNames, summary } from './helpers';

let dir: string;
let crashed: string;
beforeEach(async () => {
  dir = await makeDir();
  crashed = await makeDir();
});
afterEach(async () => {
  await removeDir(dir);
  await removeDir(crashed);
});

/** What a crash of the process holding `dir` open would leave: its files as they are now. */
async function crashCopy(): Promise<string> {
  await rm(crashed, { recursive: true, force: true });
  await cp(dir, crashed, { recursive: true, filter: (source) => !source.endsWith('LOCK') });
  return crashed;
}

async function segmentPath(at: string, position: number): Promise<string> {
  const names = await segmentNames(at);
  return join(at, 'log', names.at(position) ?? '');
}

/**
 * Writes and syncs `written` in a fresh log, and returns the last segment of a crash copy taken
 * while the log was open, with its bytes, for a test to damage and write back.
 */
async function crashedSegment(written: Entry[]): Promise<{ copy: string; path: string; bytes: Buffer }> {
  const { log } = await openLoaded(dir);
  log.append(written);
  await log.sync();
  const copy = await crashCopy();
  await log.close();
  const path = await segmentPath(copy, -1);
  return { copy, path, bytes: await readFile(path) };
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

describe('durable log - zeros written ahead', () => {
  it('writes them once, not per flush, and cuts them off on close', async () => {
    const { log } = await openLoaded(dir);
    log.append(entries(1, 10));
    await log.sync();
    log.append(entries(11, 20));
    await log.sync();
    expect(log.stats().preallocations).toBe(1);
    const path = await segmentPath(dir, -1);
    const recordsBytes = 20 * (RECORD_HEADER_BYTES + 16);
    const open = await readFile(path);
    expect(open.length).toBe(PREALLOCATE_BYTES);
    expect(isZero(open.subarray(recordsBytes))).toBe(true);
    await log.close();
    expect((await stat(path)).size).toBe(recordsBytes);
  });

  it('a crash copy reopens with every synced entry and appends over the zeros', async () => {
    const { log } = await openLoaded(dir);
    log.append(entries(1, 30));
    await log.sync();
    const copy = await crashCopy();
    await log.close();

    const reopened = await openLoaded(copy);
    expect(summary(reopened.state.entries)).toEqual(summary(entries(1, 30)));
    reopened.log.append(entries(31, 40, 2));
    await reopened.log.sync();
    expect(reopened.log.stats().preallocations).toBe(0);
    await reopened.log.close();
    const again = await openLoaded(copy);
    expect(summary(again.state.entries)).toEqual(summary([...entries(1, 30), ...entries(31, 40, 2)]));
    await again.log.close();
  });

  it('cuts the zeros off a segment it rolls past, and reads zeros after a rolled segment as its end', async () => {
    const options = { segmentBytes: 4096 };
    const record = RECORD_HEADER_BYTES + 1000;
    const { log } = await openLoaded(dir, options);
    log.append(entries(1, 3, 1, 1000));
    await log.sync();
    expect((await stat(await segmentPath(dir, 0))).size).toBe(4096);
    log.append(entries(4, 6, 1, 1000));
    await log.sync();
    expect((await stat(await segmentPath(dir, 0))).size).toBe(3 * record);
    expect((await stat(await segmentPath(dir, 1))).size).toBe(4096);
    await log.close();

    // A crash between the roll and the cut leaves zeros after the first segment's records.
    const first = await segmentPath(dir, 0);
    await writeFile(first, Buffer.concat([await readFile(first), Buffer.alloc(4096 - 3 * record)]));
    const reopened = await openLoaded(dir, options);
    expect(summary(reopened.state.entries)).toEqual(summary(entries(1, 6, 1, 1000)));
    await reopened.log.close();
  });

  it('drops a final record that reached only some of its sectors', async () => {
    const { copy, path, bytes } = await crashedSegment(entries(1, 3, 1, 1500));
    const record = RECORD_HEADER_BYTES + 1500;
    // Record 3 starts at 2 * record = 3050 and spans sectors 5 to 8; its write missed sector 7.
    bytes.fill(0, 7 * 512, 8 * 512);
    await writeFile(path, bytes);
    const reopened = await openLoaded(copy);
    expect(summary(reopened.state.entries)).toEqual(summary(entries(1, 2, 1, 1500)));
    expect((await stat(path)).size).toBe(2 * record);
    await reopened.log.close();
  });

  it('refuses a flipped bit in a final record followed by zeros', async () => {
    const { copy, path, bytes } = await crashedSegment(entries(1, 3, 1, 100));
    const at = 2 * (RECORD_HEADER_BYTES + 100) + RECORD_HEADER_BYTES + 7;
    bytes[at] = (bytes[at] ?? 0) ^ 0x04;
    await writeFile(path, bytes);
    const reopened = await import('../../src/storage/durable-log').then(({ DurableLog }) => DurableLog.open(copy));
    await expect(reopened.load()).rejects.toBeInstanceOf(StorageCorruptionError);
    await reopened.close();
  });

  it('cuts the log at a hole of zeros that intact records follow', async () => {
    const { copy, path, bytes } = await crashedSegment(entries(1, 6, 1, 600));
    const record = RECORD_HEADER_BYTES + 600;
    // Records 4 and 5 never reached the disk; record 6, written beside them, did.
    bytes.fill(0, 3 * record, 5 * record);
    await writeFile(path, bytes);
    const reopened = await openLoaded(copy);
    expect(summary(reopened.state.entries)).toEqual(summary(entries(1, 3, 1, 600)));
    reopened.log.append(entries(4, 5, 2, 600));
    await reopened.log.sync();
    await reopened.log.close();
    const again = await openLoaded(copy);
    expect(summary(again.state.entries)).toEqual(summary([...entries(1, 3, 1, 600), ...entries(4, 5, 2, 600)]));
    await again.log.close();
  });
});
