/**
 * Goal: lease reads (`leaseReads` + `checkQuorum`) never answer a read while another member
 * could already have been elected. Each test replays one way the simulator found (or could
 * find) a stale lease read: a fresh leader without a confirmed quorum, a lease measured from
 * the acknowledgement instead of the send, a leadership transfer (forced votes ignore leases,
 * FOUND-BUGS #2 seed 21), an operator `campaign()` from inside the lease (seed 10) and a
 * follower that restarts inside the lease.
 * Method: drive real `Raft` cores through the in-memory harness, delivering, dropping and
 * ticking by hand; a lease read shows as a `readStates` entry in the very Ready after
 * `readIndex`, a heartbeat-round read as heartbeats carrying a read round instead.
 */
import { describe, expect, it } from 'vitest';
import { Raft } from '../../src/core/raft';
import type { Message, NodeId } from '../../src/core/types';
import { Cluster } from './harness';

const ELECTION_TICKS = 10;

function cluster(ids: readonly NodeId[], leaseReads = true): Cluster {
  const c = new Cluster();
  ids.forEach((id, i) => {
    c.add(
      id,
      Raft.bootstrap({ voters: [...ids], learners: [] }),
      { leaseReads, electionTicks: ELECTION_TICKS, heartbeatTicks: 1 },
      i + 1,
    );
  });
  c.processAll(true);
  return c;
}

/** `a` leads a, b, c and holds a lease confirmed by heartbeats it sent at its latest tick. */
function leaderWithLease(): Cluster {
  const c = cluster(['a', 'b', 'c']);
  c.node('a').raft.campaign();
  c.stabilize(true);
  c.node('a').raft.tick();
  c.stabilize(true);
  return c;
}

/** Asks `id` for a read; 'lease' if answered at once, 'round' if it started a heartbeat round. */
function readKind(c: Cluster, id: NodeId, context: string): 'lease' | 'round' | 'failed' {
  const raft = c.node(id).raft;
  raft.readIndex(context);
  const ready = raft.ready();
  c.node(id).storage.persist(ready);
  raft.advance(ready);
  c.network.push(...ready.messages);
  if (ready.readStates.some((r) => r.context === context)) return 'lease';
  if (ready.readFailures.some((r) => r.context === context)) return 'failed';
  const round = ready.messages.some((m) => m.type === 'heartbeat' && m.readRound > 0);
  if (!round) throw new Error('read neither answered nor confirmed by a round');
  return 'round';
}

function take(c: Cluster, match: (m: Message) => boolean): Message[] {
  const taken = c.network.filter(match);
  c.network = c.network.filter((m) => !match(m));
  return taken;
}

