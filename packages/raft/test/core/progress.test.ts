/**
 * Goal: per-peer replication progress and the inflight window behave as the leader relies on.
 * Method: table tests driving `Progress` and `Inflights` through acks, rejections and pauses.
 */
import { describe, expect, it } from 'vitest';
import { Inflights } from '../../src/core/inflights';
import { Progress } from '../../src/core/progress';
import { EntryType } from '../../src/core/types';

const entry = (index: number) => ({ index, term: 1, type: EntryType.Normal, data: new Uint8Array(0) });

describe('inflights', () => {
  it('fills up to capacity and frees by acknowledged index', () => {
    const inflights = new Inflights(3);
    inflights.add(5);
    inflights.add(7);
    inflights.add(9);
    expect(inflights.full()).toBe(true);
    expect(() => inflights.add(11)).toThrow();
    inflights.freeLE(7);
    expect(inflights.count).toBe(1);
    inflights.freeLE(3);
    expect(inflights.count).toBe(1);
    inflights.freeFirstOne();
    expect(inflights.count).toBe(0);
  });

  it('refuses indexes that do not ascend and zero capacity', () => {
    const inflights = new Inflights(2);
    inflights.add(5);
    expect(() => inflights.add(5)).toThrow();
    expect(() => new Inflights(0)).toThrow();
  });
});

describe('progress', () => {
  it('probe sends one append, then pauses until an answer', () => {
    const pr = new Progress(5, 4, false, true);
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries([entry(5)]);
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeUpdate(5)).toBe(true);
    expect(pr.isPaused()).toBe(false);
  });

  it('replicate pipelines optimistically and pauses on a full window', () => {
    const pr = new Progress(1, 2, false, true);
    pr.becomeReplicate();
    pr.sentEntries([entry(1), entry(2)]);
    pr.sentEntries([entry(3)]);
    expect(pr.next).toBe(4);
    expect(pr.isPaused()).toBe(true);
    pr.maybeUpdate(2);
    pr.inflights.freeLE(2);
    expect(pr.isPaused()).toBe(false);
  });

  it.each([
    // state, match, next, rejected, hint -> accepted, next
    ['probe', 0, 10, 9, 4, true, 5],
    ['probe', 0, 10, 9, 20, true, 9],
    ['probe', 0, 10, 7, 4, false, 10],
    ['probe', 6, 10, 9, 2, true, 7],
    ['replicate', 5, 10, 8, 1, true, 6],
    ['replicate', 5, 10, 5, 1, false, 10],
  ] as const)(
    'maybeDecrTo in %s (match %i next %i) rejected %i hint %i',
    (state, match, next, rejected, hint, ok, expectedNext) => {
      const pr = new Progress(next, 4, false, true);
      pr.match = match;
      if (state === 'replicate') {
        pr.state = 'replicate';
        pr.next = next;
      }
      expect(pr.maybeDecrTo(rejected, hint)).toBe(ok);
      expect(pr.next).toBe(expectedNext);
    },
  );

  it('snapshot state pauses appends and probes past the snapshot afterwards', () => {
    const pr = new Progress(3, 4, false, true);
    pr.becomeSnapshot(20, 2);
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeDecrTo(2, 0)).toBe(false);
    pr.becomeProbe();
    expect(pr.next).toBe(21);
  });
});
