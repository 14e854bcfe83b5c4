/**
 * Goal: multi is all or nothing. A successful multi applies every operation in one revision
 * with per-operation results; a failing one reports the failing operation's error, marks every
 * other operation `rolledBack`, and leaves no trace (same snapshot apart from the revision, no
 * change events, sequence counters and session ownership untouched).
 * Method: real state machine; compare snapshots before and after a failed multi.
 */

import { describe, expect, it } from 'vitest';
import { CoordinationStateMachine, type MultiCommandOp } from '../../src';
import { noChildren } from '../../src/state/data-tree';
import { commandStream, entry, widePaths } from './command-stream';
import { bytes, codeOf, Harness, stateWithoutRevision } from './harness';

function multi(h: Harness, ops: MultiCommandOp[], sessionId: string | null = null) {
  return h.apply({ type: 'multi', sessionId, time: h.time, ops });
}

describe('cached child lists', () => {
  it('children() stays current through every kind of change, rollback included', () => {
    const payloads = commandStream(5, 3_000, widePaths());
    const machine = new CoordinationStateMachine();
    const paths = ['/', ...widePaths()];
    const listed = () => paths.map((path) => [...(machine.children(path)?.children ?? [])]);
    payloads.forEach((data, i) => {
      listed(); // fills the cache, so a change that fails to drop it shows below
      machine.apply(entry(i + 1, data));
      if (i % 50 !== 0) return;
      const fresh = new CoordinationStateMachine();
      fresh.restore(machine.snapshotNow());
      expect(listed(), `after entry ${i + 1}`).toEqual(
        paths.map((path) => [...(fresh.children(path)?.children ?? [])]),
      );
    });
  });
  it('hands out one frozen list per directory until a child comes or goes', () => {
    const h = new Harness();
    h.create('/d');
    for (const name of ['m', 'c', 'x', 'a']) h.create(`/d/${name}`);
    const first = h.children('/d');
    expect(first).toEqual(['a', 'c', 'm', 'x']);
    expect(Object.isFrozen(first)).toBe(true);
    h.set('/d/m', 'changed');
    expect(h.children('/d')).toBe(first);
    h.create('/d/b');
    const second = h.children('/d');
    expect(second).toEqual(['a', 'b', 'c', 'm', 'x']);
    expect(Object.isFrozen(second)).toBe(true);
    expect(first).toEqual(['a', 'c', 'm', 'x']);
    h.delete('/d/x');
    h.delete('/d/a');
    expect(h.children('/d')).toEqual(['b', 'c', 'm']);
  });
});

