// Goal: a session whose client talks only to a follower stays alive beyond its timeout while
// the client pings (the follower reports the sessions it heard from to the leader, which alone
// expires sessions), and one whose client goes silent is expired: its ephemeral node goes on
// every member and the follower ends its connection with the `expired` session event.
// Method: three real members with short session timeouts, raw `ws` clients on a follower. The
// pinging loop runs for several session timeouts; the expiry is polled with a generous ceiling.
import { closeCodes } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, useCluster, waitFor } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeelServer session liveness through a follower', () => {
  const cluster = useCluster({ sessionTimeoutMsMin: 300, expiryCheckMs: 20 });

  it('keeps a pinging follower-only session alive for several timeouts', async () => {
    const { client, session } = await RawClient.connect(cluster.follower.clientUrl, 2_000);
    expect(session.sessionTimeoutMs).toBe(2_000);
    const until = Date.now() + 4_500;
    while (Date.now() < until) {
      await client.expect({ op: 'ping', xid: 0 }, 'pong');
      await sleep(100);
    }
    expect(cluster.leader.machine.session(session.sessionId)).toBeDefined();
    expect(client.closeInfo).toBeNull();
    await client.expect({ op: 'exists', xid: 0, path: '/', watch: false, linearizable: false }, 'exists');
    await client.close();
  });

  it('expires a silent follower-only session and ends its connection on the follower', async () => {
    const { client, session } = await RawClient.connect(cluster.follower.clientUrl, 300);
    await client.expect({ op: 'create', xid: 0, path: '/silent', data: bytes(''), mode: 'ephemeral' }, 'create');
    await waitFor(
      'the session to expire',
      () => cluster.leader.machine.session(session.sessionId) === undefined,
      30_000,
    );
    const closed = await client.closed;
    expect(closed.code).toBe(closeCodes.sessionExpired);
    expect(client.received.some((message) => message.type === 'session' && message.event === 'expired')).toBe(true);
    for (const server of cluster.servers) {
      await waitFor('the expiry to apply', () => server.machine.get('/silent') === null, 10_000);
    }
  });
});
