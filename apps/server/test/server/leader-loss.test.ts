// Goal: a member cut off from the leader does not keep its clients content while the leader
// expires their sessions (chaos anomaly 1 in docs/testing.md): after a grace without a leader
// it closes its client connections with `serverClosing`, so a client fails over to the
// majority and resumes its session before the session timeout, and the session survives.
// Method: three real members; a client pinging through a follower; the follower is isolated in
// both directions (every member is told a dead address for the other side; each direction of
// a peer pair has its own connection), then the client resumes on another member.
import { closeCodes } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, leaderAndFollower, RawClient, useCluster, waitFor } from './harness';

const dead = 'ws://127.0.0.1:1';

describe('KeelServer losing its leader', () => {
  const cluster = useCluster({ sessionTimeoutMsMin: 3_000, expiryCheckMs: 20 });

  it('closes the clients of an isolated follower, which resume their sessions on the majority', async () => {
    const { follower: isolated } = await leaderAndFollower(cluster.servers);
    const majority = cluster.servers.filter((server) => server !== isolated);
    const { client, session } = await RawClient.connect(isolated.clientUrl, 3_000);
    const created = await client.expect(
      { op: 'create', xid: 0, path: '/held', data: bytes(''), mode: 'ephemeral' },
      'create',
    );
    const addresses = new Map(cluster.servers.map((server) => [server.id, server.peerUrl] as const));
    for (const server of majority) server.node.setPeerAddresses({ [isolated.id]: dead });
    isolated.node.setPeerAddresses(Object.fromEntries(majority.map((server) => [server.id, dead])));

    // The client keeps pinging; the member ends the connection once it has been leaderless.
    let pings = 0;
    while (client.closeInfo === null) {
      const answer = await client.request({ op: 'ping', xid: 0 });
      if (answer === null) break;
      pings++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const closed = await client.closed;
    expect(closed.code).toBe(closeCodes.serverClosing);
    expect(client.received.some((message) => message.type === 'session' && message.event === 'serverClosing')).toBe(
      true,
    );
    expect(pings).toBeGreaterThan(0);

    const moved = await RawClient.open(majority[0]!.clientUrl);
    await moved.expect(
      {
        op: 'resume',
        xid: 0,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 3_000,
        lastSeenRevision: created.revision,
        readOnly: false,
      },
      'connected',
    );
    const held = await moved.expect(
      { op: 'exists', xid: 0, path: '/held', watch: false, linearizable: true },
      'exists',
    );
    expect(held.stat?.ephemeralOwner).toBe(session.sessionId);

    for (const server of cluster.servers) server.node.setPeerAddresses(addresses);
    await waitFor('the isolated member to rejoin', () => isolated.node.leaderInfo().leader !== null, 30_000);
    await moved.close();
  });
});
