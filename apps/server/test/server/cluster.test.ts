// Goal: in a three-member cluster any member serves any client: a session is created on a
// follower (the follower picks id and secret, the leader commits it), the follower's writes
// are forwarded to the leader and answered once applied there (with read-your-writes on the
// same connection, also for pipelined writes), reads are local, linearizable or after sync,
// a persistent watch moves to another member without missing an event, a session resumed on
// another member ends its old connection, and closeSession from a follower deletes the
// session's ephemerals everywhere.
// Method: three real members (durable logs in temp dirs, peer and client sockets on 127.0.0.1,
// ephemeral ports) and raw `ws` clients.
import { closeCodes, encodeRequest, type ServerMessage } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import type { KeelServer } from '../../src/server/keel-server';
import { bytes, RawClient, text, useCluster, waitFor } from './harness';

describe('KeelServer three members', () => {
  const cluster = useCluster();

  it('creates a session on a follower and forwards its writes, answering each once applied', async () => {
    const { client, session } = await RawClient.connect(cluster.follower.clientUrl);
    expect(session.memberId).toBe(cluster.follower.id);
    // Committed, so the leader has it, though it may apply it a moment after the follower (the
    // followers' acks can commit an entry while the leader's own fsync of it is still running).
    await waitFor(
      'the leader to apply the session',
      () => cluster.leader.machine.session(session.sessionId) !== undefined,
      10_000,
    );
    const created = await client.expect(
      { op: 'create', xid: 0, path: '/shared', data: bytes('hello'), mode: 'persistent' },
      'create',
    );
    expect(created.stat.createdRevision).toBe(created.revision);
    const set = await client.expect(
      { op: 'set', xid: 0, path: '/shared', data: bytes('v2'), expectedVersion: 0 },
      'set',
    );
    expect(set.stat.version).toBe(1);
    const bad = await client.expect(
      { op: 'set', xid: 0, path: '/shared', data: bytes('x'), expectedVersion: 0 },
      'error',
    );
    expect(bad.code).toBe('BadVersion');
    const read = await client.expect({ op: 'get', xid: 0, path: '/shared', watch: false, linearizable: false }, 'get');
    expect(text(read.data)).toBe('v2');
    await waitFor('the leader to apply', () => cluster.leader.machine.appliedRevision >= set.revision, 10_000);
    expect(text(cluster.leader.machine.get('/shared')?.data ?? bytes(''))).toBe('v2');
    await client.close();
  });

  it('pipelines writes on a follower: answered in order, a read after them sees them all', async () => {
    const { client } = await RawClient.connect(cluster.follower.clientUrl);
    await client.expect({ op: 'create', xid: 0, path: '/pipe', data: bytes(''), mode: 'persistent' }, 'create');
    const xids: number[] = [];
    for (let i = 0; i < 50; i++) {
      const xid = client.xid();
      xids.push(xid);
      client.sendRaw(
        encodeRequest({ op: 'create', xid, path: '/pipe/n-', data: bytes(String(i)), mode: 'persistent_sequential' }),
      );
    }
    const readXid = client.xid();
    client.sendRaw(encodeRequest({ op: 'children', xid: readXid, path: '/pipe', watch: false, linearizable: false }));
    const answers: ServerMessage[] = [];
    while (answers.length < xids.length + 1) {
      const message = await client.next();
      if (message === null) throw new Error('closed');
      if ('xid' in message) answers.push(message);
    }
    expect(answers.map((answer) => ('xid' in answer ? answer.xid : -1))).toEqual([...xids, readXid]);
    const paths = answers.slice(0, -1).map((answer) => (answer.type === 'create' ? answer.path : answer.type));
    // Submitted in order, so the sequence numbers follow the order of the requests.
    expect(paths).toEqual(xids.map((_, i) => `/pipe/n-${String(i).padStart(10, '0')}`));
    const listing = answers.at(-1);
    expect(listing?.type === 'children' ? listing.children.length : -1).toBe(50);
    await client.close();
  });

  it('forwards and replicates a node of the largest data size (1 MiB)', async () => {
    const { client } = await RawClient.connect(cluster.follower.clientUrl);
    const data = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    const created = await client.expect({ op: 'create', xid: 0, path: '/mib', data, mode: 'persistent' }, 'create');
    expect(created.stat.dataLength).toBe(data.length);
    for (const server of cluster.servers) {
      await waitFor('the node everywhere', () => server.machine.appliedRevision >= created.revision, 10_000);
      // Compared as buffers: a deep equality over a million elements is slow.
      expect(Buffer.from(server.machine.get('/mib')?.data ?? []).equals(Buffer.from(data))).toBe(true);
    }
    await client.close();
  });

  it('serves local, linearizable and sync reads on a follower', async () => {
    const { client: onLeader } = await RawClient.connect(cluster.leader.clientUrl);
    const written = await onLeader.expect(
      { op: 'create', xid: 0, path: '/from-leader', data: bytes('x'), mode: 'persistent' },
      'create',
    );
    const { client } = await RawClient.connect(cluster.follower.clientUrl);
    const synced = await client.expect({ op: 'sync', xid: 0, path: '/' }, 'sync');
    expect(synced.revision).toBeGreaterThanOrEqual(written.revision);
    const linear = await client.expect(
      { op: 'get', xid: 0, path: '/from-leader', watch: false, linearizable: true },
      'get',
    );
    expect(text(linear.data)).toBe('x');
    await client.close();
    await onLeader.close();
  });

  it('resumes a persistent watch on another member with every event it missed', async () => {
    const [first, second] = cluster.servers.filter((server) => server !== cluster.leader) as [KeelServer, KeelServer];
    const { client: writer } = await RawClient.connect(cluster.leader.clientUrl);
    await writer.expect({ op: 'create', xid: 0, path: '/moving', data: bytes('0'), mode: 'persistent' }, 'create');
    const { client: watcher, session } = await RawClient.connect(first.clientUrl);
    await watcher.expect({ op: 'addWatch', xid: 0, path: '/moving', kind: 'persistent' }, 'addWatch');
    const seen = await writer.expect({ op: 'set', xid: 0, path: '/moving', data: bytes('1') }, 'set');
    await waitFor('the first event', () => watcher.watchEvents().length === 1, 10_000);
    await watcher.close();
    const missed = await writer.expect({ op: 'set', xid: 0, path: '/moving', data: bytes('2') }, 'set');
    const moved = await RawClient.open(second.clientUrl);
    await moved.expect(
      {
        op: 'resume',
        xid: 0,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        lastSeenRevision: seen.revision,
        readOnly: false,
      },
      'connected',
    );
    await moved.expect(
      { op: 'addWatch', xid: 0, path: '/moving', kind: 'persistent', sinceRevision: seen.revision },
      'addWatch',
    );
    const live = await writer.expect({ op: 'set', xid: 0, path: '/moving', data: bytes('3') }, 'set');
    await waitFor('the live event', () => moved.watchEvents().length === 2, 10_000);
    expect(moved.watchEvents().map((event) => event.revision)).toEqual([missed.revision, live.revision]);
    await moved.close();
    await writer.close();
  });

  it('moves a session to another member: the old connection is told and closed', async () => {
    const [first, second] = cluster.servers.filter((server) => server !== cluster.leader) as [KeelServer, KeelServer];
    const { client: old, session } = await RawClient.connect(first.clientUrl);
    const created = await old.expect(
      { op: 'create', xid: 0, path: '/owned', data: bytes(''), mode: 'ephemeral' },
      'create',
    );
    const moved = await RawClient.open(second.clientUrl);
    await moved.expect(
      {
        op: 'resume',
        xid: 0,
        sessionId: session.sessionId,
        secret: session.secret,
        sessionTimeoutMs: 30_000,
        lastSeenRevision: created.revision,
        readOnly: false,
      },
      'connected',
    );
    // The old connection is still open from the client's side; its member ends it.
    expect((await old.closed).code).toBe(closeCodes.sessionMoved);
    expect(old.received.some((message) => message.type === 'session' && message.event === 'moved')).toBe(true);
    await moved.expect({ op: 'delete', xid: 0, path: '/owned' }, 'delete');
    await moved.close();
  });

  it('closes a session from a follower: its ephemerals go on every member', async () => {
    const { client } = await RawClient.connect(cluster.follower.clientUrl);
    const node = await client.expect(
      { op: 'create', xid: 0, path: '/eph', data: bytes(''), mode: 'ephemeral' },
      'create',
    );
    expect(node.stat.ephemeralOwner).not.toBeNull();
    const closed = await client.expect({ op: 'closeSession', xid: 0 }, 'closeSession');
    for (const server of cluster.servers) {
      await waitFor('the close to apply', () => server.machine.appliedRevision >= closed.revision, 10_000);
      expect(server.machine.get('/eph')).toBeNull();
    }
    await client.closed;
  });
});
