// Goal: a member whose outgoing links are cut (it still hears the leader, so it keeps its leader)
// does not keep its clients content while the leader, receiving none of its session reports,
// expires their sessions (chaos anomaly 1, one-way case, in docs/testing.md): once its reports
// stop coming back applied it closes its client connections with `serverClosing`, so the client
// resumes its session on the majority before the session can expire. A follower whose reports
// are applied keeps its clients.
// Method: three real members; a raw client pinging through a follower with an ephemeral node.
// Only the follower is told dead addresses for the others (each direction of a peer pair has its
// own connection, so the leader still reaches it); the close code and the follower still having
// a leader at that point tell this case from the leaderless one and from an expiry. Fails
// without the report round-trip check: the connection then ends with `sessionExpired`.
import { closeCodes } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, leaderAndFollower, RawClient, useCluster, waitFor } from './harness';

const dead = 'ws://127.0.0.1:1';
// Long enough that the cut is noticed (a report interval plus the round-trip bound, at least an
// election timeout of the harness: 1.5 s) well before the leader can expire the session.
const sessionTimeoutMs = 6_000;

describe('KeelServer cut off in one direction', () => {
  const cluster = useCluster({
    sessionTimeoutMsMin: sessionTimeoutMs,
    expiryCheckMs: 20,
  });

  /** Pings every 50 ms until the connection closes or `until()` holds; returns how many pings were answered. */
  async function keepPinging(client: RawClient, until: () => boolean = () => false): Promise<number> {
    let pings = 0;
    while (client.closeInfo === null && !until()) {
      const answer = await client.request({ op: 'ping', xid: 0 });
      if (answer === null) break;
      pings++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return pings;
  }

  it('keeps the clients of a follower whose reports reach the leader', async () => {
    const { follower } = await leaderAndFollower(cluster.servers);
    const { client } = await RawClient.connect(follower.clientUrl, sessionTimeoutMs);
    // Two round-trip bounds: several reports, each of which must come back applied in time.
    const until = Date.now() + 4_000;
    const pings = await keepPinging(client, () => Date.now() > until);
    expect(client.closeInfo).toBeNull();
    expect(pings).toBeGreaterThan(0);
    await client.close();
  });

  it('closes the clients of a follower that hears the leader but is not heard, which resume on the majority', async () => {
    const { leader, follower: cut } = await leaderAndFollower(cluster.servers);
    const majority = cluster.servers.filter((server) => server !== cut);
    const { client, session } = await RawClient.connect(cut.clientUrl, sessionTimeoutMs);
    const created = await client.expect(
      { op: 'create', xid: 0, path: '/one-way', data: bytes(''), mode: 'ephemeral' },
      'create',
    );
    const addresses = new Map(cluster.servers.map((server) => [server.id, server.peerUrl] as const));
    cut.node.setPeerAddresses(Object.fromEntries(majority.map((server) => [server.id, dead])));

    let leaderAtClose: string | null = null;
    client.socket.on('close', () => {
      leaderAtClose = cut.node.leaderInfo().leader;
    });
    await keepPinging(client);
    const closed = await client.closed;
    expect(closed.code, closed.reason).toBe(closeCodes.serverClosing);
    // Still following the leader: the leaderless close did not do it.
    expect(leaderAtClose).toBe(leader.id);

    const moved = await RawClient.open(majority[0]!.clientUrl);
    await moved.expect(
      {
        op: 'resume',
        xid: 0,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs,
        lastSeenRevision: created.revision,
        readOnly: false,
      },
      'connected',
    );
    const held = await moved.expect(
      { op: 'exists', xid: 0, path: '/one-way', watch: false, linearizable: true },
      'exists',
    );
    expect(held.stat?.ephemeralOwner).toBe(session.sessionId);

    for (const server of cluster.servers) server.node.setPeerAddresses(addresses);
    await waitFor('the cut member to be heard again', () => leader.node.isLeader(), 30_000);
    await moved.close();
  });
});
