/**
 * Goal: snapshot → restore reproduces the state exactly, and a restored member behaves exactly
 * like one that applied the whole log (the property Raft snapshots rely on).
 * Method: compare snapshot bytes. A seeded random command stream (creates of every mode,
 * sets, deletes, multis, sessions opening and closing, sweeps, garbage payloads) is applied to
 * two state machines; one is snapshotted and restored into a fresh instance midway; both must
 * produce identical outcomes and end byte-identical. The seed is printed on failure to replay.
 */
import type { CreateMode } from '@keel/protocol';
import { EntryType, mulberry32 } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { type Command, CoordinationStateMachine, encodeCommand, type MultiCommandOp } from '../../src';
import { bytes, Harness } from './harness';

/** Deterministic, so every run with a seed replays the same stream. */
const random = mulberry32;

const modes: CreateMode[] = [
  'persistent',
  'ephemeral',
  'persistent_sequential',
  'ephemeral_sequential',
  'container',
  'persistent_ttl',
  'persistent_sequential_ttl',
];

/** Generates entry payloads: mostly valid commands over a small path space, so they collide often. */
function commandStream(seed: number, count: number): Uint8Array[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const paths = ['/a', '/b', '/a/x', '/a/y', '/b/x', '/a/x/1', '/b/x/2', '/c'];
  const sessions = ['s1', 's2', 's3'];
  let time = 1_000;
  const createOp = (): MultiCommandOp => {
    const mode = pick(modes);
    const ttl = mode === 'persistent_ttl' || mode === 'persistent_sequential_ttl';
    return { op: 'create', path: pick(paths), data: bytes(String(next())), mode, ...(ttl ? { ttlMs: 50 } : {}) };
  };
  const version = () => (next() < 0.7 ? -1 : Math.floor(next() * 3));
  const payloads: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    time += Math.floor(next() * 40);
    const roll = next();
    const sessionId = next() < 0.8 ? pick(sessions) : null;
    let command: Command;
    if (roll < 0.05) {
      payloads.push(bytes(next() < 0.5 ? '{"v":1,"c":{"type":"nope"}}' : 'garbage'));
      continue;
    } else if (roll < 0.12) {
      command = { type: 'createSession', sessionId: pick(sessions), secret: 'k', timeoutMs: 5_000, time };
    } else if (roll < 0.17) {
      command = { type: 'closeSession', sessionId: pick(sessions), reason: 'expired', time };
    } else if (roll < 0.2) {
      command = { type: 'sweep', time };
    } else if (roll < 0.55) {
      command = { type: 'create', sessionId, time, ...createOp() } as Command;
    } else if (roll < 0.7) {
      command = { type: 'set', sessionId, time, path: pick(paths), data: bytes(String(i)), expectedVersion: version() };
    } else if (roll < 0.85) {
      command = { type: 'delete', sessionId, time, path: pick(paths), expectedVersion: version() };
    } else {
      const ops: MultiCommandOp[] = [];
      const n = 1 + Math.floor(next() * 4);
      for (let k = 0; k < n; k++) {
        const kind = next();
        if (kind < 0.25) ops.push({ op: 'check', path: pick(paths), expectedVersion: version() });
        else if (kind < 0.55) ops.push(createOp());
        else if (kind < 0.75) ops.push({ op: 'set', path: pick(paths), data: bytes('m'), expectedVersion: version() });
        else ops.push({ op: 'delete', path: pick(paths), expectedVersion: version() });
      }
      command = { type: 'multi', sessionId, time, ops };
    }
    payloads.push(encodeCommand(command));
  }
  return payloads;
}

function entry(index: number, data: Uint8Array) {
  return { term: 1, index, type: EntryType.Normal, data };
}

describe('snapshot', () => {
  it('restore reproduces the snapshot bytes and replaces all previous state', () => {
    const h = new Harness();
    h.openSession('s1');
    h.create('/a', { data: 'one' });
    h.create('/a/e', { mode: 'ephemeral', session: 's1' });
    h.create('/t', { mode: 'persistent_ttl', ttlMs: 10 });
    h.create('/c', { mode: 'container' });
    const bytesBefore = h.machine.snapshot();

    const other = new CoordinationStateMachine();
    other.apply(
      entry(1, encodeCommand({ type: 'createSession', sessionId: 'zz', secret: 'x', timeoutMs: 1, time: 0 })),
    );
    other.restore(bytesBefore);
    expect(other.snapshot()).toEqual(bytesBefore);
    expect(other.session('zz')).toBeUndefined();
    expect(other.appliedRevision).toBe(h.machine.appliedRevision);
    expect(other.session('s1')?.ephemerals).toEqual(new Set(['/a/e']));
    expect(other.get('/a')?.stat).toEqual(h.stat('/a'));
  });

  it('a corrupt snapshot is refused and leaves the state as it was', () => {
    const h = new Harness();
    h.create('/a');
    const good = h.machine.snapshot();
    const orphan = new TextEncoder().encode(new TextDecoder().decode(good).replace('"/a"', '"/missing/a"'));
    expect(() => h.machine.restore(orphan)).toThrow(/corrupt snapshot/);
    expect(() => h.machine.restore(bytes('{'))).toThrow(/corrupt snapshot/);
    expect(h.machine.snapshot()).toEqual(good);
  });

  it('applying entries out of order is a programmer error', () => {
    const h = new Harness();
    h.create('/a');
    expect(() => h.machine.apply(entry(1, new Uint8Array(0)))).toThrow(/not after/);
  });

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
          fresh.restore(restored.snapshot());
          restored = fresh;
        }
        const b = restored.apply(entry(index, data));
        expect(b, `seed ${seed} index ${index}`).toEqual(a);
        if (a.result.type === 'error') errors += 1;
        deletions += a.changes.filter((c) => c.type === 'deleted').length;
      });
      expect(restored.snapshot(), `seed ${seed}`).toEqual(whole.snapshot());
      // The stream must exercise both outcomes, or the test proves little.
      expect(errors).toBeGreaterThan(20);
      expect(deletions).toBeGreaterThan(20);
    });
  }
});
