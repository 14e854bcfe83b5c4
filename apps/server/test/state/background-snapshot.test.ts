/**
 * Goal: a snapshot serialised slice by slice while entries keep applying holds exactly the
 * state at the moment it was begun — every later create, delete, set, failed multi (undone),
 * session close (ephemerals removed) and sweep is invisible to it — and restores to that state.
 * Method: a seeded random command stream over a tree of a few hundred paths. At several points
 * the test takes the bytes at once (`snapshotNow`), begins a sliced snapshot, and applies one
 * or more entries between every slice of one or a few nodes; the sliced bytes must equal the
 * bytes taken at once. Also: `snapshot()` (driven by the event loop) equals `snapshotNow()` on a
 * tree large enough to need many slices, and a restore abandons a snapshot in progress.
 */
import { mulberry32 } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { CoordinationStateMachine, encodeCommand } from '../../src';
import { commandStream, entry, widePaths } from './command-stream';
import { bytes, Harness } from './harness';

describe('snapshots taken while entries apply', () => {
  for (const seed of [1, 7, 99, 2026]) {
    it(`seed ${seed}: every sliced snapshot equals the state when it began`, () => {
      const payloads = commandStream(seed, 6_000, widePaths());
      const next = mulberry32(seed);
      const machine = new CoordinationStateMachine();
      let index = 0;
      const applyNext = (): void => {
        const data = payloads[index];
        if (data === undefined) throw new Error(`seed ${seed}: the stream ran out`);
        index += 1;
        machine.apply(entry(index, data));
      };
      let compared = 0;
      let appliedDuring = 0;
      while (index < payloads.length - 1_000) {
        for (let i = 0; i < 300; i++) applyNext();
        const expected = machine.snapshotNow();
        const writer = machine.beginSnapshot();
        let done = false;
        while (!done) {
          const applies = Math.floor(next() * 4);
          for (let i = 0; i < applies; i++) applyNext();
          appliedDuring += applies;
          done = writer.step(1 + Math.floor(next() * 3));
        }
        const sliced = Buffer.concat(writer.finish());
        expect(Buffer.from(sliced).equals(Buffer.from(expected)), `seed ${seed} at ${index}`).toBe(true);
        const restored = new CoordinationStateMachine();
        restored.restore(sliced);
        expect(restored.snapshotNow()).toEqual(expected);
        compared += 1;
      }
      // The tree must be big enough that entries really land between slices.
      expect(compared).toBeGreaterThan(5);
      expect(appliedDuring).toBeGreaterThan(100);
      expect(machine.nodeCount).toBeGreaterThan(30);
    });
  }

  it('finish hands the bytes as the chunks written, and stepping past the end adds nothing', () => {
    const machine = new CoordinationStateMachine();
    for (let i = 1; i <= 50; i++) {
      const path = `/n${i}`;
      machine.apply(
        entry(
          i,
          encodeCommand({ type: 'create', sessionId: null, time: i, path, data: bytes(path), mode: 'persistent' }),
        ),
      );
    }
    const expected = machine.snapshotNow();
    const writer = machine.beginSnapshot();
    // The loop `snapshot()` runs.
    let rounds = 0;
    while (!writer.step(3)) rounds++;
    expect(rounds).toBeGreaterThan(10);
    expect(writer.step(3)).toBe(true);
    const parts = writer.finish();
    expect(parts.length).toBeGreaterThan(10);
    expect(Buffer.concat(parts)).toEqual(expected);
  });

  it('snapshot() on a large tree equals snapshotNow() taken when it began', async () => {
    const machine = new CoordinationStateMachine();
    let index = 0;
    const create = (path: string) =>
      machine.apply(
        entry(
          ++index,
          encodeCommand({ type: 'create', sessionId: null, time: index, path, data: bytes(path), mode: 'persistent' }),
        ),
      );
    for (let p = 0; p < 20; p++) {
      create(`/p${p}`);
      for (let c = 0; c < 1_000; c++) create(`/p${p}/c${c}`);
    }
    const expected = machine.snapshotNow();
    const pending = machine.snapshot();
    // Changes made on later event-loop turns, while the slices are written.
    let turns = 0;
    let finished = false;
    void pending.then(() => {
      finished = true;
    });
    while (!finished) {
      await new Promise((resolve) => setImmediate(resolve));
      create(`/p0/late${turns++}`);
    }
    expect(Buffer.concat(await pending).equals(Buffer.from(expected))).toBe(true);
    expect(turns).toBeGreaterThan(1);
  });

  it('a node deleted and created again at the same path while a snapshot runs is written as it was', () => {
    const h = new Harness();
    h.create('/a', { data: 'a' });
    h.create('/a/x', { data: 'old x' });
    h.create('/a/y', { data: 'old y' });
    h.create('/a/y/z', { data: 'old z' });
    h.create('/b', { data: 'b' });
    const expected = h.machine.snapshotNow();
    const writer = h.machine.beginSnapshot();
    // Before the walk reaches them: a leaf, and a parent with its child, deleted and created anew
    // (new nodes at old paths, with other data), and their parent's data changed.
    h.delete('/a/x');
    h.create('/a/x', { data: 'new x' });
    h.delete('/a/y/z');
    h.delete('/a/y');
    h.create('/a/y', { data: 'new y' });
    h.create('/a/y/z', { data: 'new z' });
    h.create('/a/y/w', { data: 'new w' });
    h.set('/b', 'b2');
    while (!writer.step(1));
    expect(Buffer.concat(writer.finish()).equals(Buffer.from(expected))).toBe(true);
  });

  it('directories a client listed are written from the sorted listing, changed ones as they were', () => {
    const h = new Harness();
    for (const dir of ['/big', '/small', '/changed']) h.create(dir);
    // Not in creation order, so names handed out unsorted would show.
    for (let i = 2_999; i >= 0; i--) h.create(`/big/n${i}`);
    for (const name of ['c', 'a', 'b']) {
      h.create(`/small/${name}`);
      h.create(`/changed/${name}`);
    }
    // Taken before any listing, so the tree has no sorted names to offer: every directory sorted.
    const expected = h.machine.snapshotNow();
    for (const dir of ['/', '/big', '/small', '/changed']) h.machine.children(dir);
    expect(Buffer.from(h.machine.snapshotNow()).equals(Buffer.from(expected))).toBe(true);
    const writer = h.machine.beginSnapshot();
    writer.step(2);
    h.create('/changed/0');
    h.delete('/changed/b');
    h.machine.children('/changed');
    h.create('/late');
    while (!writer.step(50));
    expect(Buffer.concat(writer.finish()).equals(Buffer.from(expected))).toBe(true);
  });

  it('a restore while a snapshot is in progress abandons it with a typed error', async () => {
    const machine = new CoordinationStateMachine();
    const other = new CoordinationStateMachine();
    for (let i = 1; i <= 2_000; i++) {
      const command = encodeCommand({
        type: 'create',
        sessionId: null,
        time: i,
        path: `/n${i}`,
        data: bytes('x'),
        mode: 'persistent',
      });
      machine.apply(entry(i, command));
    }
    const writer = machine.beginSnapshot();
    writer.step(10);
    machine.restore(other.snapshotNow());
    expect(() => writer.step(10)).toThrow(expect.objectContaining({ code: 'CAPTURE_ABORTED' }));
    writer.close();
    expect(machine.nodeCount).toBe(1);
  });
});
