// Goal: a session is owned by the connection that created or last resumed it; commands sent
// by any other connection are refused with SessionMoved (so a request of a client's old
// connection cannot apply after those of its new one), ownerless commands (the leader's
// expiry, state built by older members) are not, and the owner survives a snapshot.
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
    restored.restore(h.machine.snapshot());
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
