// Goal: any member can write and change the membership (DESIGN §3): a follower's `submit`
// entries are committed and applied on every member; a learner added, promoted and removed,
// and a leadership transfer, all requested on followers, complete; a forwarded change the
// leader refuses times out; with no leader known, requests are refused with NotLeader.
// Method: real RaftNodes over WsTransports on 127.0.0.1 with DurableLogs in temp directories
// (the shared runtime cluster helpers); every wait polls with a generous bound, no timings.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalMember, waitFor, waitForLeader } from '../../src/demo/local-cluster';
import { NotLeaderError, TimeoutError } from '../../src/runtime/errors';
import { ChecksumStateMachine, payload } from './checksum-state-machine';
import { cleanUpAfterEach, type Member, onCleanup, secret, sm, startCluster, tempDir, tickMs, waitMs } from './cluster';

cleanUpAfterEach();

function followersOf(members: Map<string, Member>, leader: Member): Member[] {
  return [...members.values()].filter((member) => member.id !== leader.id);
}

/** Requests that resolved on their first try; see `changeEventually`. */
let firstTries = 0;

/**
 * Makes a forwarded request as a client would: if leadership moved meanwhile (a stalled CI
 * machine can trigger an election), the forward may be lost and the call times out; then it
 * retries unless `done` shows the change happened anyway.
 */
async function changeEventually(call: () => Promise<void>, done: () => boolean): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await call();
      if (attempt === 0) firstTries++;
      return;
    } catch (error) {
      if (!(error instanceof TimeoutError || error instanceof NotLeaderError)) throw error;
    }
    if (done()) return;
    if (Date.now() > deadline) throw new Error('the forwarded request never completed');
  }
}

describe('RaftNode forwarding on a real three-member cluster', () => {
  it("a follower's submits are committed and applied on every member", async () => {
    const { members } = await startCluster(['n1', 'n2', 'n3']);
    const leader = await waitForLeader(members.values(), waitMs);
    const [follower, other] = followersOf(members, leader) as [Member, Member];

    const total = 2_000;
    await Promise.all(Array.from({ length: total }, (_, i) => follower.node.submit(payload(i))));
    // On the leader, submit appends locally.
    await leader.node.submit(payload(total));
    await other.node.submit(payload(total + 1));
    const all = [...members.values()];
    // Loopback does not duplicate frames, so every id arrives exactly once (a real network
    // could apply a forward twice: the application recognises its ids).
    await waitFor('every member to apply every submit', () => all.every((m) => sm(m).ids.size === total + 2), waitMs);
    await waitFor('equal digests', () => new Set(all.map((m) => sm(m).digest())).size === 1, waitMs);
    for (const member of all) expect(sm(member).count).toBe(total + 2);
    expect(follower.node.status().pendingRequests).toBe(0);

    await expect(follower.node.submit(new Uint8Array())).rejects.toMatchObject({ code: 'INVALID_PROPOSAL' });
    // `propose` keeps its meaning: leader only, answered with the apply result.
    await expect(follower.node.propose(payload(0))).rejects.toBeInstanceOf(NotLeaderError);
    await follower.node.stop();
    await expect(follower.node.submit(payload(1))).rejects.toMatchObject({ code: 'NODE_STOPPED' });
  });

  it('adds, promotes and removes a member and transfers leadership, all requested on followers', async () => {
    const { baseDir, members } = await startCluster(['n1', 'n2', 'n3'], { requestTimeoutMs: 3_000 });
    const leader = await waitForLeader(members.values(), waitMs);
    const [first, second] = followersOf(members, leader) as [Member, Member];
    await first.node.submit(payload(0));

    const joiner = await startLocalMember<number>({
      id: 'n4',
      dir: join(baseDir, 'n4'),
      stateMachine: new ChecksumStateMachine(),
      clusterSecret: secret,
      tickMs,
      peers: new Map([...members.values()].map((member) => [member.id, member.url])),
    });
    onCleanup(() => joiner.node.stop());
    const all = [...members.values(), joiner];

    // Each call resolves once the change is applied on the member it was made on.
    const conf = (member: Member) => member.node.status().conf;
    await changeEventually(
      () => first.node.addLearner('n4', joiner.url),
      () => conf(first).learners.includes('n4'),
    );
    expect(conf(first).learners).toEqual(['n4']);
    await waitFor('n4 to catch up', () => sm(joiner).ids.has(0), waitMs);
    await changeEventually(
      () => second.node.promote('n4'),
      () => conf(second).voters.includes('n4'),
    );
    expect(conf(second).voters).toContain('n4');
    // The promoter resolved once it applied the promotion: its applied index covers it.
    const promotedAt = second.node.status().appliedIndex;
    for (const member of members.values()) {
      await waitFor(
        `${member.id} to learn n4's address`,
        () => member.node.status().peers.get('n4') === joiner.url,
        waitMs,
      );
    }

    // A change the leader refuses (n4 is no longer a learner) is dropped: the caller times out.
    // The caller must have applied the promotion itself first: a forwarded change resolves when
    // its member applies a matching entry, and the earlier promotion would match. Its
    // configuration is not enough: it changes at the commit, and the entry is applied only once
    // that commit is durable.
    await waitFor(
      'the first follower to apply the promotion',
      () => first.node.status().appliedIndex >= promotedAt,
      waitMs,
    );
    await expect(first.node.promote('n4')).rejects.toBeInstanceOf(TimeoutError);

    await changeEventually(
      () => first.node.transferLeadership(second.id),
      () => first.node.leaderInfo().leader === second.id,
    );
    expect(first.node.leaderInfo().leader).toBe(second.id);
    await waitForLeader(all, waitMs);

    // Now the old leader is a follower: it removes n4 through the new leader.
    const oldLeader = leader;
    await changeEventually(
      () => oldLeader.node.removeMember('n4'),
      () => !conf(oldLeader).voters.includes('n4'),
    );
    expect(conf(oldLeader)).toEqual({ voters: expect.not.arrayContaining(['n4']), learners: [] });
    await waitFor(
      'every member to drop n4',
      () => [...members.values()].every((member) => !member.node.status().conf.voters.includes('n4')),
      waitMs,
    );
    await leader.node.submit(payload(1));
    await waitFor('the write after the removal', () => [...members.values()].every((m) => sm(m).ids.has(1)), waitMs);
    // Retries only cover leadership moving under load: most requests resolve at once.
    expect(firstTries).toBeGreaterThan(0);
  });

  it('refuses requests with NotLeader while no leader is known', async () => {
    const dir = await tempDir();
    // One voter of three, the others never started: it never learns of a leader.
    const alone = await startLocalMember<number>({
      id: 'n1',
      dir: join(dir, 'n1'),
      stateMachine: new ChecksumStateMachine(),
      clusterSecret: secret,
      tickMs,
      bootstrap: { voters: ['n1', 'n2', 'n3'], learners: [] },
    });
    onCleanup(() => alone.node.stop());
    const noLeader = { code: 'NOT_LEADER', leader: null, leaderUrl: null };
    await expect(alone.node.submit(payload(0))).rejects.toMatchObject(noLeader);
    await expect(alone.node.addLearner('n4', 'ws://127.0.0.1:1')).rejects.toMatchObject(noLeader);
    await expect(alone.node.promote('n2')).rejects.toMatchObject(noLeader);
    await expect(alone.node.removeMember('n2')).rejects.toMatchObject(noLeader);
    await expect(alone.node.transferLeadership('n2')).rejects.toMatchObject(noLeader);
    expect(alone.node.status().pendingRequests).toBe(0);
  });
});
