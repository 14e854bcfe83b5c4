// Goal: guard anomaly 1 of docs/testing.md as deterministic scenarios: a Mutex holder whose
// member is cut off from the rest must learn that its lease is in doubt (`suspended`, so the
// standard error policy revokes it) before another client can take the lock. The isolated case
// is fixed by the leaderless close (3b06b9f), the one-way case (the member still hears the
// leader) by the session-report round-trip check (`apps/server/src/server/report-round-trip.ts`).
// Method: a real 3-member cluster; client A talks only to a follower, takes the lock; the
// follower is isolated (proxies drop its peer traffic); client B, on the majority, waits for
// the lock. Order of "A revoked" and "B acquired" is compared, not durations.
import { connect } from '@keel/client';
import { Mutex } from '@keel/recipes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosCluster } from '../src/cluster/cluster';

describe('a lock holder behind a cut-off member (anomaly 1)', () => {
  let cluster: ChaosCluster;
  beforeAll(async () => {
    cluster = await ChaosCluster.start({ nodes: 3 });
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  /** Client A on `follower` takes the lock, `cut()` cuts the follower off, client B on the majority takes the lock. */
  async function lockAcrossCut(name: string, cut: (follower: string) => void): Promise<string[]> {
    const leader = await cluster.waitForLeader();
    const [follower, majority] = cluster.ids.filter((id) => id !== leader) as [string, string];
    const a = await connect({ servers: [cluster.member(follower).clientUrl], sessionTimeoutMs: 8_000 });
    const b = await connect({
      servers: [cluster.member(majority).clientUrl, cluster.member(leader).clientUrl],
      sessionTimeoutMs: 8_000,
    });
    const order: string[] = [];
    try {
      await a.create(`/${name}`, '').catch(() => {});
      const leaseA = await new Mutex(a, `/${name}`).acquire();
      leaseA.onRevoked((reason) => order.push(`A revoked (${reason})`));
      cut(follower);
      const leaseB = await new Mutex(b, `/${name}`).acquire({ timeoutMs: 30_000 });
      order.push('B acquired');
      expect(leaseB).not.toBeNull();
      expect(leaseB!.fencingToken).toBeGreaterThan(leaseA.fencingToken);
    } finally {
      cluster.healNetwork();
      await a.close();
      await b.close();
      await cluster.waitForLeader();
    }
    return order;
  }

  it('anomaly 1: a lock holder behind an isolated member is revoked before another client acquires', async () => {
    const order = await lockAcrossCut('known-anomaly-1a', (follower) => cluster.isolate(follower));
    expect(order[0], `events in order: ${order.join(', ')}`).toMatch(/^A revoked/);
  });

  it('anomaly 1: ... and behind a member whose outgoing links are cut (it still hears the leader)', async () => {
    const order = await lockAcrossCut('known-anomaly-1b', (follower) => {
      for (const other of cluster.ids) if (other !== follower) cluster.blockLink(follower, other);
    });
    expect(order[0], `events in order: ${order.join(', ')}`).toMatch(/^A revoked/);
  });
});
