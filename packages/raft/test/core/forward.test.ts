/**
 * Goal: the forwarding rules of the core that a scenario shows poorly: payloads submitted
 * between two Ready cycles leave in as few `forward` messages as the append limits allow; the
 * leader takes a forward only in its own term, only from a member, and like a local proposal
 * (limits, transfer refusal, one pending conf change); a duplicated forward appends twice;
 * non-leaders and malformed forwards are ignored; misuse throws.
 * Method: an in-memory three-member cluster (the scenario harness) with a stable leader; the
 * test intercepts, duplicates, rewrites and re-delivers the messages it cares about.
 */
import { describe, expect, it } from 'vitest';
import { Raft } from '../../src/core/raft';
import type { ForwardRequest, Message } from '../../src/core/types';
import { type Cluster, leaderCluster } from './harness';

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** Takes the pending Ready of `id` and returns its forward messages (also queued on the network). */
function forwardsFrom(c: Cluster, id: string): Extract<Message, { type: 'forward' }>[] {
  c.processReady(id, true);
  return c.network.filter((m): m is Extract<Message, { type: 'forward' }> => m.type === 'forward' && m.from === id);
}

function appliedEverywhere(c: Cluster): string[][] {
  return [...c.nodes.values()].map((node) => node.applied);
}

describe('raft core - forwarding', () => {
  it('payloads submitted in one turn leave in one forward and commit in order on every member', () => {
    const c = leaderCluster();
    const n2 = c.node('n2').raft;
    for (const text of ['a', 'b', 'c']) expect(n2.submit(bytes(text))).toEqual({ ok: true, forwardedTo: 'n1' });
    const forwards = forwardsFrom(c, 'n2');
    expect(forwards).toHaveLength(1);
    expect(forwards[0]?.request).toEqual({ kind: 'entries', entries: [bytes('a'), bytes('b'), bytes('c')] });
    c.stabilize(true);
    for (const applied of appliedEverywhere(c)) expect(applied).toEqual(['a', 'b', 'c']);
  });

  it('batches split at maxEntriesPerAppend and maxAppendBytes; a payload above maxAppendBytes is refused', () => {
    const c = leaderCluster({ maxEntriesPerAppend: 2, maxAppendBytes: 10 });
    const n2 = c.node('n2').raft;
    for (const text of ['a', 'b', 'c', '0123456789', 'd']) expect(n2.submit(bytes(text)).ok).toBe(true);
    expect(n2.submit(bytes('x'.repeat(11)))).toEqual({ ok: false, reason: 'too-large', leader: 'n1' });
    const batches = forwardsFrom(c, 'n2').map((m) => (m.request.kind === 'entries' ? m.request.entries.length : -1));
    expect(batches).toEqual([2, 1, 1, 1]);
    c.stabilize(true);
    expect(c.node('n3').applied).toEqual(['a', 'b', 'c', '0123456789', 'd']);
  });

  it('the leader submits locally; without a known leader a submit is refused no-leader', () => {
    const c = leaderCluster();
    expect(c.node('n1').raft.submit(bytes('x'))).toMatchObject({ ok: true, forwardedTo: null, term: 2 });
    const lone = new Raft({ ...c.node('n1').config, id: 'z' }, Raft.bootstrap({ voters: ['z', 'y'], learners: [] }));
    expect(lone.submit(bytes('x'))).toEqual({ ok: false, reason: 'no-leader', leader: null });
    expect(lone.submitConfChange({ kind: 'addLearner', node: 'w' })).toEqual({
      ok: false,
      reason: 'no-leader',
      leader: null,
    });
    expect(lone.submitTransfer('y')).toEqual({ ok: false, reason: 'no-leader', leader: null });
    expect(() => lone.submit(new Uint8Array(0))).toThrow(/non-empty/);
    expect(c.node('n2').raft.submitConfChange({ kind: 'bootstrap', conf: { voters: ['q'], learners: [] } })).toEqual({
      ok: false,
      reason: 'invalid-conf-change',
      leader: 'n1',
    });
  });

  it('a duplicated forward appends its payloads twice (the application deduplicates)', () => {
    const c = leaderCluster();
    c.node('n2').raft.submit(bytes('once'));
    const [forward] = forwardsFrom(c, 'n2');
    c.network.push(forward!);
    c.stabilize(true);
    expect(c.node('n3').applied).toEqual(['once', 'once']);
  });

  it('a forward of another term, from a non-member, to a follower, or malformed is dropped', () => {
    const c = leaderCluster();
    const leader = c.node('n1').raft;
    const term = leader.status().term;
    const before = leader.status().lastIndex;
    const entries: ForwardRequest = { kind: 'entries', entries: [bytes('x')] };
    const forward = (from: string, to: string, t: number, request: unknown) =>
      ({ type: 'forward', from, to, term: t, request }) as Message;
    leader.step(forward('n2', 'n1', term - 1, entries));
    leader.step(forward('n2', 'n1', term + 1, entries));
    leader.step(forward('n9', 'n1', term, entries));
    leader.step(forward('n2', 'n1', term, { kind: 'entries', entries: [] }));
    leader.step(forward('n2', 'n1', term, { kind: 'entries', entries: [new Uint8Array(0)] }));
    leader.step(forward('n2', 'n1', term, { kind: 'entries', entries: ['x'] }));
    leader.step(forward('n2', 'n1', term, { kind: 'confChange', change: { kind: 'bootstrap', conf: {} } }));
    leader.step(forward('n2', 'n1', term, { kind: 'transfer', target: '' }));
    leader.step(forward('n2', 'n1', term, { kind: 'other' }));
    leader.step(forward('n2', 'n1', term, null));
    // A forward never changes terms, even from a higher one.
    expect(leader.status()).toMatchObject({ role: 'leader', term, lastIndex: before });
    const follower = c.node('n3').raft;
    follower.step(forward('n2', 'n3', term, entries));
    expect(follower.hasReady()).toBe(false);
    leader.step(forward('n2', 'n1', term, entries));
    expect(leader.status().lastIndex).toBe(before + 1);
  });

  it('the leader applies its own rules to forwards: refused while transferring, one conf change pending', () => {
    const c = leaderCluster();
    const leader = c.node('n1').raft;
    const term = leader.status().term;
    const before = leader.status().lastIndex;
    expect(leader.proposeConfChange({ kind: 'addLearner', node: 'n4' }).ok).toBe(true);
    leader.step({
      type: 'forward',
      from: 'n2',
      to: 'n1',
      term,
      request: { kind: 'confChange', change: { kind: 'addLearner', node: 'n5' } },
    });
    expect(leader.status().lastIndex).toBe(before + 1);
    c.stabilize(true);
    // n3 lags: the transfer waits for it, and forwarded payloads are refused meanwhile.
    c.partition([['n3'], ['n1', 'n2']]);
    leader.propose(bytes('gap'));
    c.stabilize(true);
    expect(c.node('n2').raft.submitTransfer('n3')).toEqual({ ok: true, forwardedTo: 'n1' });
    c.processReady('n2', true);
    c.deliver((m) => m.type === 'forward', new Set(), true);
    expect(leader.status().transferringTo).toBe('n3');
    const last = leader.status().lastIndex;
    leader.step({ type: 'forward', from: 'n2', to: 'n1', term, request: { kind: 'entries', entries: [bytes('y')] } });
    expect(leader.status().lastIndex).toBe(last);
  });
});
