/**
 * Goal: the state machine follows ZooKeeper's rules for create, delete and set: error codes,
 * version checks, cversion and pzxid (childrenVersion, childrenRevision) bookkeeping, sequential
 * names, revisions from the log index and times from the command.
 * Method: apply encoded commands at consecutive indexes to a real state machine and read back
 * stats; table tests list the ZooKeeper error of each bad request.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, Harness, stateWithoutRevision } from './harness';

describe('tree rules - stats', () => {
  it('create stamps revisions from the entry index and times from the command', () => {
    const h = new Harness();
    h.time = 5_000;
    const outcome = h.create('/a', { data: 'hello' });
    expect(outcome.revision).toBe(1);
    expect(outcome.result).toEqual({ type: 'create', path: '/a', stat: h.stat('/a') });
    expect(h.stat('/a')).toEqual({
      version: 0,
      childrenVersion: 0,
      createdRevision: 1,
      modifiedRevision: 1,
      childrenRevision: 1,
      createdAt: 5_000,
      modifiedAt: 5_000,
      ephemeralOwner: null,
      dataLength: 5,
      numChildren: 0,
    });
    expect(outcome.changes).toEqual([
      { type: 'created', path: '/a', revision: 1 },
      { type: 'childrenChanged', path: '/', revision: 1 },
    ]);
  });

  it('set bumps version, modifiedRevision and modifiedAt only', () => {
    const h = new Harness();
    h.create('/a');
    h.time = 9_000;
    const outcome = h.set('/a', 'xyz');
    expect(codeOf(outcome)).toBe('ok');
    const stat = h.stat('/a');
    expect(stat).toMatchObject({
      version: 1,
      modifiedRevision: 2,
      createdRevision: 1,
      modifiedAt: 9_000,
      createdAt: 1_000,
    });
    expect(stat.childrenRevision).toBe(1);
    expect(new TextDecoder().decode(h.machine.get('/a')?.data)).toBe('xyz');
    expect(outcome.changes).toEqual([{ type: 'dataChanged', path: '/a', revision: 2 }]);
  });

  it('child create and delete increment the parent cversion and set its pzxid', () => {
    const h = new Harness();
    h.create('/p');
    h.create('/p/a');
    h.create('/p/b');
    expect(h.stat('/p')).toMatchObject({
      childrenVersion: 2,
      childrenRevision: 3,
      numChildren: 2,
      version: 0,
      modifiedRevision: 1,
    });
    h.set('/p/a', 'x');
    expect(h.stat('/p')).toMatchObject({ childrenVersion: 2, childrenRevision: 3 });
    const deleted = h.delete('/p/a');
    expect(deleted.changes).toEqual([
      { type: 'deleted', path: '/p/a', revision: 5 },
      { type: 'childrenChanged', path: '/p', revision: 5 },
    ]);
    expect(h.stat('/p')).toMatchObject({ childrenVersion: 3, childrenRevision: 5, numChildren: 1 });
    expect(h.children('/p')).toEqual(['b']);
  });

  it('sequential names come from the parent cversion, which keeps growing across deletes', () => {
    const h = new Harness();
    h.create('/q');
    expect(h.create('/q/n-', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/q/n-0000000000' });
    expect(h.create('/q/n-', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/q/n-0000000001' });
    h.delete('/q/n-0000000000');
    h.create('/q/plain');
    expect(h.create('/q/n-', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/q/n-0000000004' });
    // Each parent has its own counter.
    h.create('/r');
    expect(h.create('/r/n-', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/r/n-0000000000' });
  });

  it('a sequential path ending in a slash names the node with the digits alone, as in ZooKeeper', () => {
    const h = new Harness();
    h.create('/q');
    expect(h.create('/q/', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/q/0000000000' });
    expect(h.create('/q/', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/q/0000000001' });
    expect(h.children('/q')).toEqual(['0000000000', '0000000001']);
    // Under the root too; a plain create of such a path stays refused.
    expect(h.create('/', { mode: 'persistent_sequential' }).result).toMatchObject({ path: '/0000000001' });
    expect(codeOf(h.create('/q/', { mode: 'persistent' }))).toBe('BadArguments');
    expect(codeOf(h.create('/missing/', { mode: 'persistent_sequential' }))).toBe('NoNode');
  });

  it('version -1 and an absent version match any version', () => {
    const h = new Harness();
    h.create('/a');
    h.set('/a', '1');
    expect(codeOf(h.set('/a', '2', -1))).toBe('ok');
    expect(codeOf(h.set('/a', '3', 2))).toBe('ok');
    expect(codeOf(h.delete('/a', -1))).toBe('ok');
  });
});

describe('tree rules - errors', () => {
  const cases: { name: string; run: (h: Harness) => ReturnType<Harness['apply']>; code: string }[] = [
    { name: 'create with missing parent', run: (h) => h.create('/missing/child'), code: 'NoNode' },
    { name: 'create existing', run: (h) => h.create('/base'), code: 'NodeExists' },
    { name: 'create the root', run: (h) => h.create('/'), code: 'BadArguments' },
    { name: 'create with trailing slash', run: (h) => h.create('/base/'), code: 'BadArguments' },
    { name: 'create with a dot segment', run: (h) => h.create('/base/../x'), code: 'BadArguments' },
    { name: 'create relative path', run: (h) => h.create('base'), code: 'BadArguments' },
    { name: 'create under an ephemeral', run: (h) => h.create('/eph/child'), code: 'NoChildrenForEphemerals' },
    { name: 'ephemeral without a session', run: (h) => h.create('/x', { mode: 'ephemeral' }), code: 'BadArguments' },
    {
      name: 'ephemeral of an unknown session',
      run: (h) => h.create('/x', { mode: 'ephemeral', session: 'nobody' }),
      code: 'SessionExpired',
    },
    { name: 'TTL mode without ttlMs', run: (h) => h.create('/x', { mode: 'persistent_ttl' }), code: 'BadArguments' },
    { name: 'ttlMs on a persistent node', run: (h) => h.create('/x', { ttlMs: 5 }), code: 'BadArguments' },
    { name: 'delete missing', run: (h) => h.delete('/nothing'), code: 'NoNode' },
    { name: 'delete with wrong version', run: (h) => h.delete('/base', 3), code: 'BadVersion' },
    { name: 'delete with children', run: (h) => h.delete('/base'), code: 'NotEmpty' },
    { name: 'delete the root', run: (h) => h.delete('/'), code: 'BadArguments' },
    { name: 'set missing', run: (h) => h.set('/nothing', 'x'), code: 'NoNode' },
    { name: 'set with wrong version', run: (h) => h.set('/base', 'x', 7), code: 'BadVersion' },
    { name: 'set bad path', run: (h) => h.set('//', 'x'), code: 'BadArguments' },
  ];

  for (const { name, run, code } of cases) {
    it(`${name} fails with ${code} and changes nothing`, () => {
      const h = new Harness();
      h.openSession('s1');
      h.create('/base');
      h.create('/base/child');
      h.create('/eph', { mode: 'ephemeral', session: 's1' });
      const before = stateWithoutRevision(h.machine);
      const outcome = run(h);
      expect(codeOf(outcome)).toBe(code);
      expect(outcome.changes).toEqual([]);
      // Only the applied revision moves.
      expect(stateWithoutRevision(h.machine)).toEqual(before);
    });
  }

  it('data over the configured limit is TooLarge', async () => {
    const { CoordinationStateMachine, encodeCommand } = await import('../../src');
    const { EntryType } = await import('@keel/raft');
    const machine = new CoordinationStateMachine({ dataBytesMax: 4 });
    const data = encodeCommand({
      type: 'create',
      sessionId: null,
      time: 0,
      path: '/a',
      data: new Uint8Array(5),
      mode: 'persistent',
    });
    const outcome = machine.apply({ term: 1, index: 1, type: EntryType.Normal, data });
    expect(outcome.result).toMatchObject({ type: 'error', code: 'TooLarge' });
    expect(machine.get('/a')).toBeNull();
  });
});
