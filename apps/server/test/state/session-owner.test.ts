// Goal: a session is owned by the connection that created or last resumed it; commands sent
// by any other connection are refused with SessionMoved (so a request of a client's old
// connection cannot apply after those of its new one), ownerless commands (the leader's
// expiry, state built by older members) are not, and the owner survives a snapshot. The owner
// numbers its commands: only the next number applies (a lost command stops the later ones,
// FIFO), a failed command still counts, and a move starts the numbering afresh.
// Method: real CoordinationStateMachines fed encoded commands.
import { describe, expect, it } from 'vitest';
import { CoordinationStateMachine } from '../../src';
import { bytes, Harness } from './harness';

describe('session owner', () => {
  it('refuses the old connection after a move, on every member and across a snapshot', () => {
    const h = new Harness();
    h.apply({ type: 'createSession', sessionId: 's', secret: 'x', timeoutMs: 1000, time: 1, owner: 'conn-a' });
    const write = (owner: string | undefined, path: string) =>
      h.apply({
        type: 'create',
        sessionId: 's',
        time: 1,
        path,
        data: bytes(''),
        mode: 'ephemeral',
        ...(owner === undefined ? {} : { owner }),
      });
    expect(write('conn-a', '/a').result).toMatchObject({ type: 'create' });
    expect(h.apply({ type: 'moveSession', sessionId: 's', owner: 'conn-b', time: 2 }).result).toEqual({
      type: 'moveSession',
      sessionId: 's',
      owner: 'conn-b',
    });
    expect(write('conn-a', '/late').result).toMatchObject({ type: 'error', code: 'SessionMoved' });
    expect(h.machine.get('/late')).toBeNull();
    expect(write('conn-b', '/b').result).toMatchObject({ type: 'create' });

    const restored = new CoordinationStateMachine();
    restored.restore(h.machine.snapshotNow());
    expect(restored.session('s')?.owner).toBe('conn-b');

    const closeFromOld = h.apply({ type: 'closeSession', sessionId: 's', reason: 'closed', time: 3, owner: 'conn-a' });
    expect(closeFromOld.result).toMatchObject({ type: 'error', code: 'SessionMoved' });
    expect(h.machine.session('s')).toBeDefined();
    // The leader's expiry names no connection.
    expect(h.apply({ type: 'closeSession', sessionId: 's', reason: 'expired', time: 4 }).result).toMatchObject({
      type: 'closeSession',
      deleted: ['/a', '/b'],
    });
  });

  it('answers SessionExpired to a move of a gone session, and keeps ownerless sessions open to all', () => {
    const h = new Harness();
    expect(h.apply({ type: 'moveSession', sessionId: 'gone', owner: 'c', time: 1 }).result).toMatchObject({
      type: 'error',
      code: 'SessionExpired',
    });
    h.openSession('old');
    expect(h.create('/x', { session: 'old', mode: 'ephemeral' }).result).toMatchObject({ type: 'create' });
  });
});

describe('command sequence of the owner', () => {
  const owned = (h: Harness, sequence: number, path: string) =>
    h.apply({
      type: 'create',
      sessionId: 's',
      time: 1,
      path,
      data: bytes(''),
      mode: 'persistent',
      owner: 'conn',
      sequence,
    });

  it('applies only the next number, so a lost command stops every later one', () => {
    const h = new Harness();
    h.apply({ type: 'createSession', sessionId: 's', secret: 'x', timeoutMs: 1000, time: 1, owner: 'conn' });
    expect(owned(h, 1, '/one').result).toMatchObject({ type: 'create' });
    // A failed command still takes its place.
    expect(owned(h, 2, '/one').result).toMatchObject({ type: 'error', code: 'NodeExists' });
    // Command 3 was lost: 4 and 5 are refused and change nothing.
    expect(owned(h, 4, '/four').result).toMatchObject({ type: 'error', code: 'ConnectionLoss' });
    expect(owned(h, 5, '/five').result).toMatchObject({ type: 'error', code: 'ConnectionLoss' });
    expect(h.machine.get('/four')).toBeNull();
    expect(h.machine.session('s')?.sequence).toBe(2);
    // A late 3 still fits.
    expect(owned(h, 3, '/three').result).toMatchObject({ type: 'create' });
    const restored = new CoordinationStateMachine();
    restored.restore(h.machine.snapshotNow());
    expect(restored.session('s')?.sequence).toBe(3);
    // A move starts the new owner's numbering afresh.
    h.apply({ type: 'moveSession', sessionId: 's', owner: 'next', time: 2 });
    expect(h.machine.session('s')?.sequence).toBe(0);
    const next = h.apply({
      type: 'set',
      sessionId: 's',
      time: 2,
      path: '/one',
      data: bytes('x'),
      owner: 'next',
      sequence: 1,
    });
    expect(next.result).toMatchObject({ type: 'set' });
  });

  it('counts a multi that failed and rolled back', () => {
    const h = new Harness();
    h.apply({ type: 'createSession', sessionId: 's', secret: 'x', timeoutMs: 1000, time: 1, owner: 'conn' });
    const failed = h.apply({
      type: 'multi',
      sessionId: 's',
      time: 1,
      owner: 'conn',
      sequence: 1,
      ops: [{ op: 'check', path: '/missing', expectedVersion: 0 }],
    });
    expect(failed.result).toMatchObject({ type: 'multi' });
    expect(h.machine.session('s')?.sequence).toBe(1);
    expect(owned(h, 2, '/after').result).toMatchObject({ type: 'create' });
  });
});

describe('repeated moves', () => {
  it('a repeated move to the same owner keeps its numbering, so no command fits twice', () => {
    const h = new Harness();
    h.apply({ type: 'createSession', sessionId: 's', secret: 'x', timeoutMs: 1000, time: 1, owner: 'a' });
    h.apply({ type: 'moveSession', sessionId: 's', owner: 'b', time: 2 });
    const create = {
      type: 'create',
      sessionId: 's',
      time: 2,
      path: '/once',
      data: bytes(''),
      mode: 'persistent_sequential',
      owner: 'b',
      sequence: 1,
    } as const;
    expect(h.apply(create).result).toMatchObject({ type: 'create', path: '/once0000000000' });
    h.apply({ type: 'moveSession', sessionId: 's', owner: 'b', time: 3 });
    expect(h.machine.session('s')?.sequence).toBe(1);
    expect(h.apply(create).result).toMatchObject({ type: 'error', code: 'ConnectionLoss' });
    expect(h.machine.children('/')?.children).toEqual(['once0000000000']);
  });
});
