/**
 * Goal: with pipelined Ready cycles, a follower still acknowledges only what is durable: while
 * its fsyncs are held, the leader cannot count it, however many cycles the follower runs
 * meanwhile; a follower's forwards still leave at once; once the fsyncs finish, everything
 * commits and the members converge.
 * Method: a real three-member cluster; both followers' `storage.sync()` calls are held (and
 * later released in order). The leader proposes entries the followers receive; then one
 * follower submits a write, whose forward travels the same link after any acknowledgement that
 * follower might have sent. Once the leader has appended the forwarded write, its commit index
 * must still be below the held entries (with acknowledgements leaving early, the leader's own
 * durable copy and that follower's ack would already make a quorum).
 */
import { describe, expect, it } from 'vitest';
import { waitFor, waitForLeader } from '../../src/demo/local-cluster';
import { cleanUpAfterEach, holdSyncs, type Member, startCluster, waitConverged, waitMs } from './cluster';

cleanUpAfterEach();

const encoder = new TextEncoder();

describe('pipelined Ready cycles', () => {
  it('a follower acknowledges entries only once its fsync finished; its forwards leave at once', async () => {
    const { members } = await startCluster(['a', 'b', 'c']);
    const leader = await waitForLeader(members.values(), waitMs);
    const [first, second] = [...members.values()].filter((member) => member !== leader) as [Member, Member];
    await leader.node.propose(encoder.encode('warm-up'));

    const releaseFirst = holdSyncs(first).release;
    const releaseSecond = holdSyncs(second).release;
    const from = leader.node.status().lastIndex + 1;
    const proposals = Array.from({ length: 20 }, (_, i) => leader.node.propose(encoder.encode(`held-${i}`)));
    const to = from + proposals.length - 1;
    await waitFor(
      'the followers to take the entries',
      () => {
        return [first, second].every((member) => member.node.status().lastIndex >= to);
      },
      waitMs,
    );

    const leaderLast = leader.node.status().lastIndex;
    void first.node.submit(encoder.encode('forwarded')).catch(() => {});
    await waitFor('the forwarded write on the leader', () => leader.node.status().lastIndex > leaderLast, waitMs);
    expect(leader.node.status().commit).toBeLessThan(from);

    releaseFirst();
    releaseSecond();
    await Promise.all(proposals);
    expect(leader.node.status().commit).toBeGreaterThanOrEqual(to);
    await waitConverged([...members.values()]);
  });
});
