// Goal: `nodeCount` always equals the number of nodes in the tree (root included): after
// creates and deletes, a multi that fails half-way and is undone, a closed session taking its
// ephemerals, a TTL sweep, and a snapshot restored into a fresh machine or over a bigger state.
// Method: drive a real state machine with encoded commands (the state test harness) and compare
// `nodeCount` with a count obtained by walking the tree through `children`.
import { describe, expect, it } from 'vitest';
import type { CoordinationStateMachine } from '../../src';
import { bytes, codeOf, Harness } from './harness';

/** Counts the nodes by walking the tree from the root: slow, but independent of `nodeCount`. */
function walked(machine: CoordinationStateMachine): number {
  let count = 0;
  const stack = ['/'];
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    const listed = machine.children(path);
    if (listed === null) continue;
    count++;
    for (const child of listed.children) stack.push(path === '/' ? `/${child}` : `${path}/${child}`);
  }
  return count;
}

function expectExact(h: Harness, expected: number): void {
  expect(h.machine.nodeCount).toBe(expected);
  expect(walked(h.machine)).toBe(expected);
}

describe('nodeCount', () => {
  it('counts the root alone in an empty tree, then follows creates and deletes', () => {
    const h = new Harness();
    expectExact(h, 1);
    expect(codeOf(h.create('/a'))).toBe('ok');
    expect(codeOf(h.create('/a/b'))).toBe('ok');
    expect(codeOf(h.create('/a/b'))).toBe('NodeExists');
    expectExact(h, 3);
    expect(codeOf(h.delete('/a/b'))).toBe('ok');
    expect(codeOf(h.delete('/missing'))).toBe('NoNode');
    expectExact(h, 2);
  });

  it('is unchanged by a multi that fails after creating and deleting, and follows one that succeeds', () => {
    const h = new Harness();
    h.create('/keep');
    h.create('/gone');
    expectExact(h, 3);
    const failed = h.apply({
      type: 'multi',
      sessionId: null,
      time: h.time,
      ops: [
        { op: 'create', path: '/x', data: bytes(''), mode: 'persistent' },
        { op: 'create', path: '/x/y', data: bytes(''), mode: 'persistent' },
        { op: 'delete', path: '/gone' },
        { op: 'check', path: '/keep', expectedVersion: 99 },
      ],
    });
    expect(failed.result).toMatchObject({
      type: 'multi',
      results: [{ op: 'rolledBack' }, { op: 'rolledBack' }, { op: 'rolledBack' }, { op: 'error' }],
    });
    expectExact(h, 3);
    expect(h.exists('/gone')).toBe(true);
    const done = h.apply({
      type: 'multi',
      sessionId: null,
      time: h.time,
      ops: [
        { op: 'create', path: '/x', data: bytes(''), mode: 'persistent' },
        { op: 'create', path: '/x/y', data: bytes(''), mode: 'persistent' },
        { op: 'delete', path: '/gone' },
      ],
    });
    expect(done.result).toMatchObject({
      type: 'multi',
      results: [{ op: 'create' }, { op: 'create' }, { op: 'delete' }],
    });
    expectExact(h, 4);
  });

  it('drops the ephemerals of a closed session and the nodes a TTL sweep removes', () => {
    const h = new Harness();
    h.openSession('s1');
    h.create('/e1', { mode: 'ephemeral', session: 's1' });
    h.create('/e2', { mode: 'ephemeral', session: 's1' });
    h.create('/t', { mode: 'persistent_ttl', ttlMs: 10 });
    expectExact(h, 4);
    h.closeSession('s1');
    expectExact(h, 2);
    h.time += 1_000;
    const candidates = h.machine.ttlCandidates(h.time);
    expect(candidates).toEqual(['/t']);
    h.apply({ type: 'sweep', time: h.time });
    expectExact(h, 1);
  });

  it('equals the restored tree after a snapshot, into a fresh machine and over a bigger state', () => {
    const source = new Harness();
    for (const name of ['a', 'b', 'c']) source.create(`/${name}`);
    source.create('/a/x');
    const snapshot = source.machine.snapshotNow();

    const fresh = new Harness();
    fresh.machine.restore(snapshot);
    expectExact(fresh, 5);

    const bigger = new Harness();
    for (let i = 0; i < 20; i++) bigger.create(`/n${i}`);
    expectExact(bigger, 21);
    bigger.machine.restore(snapshot);
    expectExact(bigger, 5);
    bigger.index = source.index;
    expect(codeOf(bigger.create('/d'))).toBe('ok');
    expectExact(bigger, 6);
  });
});
