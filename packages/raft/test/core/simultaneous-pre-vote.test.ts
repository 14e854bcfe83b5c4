/**
 * Goal: two members that start a pre-vote at the same moment (members started together tick in
 * step, and after a leader crash both survivors' timers may fire in the same tick) elect one
 * leader in that round instead of both winning the pre-vote, splitting the real vote and
 * waiting out another election timeout. A pre-candidate that grants an equal log with a greater
 * id gives up its own round; a better log still wins whatever the ids. (A pre-candidate whose
 * round went unanswered is not waited on: scenario check-quorum.txt.)
 * Method: the in-memory harness, three members; n1 is cut off, then n2 and n3 campaign before
 * any message is delivered, so each one's pre-vote reaches the other while it is itself a
 * pre-candidate. No ticks are given, so a second round cannot hide a split.
 */
import { describe, expect, it } from 'vitest';
import { Raft } from '../../src/core/raft';
import { Cluster, laggingSurvivor, leaderCluster } from './harness';

describe('raft core - two pre-votes at once', () => {
  it('elect the greater id in one round when the logs are equal', () => {
    const c = leaderCluster();
    const term = c.node('n2').raft.status().term;
    c.partition([['n1'], ['n2', 'n3']]);
    c.node('n2').raft.campaign();
    c.node('n3').raft.campaign();
    c.stabilize(true);
    expect(c.node('n3').raft.status()).toMatchObject({ role: 'leader', term: term + 1 });
    expect(c.node('n2').raft.status()).toMatchObject({ role: 'follower', leader: 'n3', term: term + 1 });
  });

  it('elect the better log in one round whatever the ids', () => {
    const c = laggingSurvivor();
    const term = c.node('n2').raft.status().term;
    c.node('n3').raft.campaign();
    c.node('n2').raft.campaign();
    c.stabilize(true);
    expect(c.node('n2').raft.status()).toMatchObject({ role: 'leader', term: term + 1 });
    expect(c.node('n3').raft.status()).toMatchObject({ role: 'follower', leader: 'n2', term: term + 1 });
  });

  it('elect the greatest id in one round among three pre-candidates of five', () => {
    const c = new Cluster();
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
    for (const [i, id] of ids.entries()) c.add(id, Raft.bootstrap({ voters: ids, learners: [] }), {}, i + 1);
    c.node('n1').raft.campaign();
    c.stabilize(true);
    const term = c.node('n1').raft.status().term;
    c.partition([['n1'], ['n2', 'n3', 'n4', 'n5']]);
    c.node('n3').raft.campaign();
    c.node('n5').raft.campaign();
    c.node('n4').raft.campaign();
    c.stabilize(true);
    expect(c.node('n5').raft.status()).toMatchObject({ role: 'leader', term: term + 1 });
    for (const id of ['n2', 'n3', 'n4'])
      expect(c.node(id).raft.status()).toMatchObject({ role: 'follower', leader: 'n5', term: term + 1 });
  });
});
