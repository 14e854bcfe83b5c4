// Goal: NodeCache and TreeCache follow their nodes through creates, changes and deletes;
// PersistentNode keeps its node present (re-created after a delete and after its session is
// lost); GroupMember lists the group's members.
// Method: a real three-member cluster in-process; a TCP proxy cuts one client's connection long
// enough for its session to be lost.
import { describe, expect, it } from 'vitest';
import { GroupMember, NodeCache, PersistentNode, TreeCache } from '../src/index';
import { ClusterWithClients, client, TcpProxy, waitFor } from './harness';

const text = (data: Uint8Array | undefined) => (data === undefined ? undefined : new TextDecoder().decode(data));

describe('caches and nodes', () => {
  const setup = new ClusterWithClients(2);
  const { at } = setup;

  it('node cache - follows create, change and delete', async () => {
    const cache = new NodeCache(at(0), '/cache/node');
    const seen: (string | null)[] = [];
    cache.on('nodeChanged', (node) => seen.push(node === null ? null : (text(node.data) ?? null)));
    await cache.start();
    expect(cache.getCurrentData()).toBeNull();
    await at(1)
      .create('/cache', '', { mode: 'persistent' })
      .catch(() => undefined);
    await at(1).create('/cache/node', 'v1');
    await waitFor('v1', () => text(cache.getCurrentData()?.data) === 'v1');
    await at(1).set('/cache/node', 'v2');
    await waitFor('v2', () => text(cache.getCurrentData()?.data) === 'v2');
    await at(1).delete('/cache/node');
    await waitFor('deleted', () => cache.getCurrentData() === null);
    expect(seen).toEqual(['v1', 'v2', null]);
    await cache.close();
  });

  it('tree cache - initial load, then adds, updates and removes below the root', async () => {
    await at(1).create('/tree', 'root');
    await at(1).create('/tree/a', 'a1');
    await at(1).create('/tree/a/deep', 'd');
    const cache = new TreeCache(at(0), '/tree', { maxDepth: 1 });
    const events: string[] = [];
    cache.on('nodeAdded', (path) => events.push(`+${path}`));
    cache.on('nodeUpdated', (path) => events.push(`~${path}`));
    cache.on('nodeRemoved', (path) => events.push(`-${path}`));
    await cache.start();
    expect([...cache.entries().keys()].sort()).toEqual(['/tree', '/tree/a']);
    await at(1).create('/tree/b', 'b1');
    await at(1).set('/tree/a', 'a2');
    await at(1).delete('/tree/a/deep');
    await at(1).delete('/tree/a');
    await waitFor('the changes', () => events.length === 5);
    // As Curator's TreeCache: the initial load reports its nodes as added, then `initialized`.
    expect(events).toEqual(['+/tree', '+/tree/a', '+/tree/b', '~/tree/a', '-/tree/a']);
    expect([...(cache.getCurrentChildren('/tree')?.keys() ?? [])]).toEqual(['b']);
    await cache.close();
  });

  it('persistent node - re-created after a delete and after its session is lost', async () => {
    const proxy = await TcpProxy.start(setup.cluster.urls[2] as string);
    const owner = await client(proxy.url, { sessionTimeoutMs: 1_000 });
    const node = new PersistentNode(owner, '/persistent/worker', 'alive', { mode: 'ephemeral' });
    node.start();
    expect(await node.waitForInitialCreate({ timeoutMs: 10_000 })).toBe(true);
    const first = await at(0).exists('/persistent/worker');
    await at(0).delete('/persistent/worker');
    await waitFor('re-created', async () => (await at(0).exists('/persistent/worker')) !== null);

    const states: string[] = [];
    owner.on('state', (state) => states.push(state));
    proxy.cut();
    await waitFor('lost', () => states.includes('lost'), 30_000);
    await waitFor('the old node to expire', async () => (await at(0).exists('/persistent/worker')) === null, 30_000);
    proxy.restore();
    await waitFor('re-created by the new session', async () => {
      const stat = await at(0).exists('/persistent/worker');
      return stat !== null && stat.ephemeralOwner === owner.sessionId;
    });
    expect((await at(0).get('/persistent/worker', { linearizable: true })).stat.createdRevision).toBeGreaterThan(
      first?.createdRevision ?? 0,
    );
    await node.setData('still alive');
    expect(text((await at(0).get('/persistent/worker', { linearizable: true })).data)).toBe('still alive');
    await node.close();
    expect(await at(0).exists('/persistent/worker', { linearizable: true })).toBeNull();
    await owner.close();
    await proxy.stop();
  });

  it('group member - every member sees the group', async () => {
    const a = new GroupMember(at(0), '/groups/indexers', 'a', 'host-a');
    const b = new GroupMember(at(1), '/groups/indexers', 'b', 'host-b');
    await a.start();
    await b.start();
    await waitFor('a to see b', () => a.getCurrentMembers().size === 2);
    expect(text(a.getCurrentMembers().get('b'))).toBe('host-b');
    await b.setThisData('host-b2');
    await waitFor('a to see the new payload', () => text(a.getCurrentMembers().get('b')) === 'host-b2');
    await b.close();
    await waitFor('a to see b leave', () => a.getCurrentMembers().size === 1);
    expect(a.idFromPath('/groups/indexers/a')).toBe('a');
    await a.close();
  });
});
