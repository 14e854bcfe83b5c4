/**
 * Goal: node lifetimes tied to something other than an explicit delete: ephemerals end with
 * their session, containers go with their last child, TTL nodes go through a replicated sweep.
 * Method: drive a real state machine with encoded commands and check which nodes remain, the
 * deletion order reported and the change events emitted.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, Harness } from './harness';

describe('sessions', () => {
  it('closing a session deletes its ephemerals in path order, and only its own', () => {
    const h = new Harness();
    h.openSession('s1');
    h.openSession('s2');
    h.create('/app');
    h.create('/app/z', { mode: 'ephemeral', session: 's1' });
    h.create('/app/a', { mode: 'ephemeral', session: 's1' });
    h.create('/app/m', { mode: 'ephemeral', session: 's2' });
    const seq = h.create('/app/q-', { mode: 'ephemeral_sequential', session: 's1' });
    expect(seq.result).toMatchObject({ path: '/app/q-0000000003' });
    expect(h.stat('/app/a').ephemeralOwner).toBe('s1');
    expect(h.machine.session('s1')?.ephemerals.size).toBe(3);

    const closed = h.closeSession('s1');
    expect(closed.result).toMatchObject({
      type: 'closeSession',
      sessionId: expect.any(String),
      reason: 'closed',
      deleted: ['/app/a', '/app/q-0000000003', '/app/z'],
    });
    expect(closed.changes.filter((c) => c.type === 'deleted').map((c) => c.path)).toEqual([
      '/app/a',
      '/app/q-0000000003',
      '/app/z',
    ]);
    expect(h.children('/app')).toEqual(['m']);
    expect(h.machine.session('s1')).toBeUndefined();
    expect(h.stat('/app').childrenVersion).toBe(7);
  });

  it('an ephemeral deleted by hand is no longer owned; closing twice is SessionExpired', () => {
    const h = new Harness();
    h.openSession('s1');
    h.create('/e', { mode: 'ephemeral', session: 's1' });
    h.delete('/e');
    expect(h.machine.session('s1')?.ephemerals.size).toBe(0);
    expect(h.closeSession('s1').result).toMatchObject({
      type: 'closeSession',
      sessionId: expect.any(String),
      reason: 'closed',
      deleted: [],
    });
    expect(codeOf(h.closeSession('s1'))).toBe('SessionExpired');
  });

  it('writes from a closed session are refused', () => {
    const h = new Harness();
    h.openSession('s1');
    h.closeSession('s1');
    const outcome = h.apply({ type: 'set', sessionId: 's1', time: 0, path: '/', data: new Uint8Array(0) });
    expect(codeOf(outcome)).toBe('SessionExpired');
  });

  it('a duplicate session id is refused', () => {
    const h = new Harness();
    h.openSession('s1');
    expect(codeOf(h.openSession('s1'))).toBe('BadArguments');
  });
});

describe('containers', () => {
  it('a container is removed when its last child goes, and not before it had one', () => {
    const h = new Harness();
    h.create('/locks', { mode: 'container' });
    expect(h.exists('/locks')).toBe(true);
    h.create('/locks/a');
    h.create('/locks/b');
    h.delete('/locks/a');
    expect(h.exists('/locks')).toBe(true);
    const last = h.delete('/locks/b');
    expect(h.exists('/locks')).toBe(false);
    expect(last.changes).toEqual([
      { type: 'deleted', path: '/locks/b', revision: 5 },
      { type: 'childrenChanged', path: '/locks', revision: 5 },
      { type: 'deleted', path: '/locks', revision: 5 },
      { type: 'childrenChanged', path: '/', revision: 5 },
    ]);
  });

  it('nested containers emptied by a session close go too, and are reported', () => {
    const h = new Harness();
    h.openSession('s1');
    h.create('/outer', { mode: 'container' });
    h.create('/outer/inner', { mode: 'container' });
    h.create('/outer/inner/e', { mode: 'ephemeral', session: 's1' });
    const closed = h.closeSession('s1');
    expect(closed.result).toMatchObject({
      type: 'closeSession',
      sessionId: expect.any(String),
      reason: 'closed',
      deleted: ['/outer/inner/e', '/outer/inner', '/outer'],
    });
    expect(h.children('/')).toEqual([]);
  });

  it('a container with a persistent child survives the close', () => {
    const h = new Harness();
    h.openSession('s1');
    h.create('/c', { mode: 'container' });
    h.create('/c/keep');
    h.create('/c/e', { mode: 'ephemeral', session: 's1' });
    h.closeSession('s1');
    expect(h.children('/c')).toEqual(['keep']);
  });
});

describe('TTL sweep', () => {
  it('deletes childless TTL nodes not modified within their TTL, at the command time', () => {
    const h = new Harness();
    h.time = 1_000;
    h.create('/t1', { mode: 'persistent_ttl', ttlMs: 100 });
    h.create('/t2', { mode: 'persistent_ttl', ttlMs: 100 });
    h.create('/t3', { mode: 'persistent_sequential_ttl', ttlMs: 100 });
    h.create('/t2/child');
    h.create('/plain');
    h.time = 1_050;
    h.set('/t3' + '0000000002', 'touched');
    expect(h.machine.ttlCandidates(1_100)).toEqual([]);
    expect(h.machine.ttlCandidates(1_101)).toEqual(['/t1']);

    const sweep = h.apply({ type: 'sweep', time: 1_151 });
    expect(sweep.result).toEqual({ type: 'sweep', deleted: ['/t1', '/t30000000002'] });
    expect(h.children('/')).toEqual(['plain', 't2']);
    // A sweep with nothing to do changes nothing.
    expect(h.apply({ type: 'sweep', time: 1_152 }).changes).toEqual([]);
  });
});
