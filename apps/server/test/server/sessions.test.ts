// Goal: sessions are created through Raft, expire on the leader when their client goes silent
// (deleting their ephemeral nodes), end at once on closeSession, and can be resumed with id and
// secret while alive.
// Method: a real single-node member with short session timeouts; raw `ws` clients; one client
// owns ephemerals, another observes them until they are gone (polled, with a generous ceiling).
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, useSingle, waitFor } from './harness';

describe('KeelServer sessions', () => {
  const member = useSingle({ sessionTimeoutMsMin: 100, expiryCheckMs: 20 });

  async function exists(client: RawClient, path: string): Promise<boolean> {
    const answer = await client.expect({ op: 'exists', xid: 0, path, watch: false, linearizable: false }, 'exists');
    return answer.stat !== null;
  }

  it('deletes an ephemeral node after its connection closed and the session timed out', async () => {
    const observer = (await RawClient.connect(member.server.clientUrl, 30_000)).client;
    const { client: owner, session } = await RawClient.connect(member.server.clientUrl, 200);
    expect(session.sessionTimeoutMs).toBe(200);
    const created = await owner.expect(
      { op: 'create', xid: 0, path: '/lease', data: bytes('me'), mode: 'ephemeral' },
      'create',
    );
    expect(created.stat.ephemeralOwner).toBe(session.sessionId);
    expect(await exists(observer, '/lease')).toBe(true);
    expect(member.server.machine.session(session.sessionId)).toBeDefined();

    await owner.close();
    await waitFor('the ephemeral to go', async () => !(await exists(observer, '/lease')), 30_000);
    expect(member.server.machine.session(session.sessionId)).toBeUndefined();

    // The expired session cannot be resumed.
    const late = await RawClient.open(member.server.clientUrl);
    const answer = await late.request({
      op: 'resume',
      xid: 1,
      sessionId: session.sessionId,
      secret: session.secret,
      sessionTimeoutMs: 200,
      lastSeenRevision: created.revision,
      readOnly: false,
    });
    expect(answer).toMatchObject({ type: 'error', code: 'SessionExpired' });
    expect((await late.closed).code).toBe(4000);
    await observer.close();
  });

  it('keeps a pinging session alive past its timeout', async () => {
    const { client, session } = await RawClient.connect(member.server.clientUrl, 1_000);
    await client.expect({ op: 'create', xid: 0, path: '/alive', data: bytes(''), mode: 'ephemeral' }, 'create');
    const start = Date.now();
    // Ping every ~20 ms for two and a half timeouts; the session must survive all of them.
    while (Date.now() - start < 2_500) {
      await client.expect({ op: 'ping', xid: 0 }, 'pong');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(member.server.machine.session(session.sessionId)).toBeDefined();
    expect(await exists(client, '/alive')).toBe(true);
    await client.expect({ op: 'closeSession', xid: 0 }, 'closeSession');
    expect((await client.closed).code).toBe(1000);
    expect(member.server.machine.get('/alive')).toBeNull();
  });

  it('resumes a live session on a new connection and moves it off the old one', async () => {
    const { client: first, session } = await RawClient.connect(member.server.clientUrl, 30_000);
    await first.expect({ op: 'create', xid: 0, path: '/mine', data: bytes(''), mode: 'ephemeral' }, 'create');
    const second = await RawClient.open(member.server.clientUrl);
    const resumed = await second.expect(
      {
        op: 'resume',
        xid: 1,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        lastSeenRevision: 0,
        readOnly: false,
      },
      'connected',
    );
    expect(resumed.resumed).toBe(true);
    expect(resumed.sessionId).toBe(session.sessionId);
    expect((await first.closed).code).toBe(4001);
    expect(await exists(second, '/mine')).toBe(true);

    const wrong = await RawClient.open(member.server.clientUrl);
    const refused = await wrong.request({
      op: 'resume',
      xid: 1,
      sessionId: session.sessionId,
      secret: 'not-the-secret',
      sessionTimeoutMs: 30_000,
      lastSeenRevision: 0,
      readOnly: false,
    });
    expect(refused).toMatchObject({ type: 'error', code: 'SessionExpired' });
    await second.expect({ op: 'closeSession', xid: 0 }, 'closeSession');
  });
});