describe('lease reads', () => {
  it('a new leader uses no lease before a quorum acknowledged a heartbeat of its term', () => {
    const c = cluster(['a', 'b', 'c']);
    c.node('a').raft.campaign();
    c.stabilize(true);
    // Elected and its no-op committed, but no heartbeat of this term was acknowledged yet.
    expect(readKind(c, 'a', 'early')).toBe('round');
    c.stabilize(true);
    c.node('a').raft.tick();
    c.stabilize(true);
    expect(readKind(c, 'a', 'later')).toBe('lease');
  });

  it('the lease runs electionTicks - 2 ticks from the heartbeat SEND, however late the acks come', () => {
    const c = leaderWithLease();
    const a = c.node('a').raft;
    // The heartbeat of this tick is delivered, but its acks reach the leader only 5 ticks later.
    a.tick();
    c.processAll(true);
    c.deliver((m) => m.type === 'heartbeat', new Set(), true);
    c.processAll(true);
    const acks = take(c, (m) => m.type === 'heartbeatResp');
    expect(acks.length).toBe(2);
    // From now on the leader hears nothing else.
    c.network = [];
    for (let i = 0; i < 5; i++) {
      a.tick();
      c.processAll(true);
      c.network = [];
    }
    for (const m of acks) a.step(m);
    c.network = [];
    // 5 ticks since the send; the lease lasts until 8 (= 10 - 2).
    for (let i = 5; i <= ELECTION_TICKS - 2; i++) {
      expect(readKind(c, 'a', `r${i}`)).toBe('lease');
      a.tick();
      c.processAll(true);
      c.network = [];
    }
    expect(['round', 'failed']).toContain(readKind(c, 'a', 'expired'));
  });

  it('a follower that heard the leader refuses other candidates for electionTicks of its own ticks', () => {
    const c = leaderWithLease();
    const b = c.node('b').raft;
    const vote = (term: number): Message => ({
      type: 'vote',
      from: 'c',
      to: 'b',
      term,
      lastLogIndex: 99,
      lastLogTerm: 99,
      force: false,
    });
    for (let i = 0; i < ELECTION_TICKS - 1; i++) b.tick();
    b.step(vote(b.status().term + 1));
    expect(b.ready().messages).toEqual([]);
    b.tick();
    b.step(vote(b.status().term + 1));
    expect(
      b
        .ready()
        .messages.filter((m) => m.type === 'voteResp')
        .map((m) => m.type === 'voteResp' && m.granted),
    ).toEqual([true]);
  });

  it('FOUND-BUGS #2 seed 21: no lease reads once a transfer started; the forced election wins inside the lease', () => {
    const c = leaderWithLease();
    const a = c.node('a').raft;
    expect(readKind(c, 'a', 'before')).toBe('lease');
    c.stabilize(true);
    expect(a.transferLeadership('b').ok).toBe(true);
    c.processAll(true);
    expect(c.network.map((m) => `${m.type}->${m.to}`)).toEqual(['timeoutNow->b']);
    // The leader is cut off right after its timeoutNow left (as in seed 21).
    c.deliver((m) => m.type === 'timeoutNow', new Set(), true);
    c.partition([['a'], ['b', 'c']]);
    c.stabilize(true);
    expect(c.node('b').raft.status().role).toBe('leader');
    expect(a.status().role).toBe('leader');
    // c was inside a's lease, yet the forced vote won: a must not answer from its lease.
    expect(readKind(c, 'a', 'during')).toBe('round');
  });

  it('an abandoned transfer does not bring the lease back in that term (timeoutNow may still arrive)', () => {
    const c = leaderWithLease();
    const a = c.node('a').raft;
    a.transferLeadership('b');
    c.processAll(true);
    const timeoutNow = take(c, (m) => m.type === 'timeoutNow');
    expect(timeoutNow.length).toBe(1);
    for (let i = 0; i < ELECTION_TICKS + 1; i++) {
      a.tick();
      c.stabilize(true);
    }
    expect(a.status().transferringTo).toBe(null);
    expect(a.status().role).toBe('leader');
    expect(readKind(c, 'a', 'after-abandon')).toBe('round');
    // The delayed timeoutNow still makes b win with forced votes.
    c.stabilize(true);
    for (const m of timeoutNow) c.deliverOne(m);
    c.partition([['a'], ['b', 'c']]);
    c.stabilize(true);
    expect(c.node('b').raft.status().role).toBe('leader');
  });

  it('FOUND-BUGS #2 seed 10: campaign() on a member inside the lease is ignored while lease reads are on', () => {
    const c = leaderWithLease();
    // a is cut off; b, inside a's lease, is asked to campaign by an operator.
    c.partition([['a'], ['b', 'c']]);
    c.node('b').raft.campaign();
    c.processAll(true);
    expect(c.node('b').raft.status().role).toBe('follower');
    expect(c.network).toEqual([]);
    expect(readKind(c, 'a', 'still')).toBe('lease');
    // Once the lease has run out on b and c, the operator's campaign goes ahead.
    c.network = [];
    for (let i = 0; i < ELECTION_TICKS; i++) {
      c.node('b').raft.tick();
      c.node('c').raft.tick();
    }
    c.processAll(true);
    c.network = [];
    c.node('b').raft.campaign();
    expect(c.node('b').raft.status().role).toBe('pre-candidate');
    expect(
      c
        .node('b')
        .raft.ready()
        .messages.map((m) => `${m.type}->${m.to}`),
    ).toEqual(['preVote->a', 'preVote->c']);
  });

  it('without lease reads, campaign() from inside a lease still starts an election', () => {
    const c = cluster(['a', 'b', 'c'], false);
    c.node('a').raft.campaign();
    c.stabilize(true);
    c.node('b').raft.campaign();
    c.processAll(true);
    expect(c.node('b').raft.status().role).toBe('pre-candidate');
  });

  it('a follower restarted inside the lease keeps refusing other candidates for an election timeout', () => {
    const c = leaderWithLease();
    const b = c.node('b');
    b.restart();
    c.processAll(true);
    c.network = [];
    const vote: Message = {
      type: 'vote',
      from: 'c',
      to: 'b',
      term: b.raft.status().term + 1,
      lastLogIndex: 99,
      lastLogTerm: 99,
      force: false,
    };
    b.raft.step(vote);
    expect(b.raft.ready().messages).toEqual([]);
    for (let i = 0; i < ELECTION_TICKS; i++) b.raft.tick();
    b.raft.step(vote);
    expect(
      b.raft
        .ready()
        .messages.filter((m) => m.type === 'voteResp')
        .map((m) => m.type === 'voteResp' && m.granted),
    ).toEqual([true]);
  });
});
