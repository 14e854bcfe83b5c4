// Goal: every data operation of the client against a real member: create (every mode), get,
// set, delete, exists, children (with and without stats), multi (success and failure with its
// per-operation results), sync, and the typed errors of each; close() ends the session.
// Method: one real single-member server on 127.0.0.1 (durable log in a temp dir); clients from
// connect() over real WebSockets (`ws`, Node 20 has no global WebSocket).

import type { KeelServer } from '@keel/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadArgumentsError,
  BadVersionError,
  ClosedError,
  connect,
  isKeelError,
  isMultiFailure,
  type KeelClient,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
  toText,
} from '../src/index';
import { recordStates, startSingle, tempDir, waitFor } from './harness';

describe('client operations', () => {
  let server: KeelServer;
  let cleanup: () => Promise<void>;
  let client: KeelClient;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    server = await startSingle(temp.dir, { sessionTimeoutMsMin: 200, expiryCheckMs: 20, ttlCheckMs: 20 });
    client = await connect({ servers: server.clientUrl, sessionTimeoutMs: 10_000 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await cleanup?.();
  });

  it('connects with a session and reports connected', async () => {
    expect(client.state).toBe('connected');
    expect(client.connected).toBe(true);
    expect(client.sessionId).toMatch(/.+/);
    expect(client.sessionTimeoutMs).toBe(10_000);
    expect(client.memberId).toBe('m1');
  });

  it('creates, reads, updates and deletes a node with typed errors', async () => {
    expect(await client.create('/crud', 'v1')).toBe('/crud');
    const read = await client.get('/crud');
    expect(toText(read.data)).toBe('v1');
    expect(read.stat.version).toBe(0);
    expect(read.stat.dataLength).toBe(2);
    expect(read.stat.ephemeralOwner).toBeNull();

    await expect(client.create('/crud', 'again')).rejects.toBeInstanceOf(NodeExistsError);
    await expect(client.create('/missing/child')).rejects.toBeInstanceOf(NoNodeError);
    await expect(client.get('/nope')).rejects.toBeInstanceOf(NoNodeError);
    await expect(client.get('bad-path')).rejects.toBeInstanceOf(BadArgumentsError);

    const stat = await client.set('/crud', new Uint8Array([1, 2, 3]), { version: 0 });
    expect(stat.version).toBe(1);
    expect((await client.get('/crud')).data).toEqual(new Uint8Array([1, 2, 3]));
    const stale = client.set('/crud', 'stale', { version: 0 });
    await expect(stale).rejects.toBeInstanceOf(BadVersionError);
    await expect(stale).rejects.toMatchObject({ code: 'BadVersion' });
    expect((await client.set('/crud', 'any', { version: -1 })).version).toBe(2);

    await client.create('/crud/child');
    await expect(client.delete('/crud')).rejects.toBeInstanceOf(NotEmptyError);
    await expect(client.delete('/crud/child', { version: 5 })).rejects.toBeInstanceOf(BadVersionError);
    await client.delete('/crud/child', { version: 0 });
    await client.delete('/crud');
    expect(await client.exists('/crud')).toBeNull();
    await expect(client.delete('/crud')).rejects.toBeInstanceOf(NoNodeError);
  });

  it('lists children, with the parent stat on request', async () => {
    await client.create('/list');
    await client.create('/list/a');
    await client.create('/list/b', 'x');
    expect((await client.children('/list')).sort()).toEqual(['a', 'b']);
    const withStats = await client.children('/list', { withStats: true });
    expect(withStats.children.sort()).toEqual(['a', 'b']);
    expect(withStats.stat.numChildren).toBe(2);
    expect(withStats.stat.childrenVersion).toBe(2);
    await expect(client.children('/list/none')).rejects.toBeInstanceOf(NoNodeError);
    const stat = await client.exists('/list/b');
    expect(stat?.dataLength).toBe(1);
  });

  it('creates sequential, ephemeral, container and TTL nodes', async () => {
    await client.create('/modes');
    const first = await client.create('/modes/seq-', 'a', { mode: 'persistent_sequential' });
    const second = await client.create('/modes/seq-', 'b', { mode: 'persistent_sequential' });
    expect(first).toMatch(/^\/modes\/seq-\d{10}$/);
    expect(Number(second.slice(-10))).toBeGreaterThan(Number(first.slice(-10)));
    // A sequential path may end in a slash: the name is the digits alone (ZooKeeper's rule).
    expect(await client.create('/modes/', '', { mode: 'persistent_sequential' })).toMatch(/^\/modes\/\d{10}$/);
    await expect(client.create('/modes/', '')).rejects.toBeInstanceOf(BadArgumentsError);

    const ephemeral = await client.createWithStat('/modes/eph', 'me', { mode: 'ephemeral' });
    expect(ephemeral.stat.ephemeralOwner).toBe(client.sessionId);
    await expect(client.create('/modes/eph/child')).rejects.toBeInstanceOf(NoChildrenForEphemeralsError);
    const ephemeralSequential = await client.create('/modes/eseq-', '', { mode: 'ephemeral_sequential' });
    expect(ephemeralSequential).toMatch(/^\/modes\/eseq-\d{10}$/);

    // A container goes with its last child.
    await client.create('/modes/box', '', { mode: 'container' });
    await client.create('/modes/box/item');
    await client.delete('/modes/box/item');
    expect(await client.exists('/modes/box')).toBeNull();

    // A TTL mode needs its TTL.
    await expect(client.create('/modes/ttl', '', { mode: 'persistent_ttl' })).rejects.toBeInstanceOf(BadArgumentsError);
    const ttl = await client.create('/modes/ttl', 'short', { mode: 'persistent_ttl', ttlMs: 100 });
    expect(ttl).toBe('/modes/ttl');
    const sequentialTtl = await client.create('/modes/sttl-', '', { mode: 'persistent_sequential_ttl', ttlMs: 100 });
    expect(sequentialTtl).toMatch(/^\/modes\/sttl-\d{10}$/);
    // Unchanged and childless past its TTL, a TTL node is removed by the leader.
    await waitFor('the TTL nodes to go', async () => (await client.exists('/modes/ttl')) === null);
    await waitFor('the TTL nodes to go', async () => (await client.exists(sequentialTtl)) === null);

    // Another session's ephemerals go when it closes.
    const other = await connect({ servers: [server.clientUrl] });
    await other.create('/modes/theirs', '', { mode: 'ephemeral' });
    expect(await client.exists('/modes/theirs')).not.toBeNull();
    await other.close();
    expect(await client.exists('/modes/theirs')).toBeNull();
  });

  it('applies a multi all or nothing and reports per-operation results', async () => {
    await client.create('/multi', 'base');
    const results = await client.multi([
      { op: 'check', path: '/multi', version: 0 },
      { op: 'create', path: '/multi/a', data: 'a' },
      { op: 'set', path: '/multi', data: 'changed' },
      { op: 'create', path: '/multi/s-', mode: 'persistent_sequential' },
    ]);
    expect(results.map((result) => result.op)).toEqual(['check', 'create', 'set', 'create']);
    expect(results[1]).toMatchObject({ op: 'create', path: '/multi/a' });
    expect(results[3]).toMatchObject({ op: 'create', path: expect.stringMatching(/^\/multi\/s-\d{10}$/) });

    const failed = await client
      .multi([
        { op: 'delete', path: '/multi/a' },
        { op: 'check', path: '/multi', version: 0 },
        { op: 'create', path: '/multi/b' },
      ])
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(BadVersionError);
    expect(isKeelError(failed, 'BadVersion')).toBe(true);
    if (!isMultiFailure(failed)) throw new Error('expected a multi failure');
    expect(failed.failedIndex).toBe(1);
    expect(failed.results.map((result) => result.op)).toEqual(['rolledBack', 'error', 'rolledBack']);
    // Nothing was applied.
    expect(await client.exists('/multi/a')).not.toBeNull();
    expect(await client.exists('/multi/b')).toBeNull();
  });

  it('syncs and reads linearizably, never going back in revision', async () => {
    await client.create('/sync', 'x');
    const before = client.lastSeenRevision;
    await client.sync('/sync');
    const read = await client.get('/sync', { linearizable: true });
    expect(read.stat.createdRevision).toBeLessThanOrEqual(client.lastSeenRevision);
    expect(client.lastSeenRevision).toBeGreaterThanOrEqual(before);
  });

  it('accepts a comma-separated connection string and bare host:port', async () => {
    const hostPort = server.clientUrl.replace('ws://', '');
    const other = await connect({ servers: `${hostPort}, ${server.clientUrl}` });
    expect(await other.exists('/')).not.toBeNull();
    await other.close();
    await expect(connect({ servers: 'http://example.invalid' })).rejects.toBeInstanceOf(BadArgumentsError);
    await expect(connect({ servers: [] })).rejects.toBeInstanceOf(BadArgumentsError);
  });

  it('close() ends the session, reports closed and refuses later calls', async () => {
    const other = await connect({ servers: [server.clientUrl] });
    const states = recordStates(other);
    const sessionId = other.sessionId;
    if (sessionId === null) throw new Error('no session');
    await other.create('/closing', '', { mode: 'ephemeral' });
    await other.close();
    expect(states).toEqual(['closed']);
    expect(other.state).toBe('closed');
    await expect(other.get('/')).rejects.toBeInstanceOf(ClosedError);
    await waitFor('the session to end', () => server.machine.session(sessionId) === undefined);
    expect(await client.exists('/closing')).toBeNull();
    await other.close();
  });
});
