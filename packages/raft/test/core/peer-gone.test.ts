/**
 * Goal: `peerGone`, the driver's hint that a peer's connection closed. A follower whose leader
 * is gone lets its lease lapse (grants votes again) and campaigns within a few ticks
 * (`peerGoneWaitTicks`), unless the leader is heard from meanwhile; the survivors of 3 and of 5
 * members elect a new leader within those ticks for every one of 300 seeds.
 * The hint changes nothing for another peer, for a leader, with lease reads (whose safety rests
 * on nobody voting within a lease), or for a learner; and a leader that is still alive for the
 * others keeps its term (pre-vote) and is followed again at its next message.
 * Method: the in-memory harness with a stable cluster of three (and of five) members, counting
 * ticks.
 */
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig, peerGoneWaitTicks } from '../../src/core/raft';
import { type Cluster, leaderCluster } from './harness';

/** Cuts n1 off and ticks every other member until one of them leads; returns the ticks it took. */
function ticksToNewLeader(c: Cluster): number {
  const survivors = [...c.nodes.keys()].filter((id) => id !== 'n1');
  c.partition([['n1'], survivors]);
  for (let ticks = 1; ticks <= 100; ticks++) {
    for (const id of survivors) c.node(id).raft.tick();
    c.stabilize(true);
    if (survivors.some((id) => c.node(id).raft.status().role === 'leader')) return ticks;
  }
  throw new Error('no new leader in 100 ticks');
}

describe('raft core - peer gone', () => {
  it('followers of a leader that is gone elect a new one before an election timeout', () => {
    const c = leaderCluster();
    const electionTicks = c.node('n2').config.electionTicks;
    c.node('n2').raft.peerGone('n1');
    c.node('n3').raft.peerGone('n1');
    // Nothing visible until the campaign: a link that comes back at once changes nothing.
    expect(c.node('n2').raft.status()).toMatchObject({ role: 'follower', leader: 'n1' });
    expect(ticksToNewLeader(c)).toBeLessThan(electionTicks);
  });

  for (const size of [3, 5]) {
    it(`${size} members: the survivors elect within the hint's few ticks, whatever the draws`, () => {
      const waits: number[] = [];
      for (let seed = 1; seed <= 300; seed++) {
        const c = leaderCluster({}, size, seed * 16);
        for (const id of c.nodes.keys()) if (id !== 'n1') c.node(id).raft.peerGone('n1');
        waits.push(ticksToNewLeader(c));
      }
      // Survivors that draw the same tick settle it in the pre-vote round, not by a split vote
      // and another timeout.
      expect(Math.max(...waits)).toBeLessThanOrEqual(peerGoneWaitTicks(defaultRaftConfig.electionTicks));
    });
  }

  it('without the hint the same loss waits out an election timeout', () => {
    const c = leaderCluster();
    expect(ticksToNewLeader(c)).toBeGreaterThanOrEqual(c.node('n2').config.electionTicks);
  });

  it('a message from the leader before the campaign cancels it', () => {
    const c = leaderCluster();
    const term = c.node('n1').raft.status().term;
    c.node('n2').raft.peerGone('n1');
    c.node('n1').raft.tick();
    c.stabilize(true);
    for (let ticks = 0; ticks < c.node('n2').config.electionTicks; ticks++) {
      c.node('n2').raft.tick();
      c.node('n2').raft.ready();
    }
    expect(c.node('n2').raft.status()).toMatchObject({ role: 'follower', leader: 'n1', term });
  });

  it('one follower losing its link does not depose a leader the other still hears', () => {
    const c = leaderCluster();
    const term = c.node('n1').raft.status().term;
    c.node('n2').raft.peerGone('n1');
    for (let ticks = 0; ticks < c.node('n2').config.electionTicks; ticks++) {
      c.node('n2').raft.tick();
      c.stabilize(true);
    }
    expect(c.node('n2').raft.status().role).toBe('pre-candidate');
    // n2's pre-vote met n3, still in n1's lease; n1 keeps its term and n2 follows it again.
    expect(c.node('n1').raft.status()).toMatchObject({ role: 'leader', term });
    c.node('n1').raft.tick();
    c.stabilize(true);
    expect(c.node('n2').raft.status()).toMatchObject({ role: 'follower', leader: 'n1', term });
  });

  it('is ignored for another peer, on the leader, and with lease reads', () => {
    const c = leaderCluster();
    c.node('n2').raft.peerGone('n3');
    c.node('n1').raft.peerGone('n2');
    expect(c.node('n2').raft.status().leader).toBe('n1');
    expect(c.node('n1').raft.status().role).toBe('leader');
    const leased = leaderCluster({ leaseReads: true });
    leased.node('n2').raft.peerGone('n1');
    expect(leased.node('n2').raft.status().leader).toBe('n1');
    leased.node('n2').raft.tick();
    expect(leased.node('n2').raft.ready().messages).toEqual([]);
  });
});
