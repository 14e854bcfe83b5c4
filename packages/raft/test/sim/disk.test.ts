/**
 * Goal: the simulated disk loses exactly what a real one may lose at power failure: synced
 * writes survive, unsynced writes survive only as an ordered prefix (entries may be torn,
 * hard state and snapshots are all or nothing), and appends replace a conflicting suffix.
 * Method: table-style checks on `SimDisk` with seeded crashes, over many seeds.
 */
import { describe, expect, it } from 'vitest';
import type { Entry, HardState } from '../../src/core/types';
import { SimDisk } from '../../src/sim/disk';
import { Prng } from '../../src/sim/prng';

const entry = (index: number, term: number): Entry => ({ index, term, type: 0, data: new Uint8Array([index]) });
const empty = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };
const terms = (disk: SimDisk) => disk.durable.entries.map((e) => `${e.index}/${e.term}`);

describe('sim - disk', () => {
  it('keeps synced writes and replaces a conflicting suffix', () => {
    const disk = new SimDisk(empty);
    disk.write({ kind: 'entries', entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    disk.sync();
    disk.write({ kind: 'entries', entries: [entry(2, 2)] });
    disk.sync();
    expect(terms(disk)).toEqual(['1/1', '2/2']);
    expect(disk.crash(new Prng(1), true)).toBe(0);
    expect(terms(disk)).toEqual(['1/1', '2/2']);
  });

  it('loses every unsynced write without torn writes', () => {
    const disk = new SimDisk(empty);
    disk.write({ kind: 'entries', entries: [entry(1, 1)] });
    disk.write({ kind: 'hardState', hardState: { term: 1, vote: 'n1', commit: 0 } });
    expect(disk.crash(new Prng(1), false)).toBe(1);
    expect(disk.durable.entries).toEqual([]);
    expect(disk.durable.hardState.term).toBe(0);
  });

  it('keeps only an ordered prefix of unsynced writes at a crash', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) {
      const disk = new SimDisk(empty);
      disk.write({ kind: 'entries', entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
      const hardState: HardState = { term: 1, vote: 'n2', commit: 3 };
      disk.write({ kind: 'hardState', hardState });
      disk.crash(new Prng(seed), true);
      const kept = disk.durable.entries.length;
      // The hard state (written after the entries) never survives without all of them.
      if (disk.durable.hardState.term === 1) expect(kept).toBe(3);
      expect(disk.durable.hardState === hardState || disk.durable.hardState.term === 0).toBe(true);
      outcomes.add(`${kept}:${disk.durable.hardState.term}`);
    }
    // Every prefix occurs: nothing, 1, 2 or 3 entries, and all entries plus the hard state.
    expect([...outcomes].sort()).toEqual(['0:0', '1:0', '2:0', '3:0', '3:1']);
  });

  it('installs a snapshot, keeping the log after it only when the log agrees', () => {
    const disk = new SimDisk(empty);
    disk.write({ kind: 'entries', entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    disk.sync();
    const conf = { voters: ['n1'], learners: [] };
    disk.saveSnapshot({ meta: { index: 2, term: 1, conf }, data: new Uint8Array() });
    expect(terms(disk)).toEqual(['3/1']);
    expect(disk.durable.covers(1, 9)).toBe(true);
    disk.write({ kind: 'snapshot', snapshot: { meta: { index: 5, term: 2, conf }, data: new Uint8Array() } });
    disk.sync();
    expect(terms(disk)).toEqual([]);
    expect(disk.durable.lastIndex).toBe(5);
  });
});
