/**
 * Goal: the unanswered `commit` message. When the leader's commit index moves and no append is
 * due to a follower in replicate state, the follower hears of it in a `commit` message, which
 * it does not answer (an empty append would be answered: a fifth of every write's messages);
 * a follower commits only up to where its log is known to match the leader's; a `commit` from
 * a new leader's term makes a candidate follow, and one from a stale leader gets the current
 * term back (with check-quorum or pre-vote) so that leader steps down.
 * Method: the in-memory harness with a stable three-member cluster; the test intercepts the
 * messages it cares about and delivers them by hand.
 */
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig, Raft, type RaftConfig } from '../../src/core/raft';
import { type Entry, EntryType, type Message } from '../../src/core/types';
import { type Cluster, leaderCluster, seededRandom } from './harness';

const encoder = new TextEncoder();
type CommitMessage = Extract<Message, { type: 'commit' }>;

function stableCluster(): Cluster {
  const c = leaderCluster();
  // One more write, so that every follower is in replicate state.
  c.node('n1').raft.propose(encoder.encode('warm-up'));
  c.stabilize(true);
  c.takeOutput();
  return c;
}

/**
 * Runs every Ready and delivers every message except those `hold` keeps back; returns the
 * held messages, or with `all` every message sent.
 */
function runHolding(c: Cluster, hold: (m: Message) => boolean, all = false): Message[] {
  const held: Message[] = [];
  for (let round = 0; round < 100; round++) {
    const processed = c.processAll(true);
    held.push(...c.network.filter((m) => all || hold(m)));
    c.network = c.network.filter((m) => !hold(m));
    const delivered = c.deliver(() => true, new Set(), true);
    if (!processed && delivered === 0) return held;
  }
  throw new Error('no quiescence');
}

const config = (id: string, extra: Partial<RaftConfig> = {}): RaftConfig => ({
  ...defaultRaftConfig,
  id,
  random: seededRandom(7),
  ...extra,
});
const entry = (index: number, term: number): Entry => ({ index, term, type: EntryType.Normal, data: new Uint8Array() });

describe('raft core - commit message', () => {
  it('tells followers a new commit index without an answer, and they apply', () => {
    const c = stableCluster();
    c.node('n1').raft.propose(encoder.encode('x'));
    const sent = runHolding(c, () => false, true);
    const commits = sent.filter((m): m is CommitMessage => m.type === 'commit');
    expect(commits.map((m) => m.to).sort()).toEqual(['n2', 'n3']);
    const { commit, lastIndex } = c.node('n1').raft.status();
    for (const m of commits) expect(m).toMatchObject({ from: 'n1', index: lastIndex, commit });
    // One append and one answer per follower, one commit each, nothing else.
    expect(sent.map((m) => `${m.from}->${m.to} ${m.type}`).sort()).toEqual([
      'n1->n2 append',
      'n1->n2 commit',
      'n1->n3 append',
      'n1->n3 commit',
      'n2->n1 appendResp',
      'n3->n1 appendResp',
    ]);
    for (const id of ['n1', 'n2', 'n3']) expect(c.node(id).applied).toEqual(['warm-up', 'x']);
  });

  it('a follower that lacks the entry at index ignores it; the next append commits', () => {
    const c = stableCluster();
    c.node('n1').raft.propose(encoder.encode('y'));
    // n3's copy of the append is lost: it acks nothing, the commit for it finds no entry.
    const lost = runHolding(c, (m) => m.type === 'append' && m.to === 'n3');
    expect(lost).toHaveLength(1);
    expect(c.node('n2').applied).toEqual(['warm-up', 'y']);
    expect(c.node('n3').applied).toEqual(['warm-up']);
    expect(c.node('n3').raft.status().commit).toBe(c.node('n3').raft.status().lastIndex);
    // A heartbeat round finds n3 behind and sends the entry again.
    c.node('n1').raft.tick();
    c.stabilize(true);
    expect(c.node('n3').applied).toEqual(['warm-up', 'y']);
  });

  it('commits only up to index, never to a commit beyond what the follower matches', () => {
    const raft = new Raft(config('b'), {
      hardState: { term: 2, vote: 'a', commit: 1 },
      snapshot: null,
      entries: [entry(1, 1), entry(2, 2), entry(3, 2)],
    });
    raft.step({ type: 'commit', from: 'a', to: 'b', term: 2, index: 2, logTerm: 2, commit: 3 });
    expect(raft.status().commit).toBe(2);
    // A term that does not match at index: nothing moves.
    raft.step({ type: 'commit', from: 'a', to: 'b', term: 2, index: 3, logTerm: 1, commit: 3 });
    expect(raft.status().commit).toBe(2);
    expect(raft.ready().messages).toEqual([]);
  });

  it('makes a candidate of the same term follow, and answers a stale leader with the current term', () => {
    const candidate = new Raft(config('b', { checkQuorum: true }), {
      hardState: { term: 3, vote: 'b', commit: 1 },
      snapshot: null,
      entries: [entry(1, 1)],
    });
    candidate.campaign();
    const term = candidate.status().term;
    candidate.step({ type: 'commit', from: 'a', to: 'b', term, index: 1, logTerm: 1, commit: 1 });
    expect(candidate.status()).toMatchObject({ role: 'follower', leader: 'a', term });
    candidate.ready();
    candidate.step({ type: 'commit', from: 'c', to: 'b', term: term - 1, index: 1, logTerm: 1, commit: 1 });
    expect(candidate.ready().messages).toEqual([
      { type: 'appendResp', from: 'b', to: 'c', term, success: false, index: 0, hintIndex: 0, hintTerm: 0 },
    ]);
  });
});