describe('multi', () => {
  it('a rolled-back create under a leaf leaves every leaf childless (leaves share one empty child set)', () => {
    const h = new Harness();
    h.create('/a');
    h.create('/b');
    h.create('/c');
    const outcome = multi(h, [
      { op: 'create', path: '/b/x', data: bytes('x'), mode: 'persistent' },
      { op: 'create', path: '/missing/y', data: bytes('y'), mode: 'persistent' },
    ]);
    expect(outcome.changes).toEqual([]);
    expect(h.exists('/b/x')).toBe(false);
    h.create('/a/z');
    expect([h.children('/a'), h.children('/b'), h.children('/c'), h.children('/a/z')]).toEqual([['z'], [], [], []]);
    expect(noChildren.size).toBe(0);
  });

  it('applies every operation in one revision with per-op results', () => {
    const h = new Harness();
    h.create('/a', { data: 'v0' });
    const outcome = multi(h, [
      { op: 'check', path: '/a', expectedVersion: 0 },
      { op: 'create', path: '/a/s-', data: bytes('x'), mode: 'persistent_sequential' },
      { op: 'set', path: '/a', data: bytes('v1'), expectedVersion: 0 },
      { op: 'create', path: '/b', data: bytes(''), mode: 'persistent' },
      { op: 'delete', path: '/b' },
    ]);
    expect(outcome.result).toEqual({
      type: 'multi',
      results: [
        { op: 'check' },
        { op: 'create', path: '/a/s-0000000000', stat: expect.objectContaining({ createdRevision: 2 }) },
        { op: 'set', stat: expect.objectContaining({ version: 1, modifiedRevision: 2 }) },
        { op: 'create', path: '/b', stat: expect.objectContaining({ createdRevision: 2 }) },
        { op: 'delete' },
      ],
    });
    expect(new Set(outcome.changes.map((c) => c.revision))).toEqual(new Set([2]));
    expect(h.exists('/b')).toBe(false);
    expect(h.children('/a')).toEqual(['s-0000000000']);
  });

  const failures: { name: string; ops: MultiCommandOp[]; failedAt: number; code: string }[] = [
    {
      name: 'check with a wrong version',
      ops: [
        { op: 'create', path: '/new', data: bytes('n'), mode: 'persistent' },
        { op: 'check', path: '/a', expectedVersion: 5 },
      ],
      failedAt: 1,
      code: 'BadVersion',
    },
    {
      name: 'create of an existing node after a set',
      ops: [
        { op: 'set', path: '/a', data: bytes('changed') },
        { op: 'create', path: '/a/q-', data: bytes(''), mode: 'persistent_sequential' },
        { op: 'create', path: '/a', data: bytes(''), mode: 'persistent' },
        { op: 'delete', path: '/a/child' },
      ],
      failedAt: 2,
      code: 'NodeExists',
    },
    {
      name: 'delete of a missing node after deleting the last child of a container',
      ops: [
        { op: 'delete', path: '/box/only' },
        { op: 'delete', path: '/nothing' },
      ],
      failedAt: 1,
      code: 'NoNode',
    },
    {
      name: 'ephemeral create then a bad path',
      ops: [
        { op: 'create', path: '/eph', data: bytes(''), mode: 'ephemeral' },
        { op: 'set', path: 'no-slash', data: bytes('') },
      ],
      failedAt: 1,
      code: 'BadArguments',
    },
  ];

  for (const { name, ops, failedAt, code } of failures) {
    it(`${name}: fails at op ${failedAt} with ${code} and leaves no trace`, () => {
      const h = new Harness();
      h.openSession('s1');
      h.create('/a');
      h.create('/a/child');
      h.create('/box', { mode: 'container' });
      h.create('/box/only');
      const before = stateWithoutRevision(h.machine);
      // Snapshots rebuild children from paths, so compare the live children sets too.
      const childrenBefore = ['/', '/a', '/box'].map((path) => [...h.children(path)]);
      const outcome = multi(h, ops, 's1');
      expect(outcome.result.type).toBe('multi');
      if (outcome.result.type !== 'multi') return;
      expect(outcome.result.results).toHaveLength(ops.length);
      outcome.result.results.forEach((result, i) => {
        if (i === failedAt) expect(result).toMatchObject({ op: 'error', code });
        else expect(result).toEqual({ op: 'rolledBack' });
      });
      expect(outcome.changes).toEqual([]);
      expect(stateWithoutRevision(h.machine)).toEqual(before);
      expect(['/', '/a', '/box'].map((path) => [...h.children(path)])).toEqual(childrenBefore);
      expect(h.machine.session('s1')?.ephemerals.size).toBe(0);
      // The sequence counter did not move: the next sequential name is the one it would have been.
      expect(h.create('/a/q-', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/a/q-0000000001' });
    });
  }

  it('an empty multi succeeds with no results', () => {
    const h = new Harness();
    expect(multi(h, []).result).toEqual({ type: 'multi', results: [] });
  });

  it('a multi from an unknown session is SessionExpired as a whole', () => {
    const h = new Harness();
    expect(codeOf(multi(h, [{ op: 'check', path: '/', expectedVersion: -1 }], 'ghost'))).toBe('SessionExpired');
  });
});
