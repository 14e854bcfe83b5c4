// Goal: the index of TTL nodes behind `ttlCandidates` follows every way a node comes and goes:
// create, delete, a rolled-back multi (both a create and a delete undone), sweeps, and restore.
// Method: real CoordinationStateMachines fed encoded commands at a hand-moved clock.
import { describe, expect, it } from 'vitest';
import { CoordinationStateMachine } from '../../src';
import { bytes, Harness } from './harness';

describe('TTL index', () => {
  it('follows create, delete, rollback, sweep and restore', () => {
    const h = new Harness();
    h.create('/t1', { mode: 'persistent_ttl', ttlMs: 100 });
    h.create('/t2', { mode: 'persistent_ttl', ttlMs: 100 });
    h.create('/p');
    const later = h.time + 1_000;
    expect(h.machine.ttlCandidates(later)).toEqual(['/t1', '/t2']);

    // A failing multi creates a TTL node and deletes one, then rolls both back.
    const failed = h.apply({
      type: 'multi',
      sessionId: null,
      time: h.time,
      ops: [
        { op: 'create', path: '/t3', data: bytes(''), mode: 'persistent_ttl', ttlMs: 100 },
        { op: 'delete', path: '/t1' },
        { op: 'check', path: '/missing', expectedVersion: 0 },
      ],
    });
    expect(failed.result).toMatchObject({ type: 'multi' });
    expect(h.machine.ttlCandidates(later)).toEqual(['/t1', '/t2']);

    h.apply({ type: 'delete', sessionId: null, time: h.time, path: '/t2' });
    expect(h.machine.ttlCandidates(later)).toEqual(['/t1']);

    const restored = new CoordinationStateMachine();
    restored.restore(h.machine.snapshotNow());
    expect(restored.ttlCandidates(later)).toEqual(['/t1']);

    h.time = later;
    const swept = h.apply({ type: 'sweep', time: later });
    expect(swept.result).toMatchObject({ type: 'sweep', deleted: ['/t1'] });
    expect(h.machine.ttlCandidates(later + 1_000)).toEqual([]);
  });
});
