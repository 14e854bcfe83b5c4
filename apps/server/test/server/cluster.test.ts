// Goal: in a three-member cluster, a session created on the leader can be resumed on a
// follower, which serves reads (local, linearizable and sync) and, in this first cut, answers
// writes with NotLeader naming the leader instead of forwarding them.
// Method: three real members (durable logs in temp dirs, peer and client sockets on 127.0.0.1,
// ephemeral ports) and raw `ws` clients.
import { afterAll, describe, expect, it } from 'vitest';
import { KeelServer } from '../../src/server/keel-server';
import { bytes, RawClient, tempDir, text, waitFor } from './harness';

describe('KeelServer three members', () => {
  const servers: KeelServer[] = [];
  let cleanup: (() => Promise<void>) | undefined;

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await cleanup?.();
  });

  it('serves reads on a follower and refuses its writes with NotLeader', async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const ids = ['a', 'b', 'c'];
    for (const id of ids) {
      servers.push(
        await KeelServer.start({
          id,
          dataDir: `${temp.dir}/${id}`,
          clientListen: { host: '127.0.0.1', port: 0 },
          clusterSecret: 'cluster-test',
          bootstrap: { voters: ids, learners: [] },
          tickMs: 10,
        }),
      );
    }
    const addresses = new Map(servers.map((server) => [server.id, server.peerUrl] as const));
    for (const server of servers) server.node.setPeerAddresses(addresses);
    let leader: KeelServer | undefined;
    await waitFor(
      'one leader every member agrees on',
      () => {
        leader = servers.find((server) => server.node.isLeader());
        return leader !== undefined && servers.every((server) => server.node.leaderInfo().leader === leader?.id);
      },
      60_000,
    );
    if (leader === undefined) throw new Error('no leader');
    const follower = servers.find((server) => server !== leader);
    if (follower === undefined) throw new Error('no follower');

    const { client: onLeader, session } = await RawClient.connect(leader.clientUrl);
    const created = await onLeader.expect(
      { op: 'create', xid: 0, path: '/shared', data: bytes('hello'), mode: 'persistent' },
      'create',
    );

    // A new session needs the leader in this first cut.
    const refused = await (await RawClient.open(follower.clientUrl)).request({
      op: 'connect',
      xid: 1,
      sessionTimeoutMs: 30_000,
      lastSeenRevision: 0,
      readOnly: false,
    });
    expect(refused).toMatchObject({ type: 'error', code: 'NotLeader' });

    const onFollower = await RawClient.open(follower.clientUrl);
    await onFollower.expect(
      {
        op: 'resume',
        xid: 1,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        // The follower waits until it has applied what the client already saw.
        lastSeenRevision: created.revision,
        readOnly: false,
      },
      'connected',
    );
    const local = await onFollower.expect(
      { op: 'get', xid: 0, path: '/shared', watch: false, linearizable: false },
      'get',
    );
    expect(text(local.data)).toBe('hello');
    expect(local.revision).toBeGreaterThanOrEqual(created.revision);

    const write = await onFollower.expect({ op: 'set', xid: 0, path: '/shared', data: bytes('no') }, 'error');
    expect(write.code).toBe('NotLeader');
    expect(write.message).toContain(`the leader is ${leader.id}`);

    const synced = await onFollower.expect({ op: 'sync', xid: 0, path: '/' }, 'sync');
    expect(synced.revision).toBeGreaterThanOrEqual(created.revision);
    const linear = await onFollower.expect(
      { op: 'get', xid: 0, path: '/shared', watch: false, linearizable: true },
      'get',
    );
    expect(text(linear.data)).toBe('hello');
    await onFollower.close();
  });
});
