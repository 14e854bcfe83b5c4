/**
 * Goal: group commit. Many `sync()` calls share one flush with one `datasync`, calls made
 * while a flush runs are coalesced into the next one, and no caller is resolved before its
 * entries were written and synced. Plain record writes queued during a flush of plain record
 * writes start beside it, yet every sync still resolves in call order and after everything
 * before it; a term change queued during a flush waits for it.
 * Method: count real disk calls through `DurableLog.stats()` (never timing), then reopen
 * to check that everything acknowledged is there. Also a tiny smoke run of the fsync probe.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HardState } from '../../src/core/types';
import type { DurableLog } from '../../src/storage/durable-log';
import { measureFsyncRate } from '../../src/storage/fsync-probe';
import { entry, makeDir, openLoaded, removeDir } from './helpers';

let dir: string;
beforeEach(async () => {
  dir = await makeDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('group commit', () => {
  it('makes 100 concurrent sync() calls durable with one write and one datasync', async () => {
    const { log } = await openLoaded(dir);
    const before = log.stats();
    const pending: Promise<void>[] = [];
    for (let index = 1; index <= 100; index += 1) {
      log.append([entry(index)]);
      pending.push(log.sync());
    }
    await Promise.all(pending);
    const after = log.stats();
    expect(after.flushes - before.flushes).toBe(1);
    expect(after.segmentWrites - before.segmentWrites).toBe(1);
    expect(after.segmentDatasyncs - before.segmentDatasyncs).toBe(1);
    expect(after.recordsWritten).toBe(100);
    // A sync with nothing buffered costs nothing.
    await log.sync();
    expect(log.stats().flushes).toBe(after.flushes);
    await log.close();
  });

  it('coalesces syncs issued during a flush into the next one', async () => {
    const { log } = await openLoaded(dir);
    const writers = 40;
    const rounds = 10;
    let next = 1;
    let syncCalls = 0;
    const early: number[] = [];
    const writer = async (): Promise<void> => {
      for (let round = 0; round < rounds; round += 1) {
        const index = next;
        next += 1;
        log.append([entry(index)]);
        syncCalls += 1;
        await log.sync();
        // Records are written in index order, so this one must be among those written.
        if (log.stats().recordsWritten < index) early.push(index);
      }
    };
    await Promise.all(Array.from({ length: writers }, writer));
    const stats = log.stats();
    expect(early).toEqual([]);
    expect(syncCalls).toBe(writers * rounds);
    expect(stats.recordsWritten).toBe(writers * rounds);
    // Each round of writers shares one flush (plus at most one straggler per round).
    expect(stats.flushes).toBeLessThanOrEqual(2 * rounds);
    expect(stats.segmentDatasyncs).toBe(stats.flushes);
    await log.close();

    const reopened = await openLoaded(dir);
    expect(reopened.state.entries.map((item) => item.index)).toEqual(
      Array.from({ length: writers * rounds }, (_, i) => i + 1),
    );
    await reopened.log.close();
  });

  it('syncs each touched segment once per flush, even when the flush rolls segments', async () => {
    const { log } = await openLoaded(dir, { segmentBytes: 256 });
    for (let index = 1; index <= 10; index += 1) log.append([entry(index)]);
    await log.sync();
    const stats = log.stats();
    expect(stats.flushes).toBe(1);
    expect(stats.segmentWrites).toBe(2);
    expect(stats.segmentDatasyncs).toBe(2);
    await log.close();
  });
});

describe('flushes beside a running one', () => {
  interface Pace {
    /** The first index to append. */
    readonly from: number;
    /** Stops once this holds (or after 10 s). */
    readonly until: () => boolean;
    /** Term of each entry (non-decreasing). */
    readonly termOf?: (index: number) => number;
    /** The hard state to set before each sync, if any. */
    readonly hardStateOf?: (index: number) => HardState;
  }

  /** Appends one entry per turn of the event loop and syncs it; the indexes in resolution order. */
  async function syncEachTurn(log: DurableLog, pace: Pace): Promise<number[]> {
    const resolved: number[] = [];
    const pending: Promise<void>[] = [];
    const giveUpAt = Date.now() + 10_000;
    for (let index = pace.from; !pace.until() && Date.now() < giveUpAt; index += 1) {
      log.append([entry(index, pace.termOf?.(index) ?? 1)]);
      const hardState = pace.hardStateOf?.(index);
      if (hardState !== undefined) log.setHardState(hardState);
      pending.push(log.sync().then(() => void resolved.push(index)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    return resolved;
  }

  /**
   * Syncs from index 1 until one sync started beside a running flush. The log must write the
   * hard state on every flush (`commitPersistIntervalFlushes: 1`); with the commit moving each
   * time, a flush takes longer than a record write, so one to start beside comes soon, and the
   * write started beside it finishes first and must still wait.
   */
  function syncUntilOverlapped(log: DurableLog): Promise<number[]> {
    return syncEachTurn(log, {
      from: 1,
      until: () => log.stats().overlappedFlushes > 0,
      hardStateOf: (index) => ({ term: 1, vote: null, commit: index - 1 }),
    });
  }

  it('start beside a running flush of record writes, and resolve in call order after it', async () => {
    const { log } = await openLoaded(dir, { commitPersistIntervalFlushes: 1 });
    const resolved = await syncUntilOverlapped(log);
    expect(log.stats().overlappedFlushes).toBeGreaterThan(0);
    expect(resolved).toEqual(Array.from({ length: resolved.length }, (_, i) => i + 1));
    // A close while a flush of record writes runs goes through the lane, which writes the
    // commit index, instead of starting beside it.
    const last = resolved.length + 2;
    log.append([entry(last - 1)]);
    const running = log.sync();
    for (let turn = 0; turn < 3; turn += 1) await new Promise<void>((resolve) => queueMicrotask(resolve));
    log.append([entry(last)]);
    log.setHardState({ term: 1, vote: null, commit: last });
    const overlappedBefore = log.stats().overlappedFlushes;
    await log.close();
    await running;
    expect(log.stats().overlappedFlushes).toBe(overlappedBefore);
    const reopened = await openLoaded(dir);
    expect(reopened.state.entries.map((item) => item.index)).toEqual([...resolved, last - 1, last]);
    expect(reopened.state.hardState.commit).toBe(last);
    await reopened.log.close();
  });

  it('never start beside a flush when a term change must become durable', async () => {
    const { log } = await openLoaded(dir, { commitPersistIntervalFlushes: 1 });
    const control = await syncUntilOverlapped(log);
    const overlapped = log.stats().overlappedFlushes;
    expect(overlapped).toBeGreaterThan(0);
    // The same pace for as many flushes again, but every entry comes with a new term.
    const from = control.length + 1;
    const flushes = log.stats().flushes;
    const terms = await syncEachTurn(log, {
      from,
      until: () => log.stats().flushes >= 2 * flushes + 10,
      termOf: (index) => index,
      hardStateOf: (index) => ({ term: index, vote: null, commit: 0 }),
    });
    expect(log.stats().overlappedFlushes).toBe(overlapped);
    await log.close();
    const reopened = await openLoaded(dir);
    expect(reopened.state.hardState.term).toBe(from + terms.length - 1);
    await reopened.log.close();
  });
});

describe('fsync probe', () => {
  it('reports records and fsyncs per second for a tiny run', async () => {
    const result = await measureFsyncRate(dir, { records: 64, batch: 16, bytes: 128 });
    expect(result.records).toBe(64);
    expect(result.fsyncs).toBe(4);
    expect(result.recordsPerSecond).toBeGreaterThan(0);
    expect(result.fsyncsPerSecond).toBeGreaterThan(0);
  });
});
