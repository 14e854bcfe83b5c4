/**
 * Goal: snapshot → restore reproduces the state exactly, and a restored member behaves exactly
 * like one that applied the whole log (the property Raft snapshots rely on).
 * Method: compare snapshot bytes. A seeded random command stream (creates of every mode,
 * sets, deletes, multis, sessions opening and closing, sweeps, garbage payloads) is applied to
 * two state machines; one is snapshotted and restored into a fresh instance midway; both must
 * produce identical outcomes and end byte-identical. The seed is printed on failure to replay.
 */
import { describe, expect, it } from 'vitest';
import { CoordinationStateMachine, encodeCommand } from '../../src';
import { statOf } from '../../src/state/data-tree';
import { dataBytes } from '../../src/state/node-data';
import { decodeSnapshot } from '../../src/state/snapshot-format';
import { commandStream, entry, widePaths } from './command-stream';
import { bytes, Harness } from './harness';

describe('snapshot', () => {
  it('restore reproduces the snapshot bytes and replaces all previous state', () => {
    const h = new Harness();
    h.openSession('s1');
    h.create('/a', { data: 'one' });
    h.create('/a/e', { mode: 'ephemeral', session: 's1' });
    h.create('/t', { mode: 'persistent_ttl', ttlMs: 10 });
    h.create('/c', { mode: 'container' });
    const bytesBefore = h.machine.snapshotNow();

    const other = new CoordinationStateMachine();
    other.apply(
      entry(1, encodeCommand({ type: 'createSession', sessionId: 'zz', secret: 'x', timeoutMs: 1, time: 0 })),
    );
    other.restore(bytesBefore);
    expect(other.snapshotNow()).toEqual(bytesBefore);
    expect(other.session('zz')).toBeUndefined();
    expect(other.appliedRevision).toBe(h.machine.appliedRevision);
    expect(other.session('s1')?.ephemerals).toEqual(new Set(['/a/e']));
    expect(other.get('/a')?.stat).toEqual(h.stat('/a'));
  });

  it('a corrupt snapshot is refused and leaves the state as it was', () => {
    const h = new Harness();
    h.create('/a');
    const good = h.machine.snapshotNow();
    expect(() => h.machine.restore(good.subarray(0, good.length - 1))).toThrow(/corrupt snapshot/);
    expect(() => h.machine.restore(bytes('{'))).toThrow(/corrupt snapshot/);
    expect(h.machine.snapshotNow()).toEqual(good);
  });

  it('applying entries out of order is a programmer error', () => {
    const h = new Harness();
    h.create('/a');
    expect(() => h.machine.apply(entry(1, new Uint8Array(0)))).toThrow(/not after/);
  });

  for (const seed of [5, 7, 2027]) {
    it(`random stream (seed ${seed}): a snapshot, walking parent to child, finds what a lookup by path finds`, () => {
      // Parents hold their children's nodes; every change, undo included, must keep those links
      // and the index by path on the same objects, or a snapshot writes fields no read ever saw.
      const payloads = commandStream(seed, 3_000, widePaths());
      const machine = new CoordinationStateMachine();
      let compared = 0;
      payloads.forEach((data, i) => {
        machine.apply(entry(i + 1, data));
        if ((i + 1) % 50 !== 0) return;
        const { nodes } = decodeSnapshot(machine.snapshotNow());
        expect(nodes.size, `seed ${seed} at ${i + 1}`).toBe(machine.nodeCount);
        for (const [path, node] of nodes) {
          const found = machine.get(path);
          expect(found?.stat, `seed ${seed} at ${i + 1}: ${path}`).toEqual(statOf(node));
          expect(Buffer.from(found?.data ?? []).equals(Buffer.from(dataBytes(node.data))), path).toBe(true);
          compared += 1;
        }
      });
      expect(compared).toBeGreaterThan(1_000);
    });
  }

  const seeds = [1, 2, 3, 42, 2026];
  for (const seed of seeds) {
    it(`random stream (seed ${seed}): a member restored midway ends byte-identical`, () => {
      const payloads = commandStream(seed, 600);
      const whole = new CoordinationStateMachine();
      let restored = new CoordinationStateMachine();
      const cut = 200 + (seed % 200);
      let errors = 0;
      let deletions = 0;
      payloads.forEach((data, i) => {
        const index = i + 1;
        const a = whole.apply(entry(index, data));
        if (index === cut) {
          // Replace the second member by one restored from its snapshot, as a lagging follower would be.
          const fresh = new CoordinationStateMachine();
          fresh.restore(restored.snapshotNow());
          restored = fresh;
        }
        const b = restored.apply(entry(index, data));
        expect(b, `seed ${seed} index ${index}`).toEqual(a);
        if (a.result.type === 'error') errors += 1;
        deletions += a.changes.filter((c) => c.type === 'deleted').length;
      });
      expect(restored.snapshotNow(), `seed ${seed}`).toEqual(whole.snapshotNow());
      // The stream must exercise both outcomes, or the test proves little.
      expect(errors).toBeGreaterThan(20);
      expect(deletions).toBeGreaterThan(20);
    });
  }
});
