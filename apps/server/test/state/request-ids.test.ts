// Goal: a command delivered twice with the same request id is applied once (exactly-once
// writes through forwarding), on every member alike and across a snapshot; the table of recent
// ids is bounded; touchSessions changes no state.
// Method: real CoordinationStateMachines fed encoded commands; states compared by snapshot bytes.
import { EntryType, mulberry32 } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { type Command, CoordinationStateMachine, encodeCommand, recentRequestsMax } from '../../src';
import { RecentRequests } from '../../src/state/recent-requests';
import { bytes, Harness, stateWithoutRevision } from './harness';

const setCounter = (value: string, requestId: string): Command => ({
  type: 'set',
  sessionId: null,
  time: 1,
  path: '/counter',
  data: bytes(value),
  requestId,
});

describe('request ids', () => {
  it('applies a duplicated request once and reports the duplicate', () => {
    const h = new Harness();
    h.create('/counter', { data: '0' });
    const first = h.apply(setCounter('1', 'm1.boot.1'));
    expect(first.result).toMatchObject({ type: 'set' });
    expect(first.requestId).toBe('m1.boot.1');
    h.apply(setCounter('2', 'm1.boot.2'));
    const again = h.apply(setCounter('1', 'm1.boot.1'));
    expect(again.result).toEqual({ type: 'duplicate' });
    expect(again.changes).toEqual([]);
    expect(new TextDecoder().decode(h.machine.get('/counter')?.data)).toBe('2');
    expect(h.machine.get('/counter')?.stat.version).toBe(2);
  });

  it('remembers a failed request too, so its duplicate cannot succeed later', () => {
    const h = new Harness();
    const create: Command = {
      type: 'create',
      sessionId: null,
      time: 1,
      path: '/a/b',
      data: bytes(''),
      mode: 'persistent',
      requestId: 'r1',
    };
    expect(h.apply(create).result).toMatchObject({ type: 'error', code: 'NoNode' });
    h.create('/a');
    expect(h.apply(create).result).toEqual({ type: 'duplicate' });
    expect(h.machine.get('/a/b')).toBeNull();
  });

  it('keeps the ids in snapshots, so a member restored from one drops the duplicate too', () => {
    const h = new Harness();
    h.create('/counter', { data: '0' });
    h.apply(setCounter('1', 'r1'));
    const restored = new CoordinationStateMachine();
    restored.restore(h.machine.snapshotNow());
    expect(restored.hasApplied('r1')).toBe(true);
    const duplicate = {
      term: 1,
      index: h.index + 1,
      type: EntryType.Normal,
      data: encodeCommand(setCounter('9', 'r1')),
    };
    expect(restored.apply(duplicate).result).toEqual({ type: 'duplicate' });
    expect(h.machine.apply(duplicate).result).toEqual({ type: 'duplicate' });
    expect(restored.snapshotNow()).toEqual(h.machine.snapshotNow());
  });

  it('forgets the oldest ids beyond the bound, in the same way on every member', () => {
    const h = new Harness();
    h.create('/counter', { data: '0' });
    for (let i = 0; i <= recentRequestsMax; i++) h.apply(setCounter(String(i), `r${i}`));
    expect(h.machine.hasApplied('r0')).toBe(false);
    expect(h.machine.hasApplied('r1')).toBe(true);
    expect(h.machine.hasApplied(`r${recentRequestsMax}`)).toBe(true);
  });

  it('the bounded table evicts in insertion order, ignores repeats, and lists oldest first', () => {
    const next = mulberry32(11);
    const table = new RecentRequests(5);
    const model: string[] = [];
    for (let i = 0; i < 400; i++) {
      const id = `r${Math.floor(next() * 12)}`;
      table.add(id);
      if (!model.includes(id)) {
        model.push(id);
        if (model.length > 5) model.shift();
      }
      expect(table.list(), `after add ${i}`).toEqual(model);
      for (let k = 0; k < 12; k++) expect(table.has(`r${k}`)).toBe(model.includes(`r${k}`));
    }
    const restored = new RecentRequests(5);
    restored.replace(table.list());
    expect(restored.list()).toEqual(model);
  });

  it('touchSessions lists the open sessions and changes nothing else', () => {
    const h = new Harness();
    h.openSession('s1');
    const before = stateWithoutRevision(h.machine);
    const touched = h.apply({ type: 'touchSessions', sessionIds: ['s1', 'gone'], time: 5 });
    expect(touched.result).toEqual({ type: 'touchSessions', sessionIds: ['s1'] });
    // Only the applied revision moves.
    expect(stateWithoutRevision(h.machine)).toEqual(before);
  });
});
