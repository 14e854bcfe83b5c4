/** Shared fixtures for the durable log tests: temp directories and entry builders. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Entry, EntryType } from '../../src/core/types';
import { DurableLog, type DurableLogOptions } from '../../src/storage/durable-log';

/** A fresh temp directory; remove it with `removeDir`. */
export function makeDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'keel-storage-'));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** An entry whose payload encodes its index and term, so that mix-ups show. */
export function entry(index: number, term = 1, bytes = 16): Entry {
  const data = Buffer.alloc(bytes, index % 251);
  data.write(`${index}@${term}`.slice(0, bytes));
  return { index, term, type: EntryType.Normal, data: new Uint8Array(data) };
}

export function entries(from: number, to: number, term = 1, bytes = 16): Entry[] {
  const list: Entry[] = [];
  for (let index = from; index <= to; index += 1) list.push(entry(index, term, bytes));
  return list;
}

/** Opens and loads a log in `dir`. */
export async function openLoaded(dir: string, options: DurableLogOptions = {}) {
  const log = await DurableLog.open(dir, options);
  const state = await log.load();
  return { log, state };
}

/** Segment file names in order. */
export async function segmentNames(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'log'))).filter((name) => name.endsWith('.seg')).sort();
}

/** Compares entries by index, term, type and payload bytes. */
export function summary(list: readonly Entry[]): string[] {
  return list.map((item) => `${item.index}/${item.term}/${item.type}/${Buffer.from(item.data).toString('hex')}`);
}
