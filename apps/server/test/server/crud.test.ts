// Goal: a single-node member answers create/get/set/delete/exists/children over a real
// WebSocket with ZooKeeper's versions and typed errors, in order, each with a revision.
// Method: a real member (durable log in a temp dir, 127.0.0.1, ephemeral ports) and a raw `ws`
// client sending @keel/protocol frames.
import { describe, expect, it } from 'vitest';
import { bytes, RawClient, text, useSingle } from './harness';

describe('KeelServer single node: reads and writes', () => {
  const member = useSingle();

  it('creates, reads, sets and deletes with versions and typed errors', async () => {
    const { client, session } = await RawClient.connect(member.server.clientUrl);
    expect(session.resumed).toBe(false);
    expect(session.memberId).toBe('m1');

    const created = await client.expect(
      { op: 'create', xid: 0, path: '/config', data: bytes('v1'), mode: 'persistent' },
      'create',
    );
    expect(created.path).toBe('/config');
    expect(created.stat.version).toBe(0);
    expect(created.revision).toBeGreaterThanOrEqual(created.stat.createdRevision);

    const read = await client.expect({ op: 'get', xid: 0, path: '/config', watch: false, linearizable: false }, 'get');
    expect(text(read.data)).toBe('v1');
    expect(read.revision).toBeGreaterThanOrEqual(created.revision);

    const set = await client.expect(
      { op: 'set', xid: 0, path: '/config', data: bytes('v2'), expectedVersion: 0 },
      'set',
    );
    expect(set.stat.version).toBe(1);
    expect(set.revision).toBeGreaterThan(created.revision);

    const stale = await client.expect(
      { op: 'set', xid: 0, path: '/config', data: bytes('v3'), expectedVersion: 0 },
      'error',
    );
    expect(stale.code).toBe('BadVersion');

    const duplicate = await client.expect(
      { op: 'create', xid: 0, path: '/config', data: bytes(''), mode: 'persistent' },
      'error',
    );
    expect(duplicate.code).toBe('NodeExists');

    const linear = await client.expect({ op: 'get', xid: 0, path: '/config', watch: false, linearizable: true }, 'get');
    expect(text(linear.data)).toBe('v2');
    expect(linear.stat.version).toBe(1);

    await client.expect({ op: 'create', xid: 0, path: '/config/a', data: bytes(''), mode: 'persistent' }, 'create');
    const kids = await client.expect(
      { op: 'children', xid: 0, path: '/config', watch: false, linearizable: false },
      'children',
    );
    expect(kids.children).toEqual(['a']);
    const notEmpty = await client.expect({ op: 'delete', xid: 0, path: '/config' }, 'error');
    expect(notEmpty.code).toBe('NotEmpty');
    await client.expect({ op: 'delete', xid: 0, path: '/config/a' }, 'delete');

    const badDelete = await client.expect({ op: 'delete', xid: 0, path: '/config', expectedVersion: 7 }, 'error');
    expect(badDelete.code).toBe('BadVersion');
    await client.expect({ op: 'delete', xid: 0, path: '/config', expectedVersion: 1 }, 'delete');

    const gone = await client.expect(
      { op: 'get', xid: 0, path: '/config', watch: false, linearizable: false },
      'error',
    );
    expect(gone.code).toBe('NoNode');
    expect(gone.path).toBe('/config');
    const missingDelete = await client.expect({ op: 'delete', xid: 0, path: '/missing' }, 'error');
    expect(missingDelete.code).toBe('NoNode');
    const exists = await client.expect(
      { op: 'exists', xid: 0, path: '/config', watch: false, linearizable: false },
      'exists',
    );
    expect(exists.stat).toBeNull();

    const pong = await client.expect({ op: 'ping', xid: 0 }, 'pong');
    const synced = await client.expect({ op: 'sync', xid: 0, path: '/' }, 'sync');
    expect(synced.revision).toBeGreaterThanOrEqual(pong.revision);
    await client.close();
  });

  it('answers pipelined requests in the order they were sent', async () => {
    const { client } = await RawClient.connect(member.server.clientUrl);
    const { encodeRequest } = await import('@keel/protocol');
    const count = 50;
    for (let i = 0; i < count; i++) {
      client.sendRaw(
        encodeRequest(
          i % 2 === 0
            ? { op: 'create', xid: 1000 + i, path: `/order-${i}`, data: bytes(String(i)), mode: 'persistent' }
            : { op: 'get', xid: 1000 + i, path: `/order-${i - 1}`, watch: false, linearizable: false },
        ),
      );
    }
    const seen: number[] = [];
    let lastRevision = 0;
    while (seen.length < count) {
      const message = await client.next();
      if (message === null) throw new Error('closed');
      if (!('xid' in message)) continue;
      seen.push(message.xid);
      // A read right after a write on the same session sees it.
      expect(message.type).toBe(message.xid % 2 === 0 ? 'create' : 'get');
      expect(message.revision).toBeGreaterThanOrEqual(lastRevision);
      lastRevision = message.revision;
    }
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => 1000 + i));
    await client.close();
  });

  it('closes a connection whose first request is not a handshake', async () => {
    const client = await RawClient.open(member.server.clientUrl);
    const answer = await client.request({ op: 'get', xid: 1, path: '/', watch: false, linearizable: false });
    expect(answer).toBeNull();
    expect((await client.closed).code).toBe(4003);
  });
});
