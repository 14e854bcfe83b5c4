// Goal: the chaos cluster really runs separate member processes whose faults change who leads:
// kill -9 and SIGSTOP of the leader and an isolating partition each make another member lead,
// restart and heal bring the member back, and destroy leaves no process behind.
// Method: a real 3-member cluster of keel-server processes (needs `npx nx run @keel/server:build`)
// with proxies on every peer link; leadership is read from the members themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosCluster } from '../src/cluster/cluster';
import { trackedChildren } from '../src/cluster/teardown';

let cluster: ChaosCluster;

beforeAll(async () => {
  cluster = await ChaosCluster.start({ nodes: 3 });
});

afterAll(async () => {
  await cluster?.destroy();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ChaosCluster', () => {
  it('runs one process per member, each behind its own proxies', async () => {
    const pids = cluster.ids.map((id) => cluster.member(id).pid);
    expect(new Set(pids).size).toBe(3);
    for (const pid of pids) expect(alive(pid!)).toBe(true);
    // The leader reaches every follower through its own proxies. (Two followers need never talk
    // to each other, so a check on one fixed pair of members fails whenever the third leads.)
    const leader = await cluster.waitForLeader();
    const followers = cluster.ids.filter((id) => id !== leader);
    const deadline = Date.now() + 10_000;
    while (followers.some((id) => cluster.proxy(leader, id).stats.connectionsAccepted === 0)) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const id of followers) expect(cluster.proxy(leader, id).stats.connectionsAccepted).toBeGreaterThan(0);
  });

  it('kill -9 of the leader makes another member lead; the killed one restarts and rejoins', async () => {
    const first = await cluster.waitForLeader();
    await cluster.kill(first);
    expect(cluster.member(first).state).toBe('stopped');
    const second = await cluster.waitForLeader();
    expect(second).not.toBe(first);
    await cluster.startMember(first);
    expect(cluster.member(first).starts).toBe(2);
    expect(await cluster.waitForLeader()).toBeDefined();
  });

  it('an isolated leader is replaced by a leader of the majority', async () => {
    const old = await cluster.waitForLeader();
    cluster.isolate(old);
    const deadline = Date.now() + 30_000;
    let views = await cluster.leaderViews();
    // The isolated member may still believe it leads for a while; the majority must elect another.
    while (!views.some((v) => v.leads && v.memberId !== old)) {
      if (Date.now() > deadline) throw new Error(`no new leader: ${JSON.stringify(views)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      views = await cluster.leaderViews();
    }
    expect(cluster.proxy(old, cluster.ids.find((id) => id !== old)!).stats.bytesDropped).toBeGreaterThan(0);
    cluster.healNetwork();
    await cluster.waitForLeader();
  });

  it('a SIGSTOPped leader is replaced; after SIGCONT one leader remains', async () => {
    const old = await cluster.waitForLeader();
    cluster.pause(old);
    expect(cluster.member(old).state).toBe('paused');
    const next = await cluster.waitForLeader();
    expect(next).not.toBe(old);
    cluster.resume(old);
    await cluster.waitForLeader();
  });

  it('destroy kills every member, paused ones too', async () => {
    const pids = cluster.ids.map((id) => cluster.member(id).pid!);
    cluster.pause(cluster.ids[0]!);
    await cluster.destroy();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(trackedChildren()).toBe(0);
  });
});
