// Goal: RaftNode drives real members to agreement: it elects a leader, replicates thousands of
// concurrent proposals, fails over when the leader stops, catches a restarted member up with
// a snapshot after the others compacted, answers NotLeader with the leader's address, serves
// linearizable reads on followers, and grows the cluster with a learner that is then promoted.
// Method: everything real — RaftNodes over WsTransports on 127.0.0.1 (ephemeral ports) with
// DurableLogs in temp directories, a digest state machine to compare members. No timing
// thresholds: every wait polls with a generous upper bound and fails the test when exceeded.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalCluster, startLocalMember, waitFor, waitForLeader } from '../../src/demo/local-cluster';
import { NotLeaderError, type RaftNodeError } from '../../src/runtime/errors';
import { ChecksumStateMachine, payload } from './checksum-state-machine';
import {
  cleanUpAfterEach,
  type Member,
  onCleanup,
  secret,
  sm,
  startCluster,
  tempDir,
  tickMs,
  waitConverged,
  waitMs,
} from './cluster';

const retryable = new Set(['NOT_LEADER', 'PROPOSAL_DROPPED', 'TRANSFERRING', 'NODE_STOPPED']);

cleanUpAfterEach();

/** Proposes through whoever leads, retrying while leadership moves. */
async function proposeEventually(members: () => Iterable<Member>, data: Uint8Array): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const leader = [...members()].find((member) => member.node.isLeader());
    if (leader !== undefined) {
      try {
        return await leader.node.propose(data);
      } catch (error) {
        if (!retryable.has((error as RaftNodeError).code)) throw error;
      }
    }
    if (Date.now() > deadline) throw new Error('no leader accepted the proposal in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RaftNode on a real three-member cluster', () => {
  it('replicates 10,000 concurrent proposals, redirects followers, reads linearizably and fails over', async () => {
    const { members } = await startCluster(['n1', 'n2', 'n3']);
    await waitForLeader(members.values(), waitMs);

    const total = 10_000;
    const results = await Promise.all(
      Array.from({ length: total }, (_, i) => proposeEventually(() => members.values(), payload(i))),
    );
    // Each proposal resolves with the count after its own apply: all distinct, none lost.
    expect(new Set(results).size).toBe(total);
    const list = [...members.values()];
    await waitConverged(list);
    for (const member of list) {
      expect(sm(member).ids.size).toBe(total);
      expect(sm(member).count).toBe(total);
    }

    const current = await waitForLeader(list, waitMs);
    const follower = list.find((member) => member.id !== current.id)!;
    const refusal = await follower.node.propose(payload(1)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NotLeaderError);
    expect(refusal).toMatchObject({ code: 'NOT_LEADER', leader: current.id, leaderUrl: current.url });

    // A read on a follower after a write resolves only once the follower applied that write.
    const count = await current.node.propose(payload(total));
    await follower.node.readIndex();
    expect(sm(follower).count).toBeGreaterThanOrEqual(count);

    await current.node.stop();
    const survivors = list.filter((member) => member.id !== current.id);
    const next = await waitForLeader(survivors, waitMs);
    expect(next.id).not.toBe(current.id);
    for (let i = 0; i < 100; i++) await proposeEventually(() => survivors, payload(total + 1 + i));
    await waitConverged(survivors);
    expect(sm(next).count).toBe(total + 101);
    await expect(current.node.propose(payload(0))).rejects.toMatchObject({ code: 'NODE_STOPPED' });
  });

  it('catches a restarted member up with a snapshot after the others compacted', async () => {
    const { members } = await startCluster(['n1', 'n2', 'n3'], { snapshotEveryEntries: 200 });
    await waitForLeader(members.values(), waitMs);
    const live = () => [...members.values()].filter((member) => !member.node.status().stopped);
    await Promise.all(Array.from({ length: 300 }, (_, i) => proposeEventually(live, payload(i))));
    await waitConverged([...members.values()]);

    const leader = await waitForLeader(members.values(), waitMs);
    const stopped = [...members.values()].find((member) => member.id !== leader.id)!;
    const stoppedLast = stopped.node.status().lastIndex;
    await stopped.node.stop();

    await Promise.all(Array.from({ length: 2_000 }, (_, i) => proposeEventually(live, payload(300 + i))));
    const others = live();
    // Every survivor compacted past what the stopped member has, so only a snapshot can help it.
    await waitFor(
      'survivors to compact past the stopped member',
      () => others.every((member) => member.node.status().firstIndex > stoppedLast + 1),
      waitMs,
    );
    for (const member of others) expect(member.node.status().stats.snapshotsTaken).toBeGreaterThan(0);
    // They keep no copy of the snapshot in memory: the leader reads what it sends from the file.
    for (const member of others) expect(member.node.status().stats.snapshotBytesInMemory).toBe(0);

    const restarted = await startLocalMember<number>({
      id: stopped.id,
      dir: stopped.dir,
      port: stopped.port,
      stateMachine: new ChecksumStateMachine(),
      clusterSecret: secret,
      tickMs,
      snapshotEveryEntries: 200,
      peers: new Map([...members.values()].map((member) => [member.id, member.url])),
    });
    members.set(restarted.id, restarted);
    onCleanup(() => restarted.node.stop());

    await waitConverged(live());
    expect(restarted.node.status().stats.snapshotsInstalled).toBeGreaterThan(0);
    expect(restarted.node.status().stats.snapshotBytesInMemory).toBe(0);
    expect(sm(restarted).restores).toBeGreaterThan(0);
    expect(sm(restarted).ids.size).toBe(2_300);
  });

  it('adds a fourth member as a learner, then promotes it to voter', async () => {
    const { baseDir, members } = await startCluster(['n1', 'n2', 'n3']);
    const leader = await waitForLeader(members.values(), waitMs);
    await Promise.all(Array.from({ length: 500 }, (_, i) => leader.node.propose(payload(i))));

    const joiner = await startLocalMember<number>({
      id: 'n4',
      dir: join(baseDir, 'n4'),
      stateMachine: new ChecksumStateMachine(),
      clusterSecret: secret,
      tickMs,
      peers: new Map([...members.values()].map((member) => [member.id, member.url])),
    });
    onCleanup(() => joiner.node.stop());

    await leader.node.addLearner('n4', joiner.url);
    await leader.node.propose(payload(500));
    const all = [...members.values(), joiner];
    await waitConverged(all);
    expect(leader.node.status().conf.learners).toEqual(['n4']);
    expect(joiner.node.isLeader()).toBe(false);

    await leader.node.promote('n4');
    await waitFor(
      'every member to count n4 as a voter',
      () => all.every((member) => member.node.status().conf.voters.includes('n4')),
      waitMs,
    );
    await leader.node.propose(payload(501));
    await waitConverged(all);
    expect(sm(joiner).ids.size).toBe(502);
    // Every member learned n4's address from the committed change.
    for (const member of members.values()) expect(member.node.status().peers.get('n4')).toBe(joiner.url);
  });
  it('transfers leadership, throttles beyond the pending limit, and stops waiting on abort', async () => {
    const baseDir = await tempDir();
    const members = await startLocalCluster<number>({
      ids: ['n1', 'n2', 'n3'],
      baseDir,
      clusterSecret: secret,
      tickMs,
      maxPendingRequests: 8,
      createStateMachine: () => new ChecksumStateMachine(),
    });
    onCleanup(async () => {
      await Promise.allSettled([...members.values()].map((member) => member.node.stop()));
    });
    const leader = await waitForLeader(members.values(), waitMs);
    await leader.node.propose(payload(0));

    const target = [...members.values()].find((member) => member.id !== leader.id)!;
    const roles: string[] = [];
    target.node.on('roleChange', ({ role }) => roles.push(role));
    const seenLeaders: (string | null)[] = [];
    leader.node.on('leaderChange', ({ leader: id }) => seenLeaders.push(id));
    await leader.node.transferLeadership(target.id);
    const next = await waitForLeader(members.values(), waitMs);
    expect(next.id).toBe(target.id);
    expect(roles.at(-1)).toBe('leader');
    expect(seenLeaders.at(-1)).toBe(target.id);

    // Eight requests fill the window; the ninth is refused at once.
    const accepted = Array.from({ length: 8 }, (_, i) => next.node.propose(payload(100 + i)));
    await expect(next.node.propose(payload(200))).rejects.toMatchObject({ code: 'THROTTLED', limit: 8 });
    await Promise.all(accepted);

    const controller = new AbortController();
    controller.abort();
    await expect(next.node.propose(payload(300), { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    await expect(next.node.propose(new Uint8Array())).rejects.toMatchObject({ code: 'INVALID_PROPOSAL' });
  });
});
