/**
 * Goal: a follower whose log is ahead of a pre-candidate's, and whose leader's links closed
 * (`peerGone`), refuses the pre-vote and campaigns at once: after a leader crash the lagging
 * survivor often times out first, and the cluster no longer waits out the other survivor's
 * timeout. Inside a leader's lease nothing changes: the stale pre-vote gets no answer. A lease
 * that merely lapsed (a slow leader, links open) is not enough either: the follower refuses and
 * waits for its own timer, so a slow leader does not lose its lead to a lagging member.
 * Method: the in-memory harness, three members; n3 misses an entry, then n1 is cut off and n3
 * campaigns first. No ticks are given after the cut, so a campaign can only come from the
 * refused pre-vote.
 */
import { describe, expect, it } from 'vitest';
import { laggingSurvivor } from './harness';

describe('raft core - a pre-vote from a lagging member', () => {
  it('makes a follower that is ahead and has no leader campaign at once, and win', () => {
    const c = laggingSurvivor();
    const term = c.node('n2').raft.status().term;
    c.node('n2').raft.peerGone('n1');
    c.node('n3').raft.campaign();
    c.stabilize(true);
    expect(c.node('n2').raft.status()).toMatchObject({ role: 'leader', term: term + 1 });
    expect(c.node('n3').raft.status()).toMatchObject({ role: 'follower', leader: 'n2', term: term + 1 });
  });

  it('gets no answer from a follower inside its leader lease, which stays', () => {
    const c = laggingSurvivor();
    const term = c.node('n2').raft.status().term;
    c.node('n3').raft.campaign();
    c.stabilize(true);
    expect(c.node('n2').raft.status()).toMatchObject({ role: 'follower', leader: 'n1', term });
    expect(c.node('n3').raft.status().role).toBe('pre-candidate');
  });

  it('makes a follower whose lease merely lapsed refuse and wait for its own timer', () => {
    const c = laggingSurvivor();
    const electionTicks = c.node('n2').config.electionTicks;
    for (let ticks = 0; ticks < electionTicks; ticks++) {
      c.node('n2').raft.tick();
      c.node('n2').raft.ready();
    }
    expect(c.node('n2').raft.status().role).toBe('follower');
    c.node('n3').raft.campaign();
    c.stabilize(true);
    expect(c.node('n2').raft.status().role).toBe('follower');
    expect(c.node('n3').raft.status().role).toBe('pre-candidate');
  });
});
