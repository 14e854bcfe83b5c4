// Goal: CRUD and stats follow ZooKeeper's rules end to end, with the client on a follower (every
// write forwarded to the leader): versions, childrenVersion (cversion), childrenRevision (pzxid),
// sequential names (ten digits from the parent's cversion), NodeExists, NoNode, NotEmpty,
// NoChildrenForEphemerals, BadVersion, container removal after its last child goes, TTL removal.
// Method: the shared three-member cluster of keel-server processes; one client pinned to a follower does
// every operation; a second client on the leader confirms after `sync` what the follower reported.
import {
  BadVersionError,
  type KeelClient,
  NoChildrenForEphemeralsError,
  NodeExistsError,
  NoNodeError,
  NotEmptyError,
} from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, type MemberAddress, rolesOf, waitUntil } from './support/cluster';
import { sharedMembers } from './support/shared';

let members: MemberAddress[];
let clients: Clients;
let client: KeelClient;
let leaderClient: KeelClient;

beforeAll(async () => {
  members = sharedMembers();
  clients = new Clients(members);
  const roles = await rolesOf(members);
  client = await clients.on(roles.followers[0]);
  leaderClient = await clients.on(roles.leader);
  expect(client.memberId).toBe(roles.followers[0]);
});

afterAll(async () => {
  await clients?.closeAll();
});

const sequenceName = (prefix: string, counter: number): string => `${prefix}${String(counter).padStart(10, '0')}`;

describe('CRUD through a follower', () => {
  it('versions, cversion and pzxid change as in ZooKeeper', async () => {
    const created = await client.createWithStat('/crud', 'v0');
    expect(created.path).toBe('/crud');
    expect(created.stat).toMatchObject({ version: 0, childrenVersion: 0, numChildren: 0, dataLength: 2 });
    expect(created.stat.ephemeralOwner).toBeNull();
    expect(created.stat.modifiedRevision).toBe(created.stat.createdRevision);
    expect(created.stat.childrenRevision).toBe(created.stat.createdRevision);

    const set1 = await client.set('/crud', 'v1');
    expect(set1.version).toBe(1);
    expect(set1.modifiedRevision).toBeGreaterThan(created.stat.modifiedRevision);
    expect(set1.childrenVersion).toBe(0);
    await expect(client.set('/crud', 'stale', { version: 0 })).rejects.toBeInstanceOf(BadVersionError);
    const set2 = await client.set('/crud', 'v2', { version: 1 });
    expect(set2.version).toBe(2);

    const child = await client.createWithStat('/crud/a', 'a');
    const afterCreate = (await client.get('/crud')).stat;
    expect(afterCreate).toMatchObject({ version: 2, childrenVersion: 1, numChildren: 1 });
    expect(afterCreate.childrenRevision).toBe(child.stat.createdRevision);
    expect(afterCreate.modifiedRevision).toBe(set2.modifiedRevision);

    // A child's data change is not a change to the parent's list of children.
    await client.set('/crud/a', 'a1');
    expect((await client.get('/crud')).stat.childrenRevision).toBe(child.stat.createdRevision);

    await expect(client.create('/crud/a')).rejects.toBeInstanceOf(NodeExistsError);
    await expect(client.create('/missing/a')).rejects.toBeInstanceOf(NoNodeError);
    await expect(client.delete('/crud')).rejects.toBeInstanceOf(NotEmptyError);
    await expect(client.delete('/crud/a', { version: 0 })).rejects.toBeInstanceOf(BadVersionError);
    await client.delete('/crud/a', { version: 1 });
    const afterDelete = (await client.get('/crud')).stat;
    expect(afterDelete).toMatchObject({ childrenVersion: 2, numChildren: 0, version: 2 });
    expect(afterDelete.childrenRevision).toBeGreaterThan(child.stat.createdRevision);
    await expect(client.get('/crud/a')).rejects.toBeInstanceOf(NoNodeError);

    // The leader holds the same stat once it is current.
    await leaderClient.sync('/crud');
    expect((await leaderClient.get('/crud')).stat).toEqual(afterDelete);
    await client.delete('/crud', { version: 2 });
    expect(await client.exists('/crud')).toBeNull();
  });

  it('sequential names take ten digits from the parent cversion', async () => {
    await client.create('/seq');
    await client.create('/seq/plain');
    await client.delete('/seq/plain');
    const before = (await client.get('/seq')).stat.childrenVersion;
    expect(before).toBe(2);
    const first = await client.create('/seq/job-', 'x', { mode: 'persistent_sequential' });
    const second = await client.create('/seq/job-', 'y', { mode: 'persistent_sequential' });
    const third = await client.create('/seq/other-', 'z', { mode: 'persistent_sequential' });
    expect([first, second, third]).toEqual([
      sequenceName('/seq/job-', before),
      sequenceName('/seq/job-', before + 1),
      sequenceName('/seq/other-', before + 2),
    ]);
    expect((await client.children('/seq')).sort()).toEqual([first, second, third].map((p) => p.slice(5)).sort());
  });

  it('ephemerals belong to the session and take no children', async () => {
    await client.create('/eph');
    const { stat } = await client.createWithStat('/eph/e', '', { mode: 'ephemeral' });
    expect(stat.ephemeralOwner).toBe(client.sessionId);
    await expect(client.create('/eph/e/child')).rejects.toBeInstanceOf(NoChildrenForEphemeralsError);
    const sequential = await client.create('/eph/s-', '', { mode: 'ephemeral_sequential' });
    expect(sequential).toBe(sequenceName('/eph/s-', 1));
    expect((await client.exists(sequential))?.ephemeralOwner).toBe(client.sessionId);
  });

  it('a container goes with its last child, not before it had one', async () => {
    await client.create('/box', '', { mode: 'container' });
    await client.create('/box/a');
    await client.create('/box/b');
    await client.delete('/box/a');
    expect(await client.exists('/box')).not.toBeNull();
    await client.delete('/box/b');
    // Removed in the same revision as its last child, so the very next read already misses it.
    expect(await client.exists('/box')).toBeNull();
    await leaderClient.sync('/');
    expect(await leaderClient.exists('/box')).toBeNull();

    await client.create('/empty-box', '', { mode: 'container' });
    expect(await client.exists('/empty-box')).not.toBeNull();
  });

  it('a TTL node without children goes after its TTL; one with a child stays until it has none', async () => {
    const ttlMs = 1_000;
    await client.create('/ttl', 'x', { mode: 'persistent_ttl', ttlMs });
    await client.create('/ttl-parent', 'x', { mode: 'persistent_ttl', ttlMs });
    await client.create('/ttl-parent/child');
    expect(await client.exists('/ttl')).not.toBeNull();

    await waitUntil('/ttl expires', async () => (await client.exists('/ttl')) === null);
    // Same TTL, created later: it expired too, but a child keeps it.
    expect(await client.exists('/ttl-parent')).not.toBeNull();
    await client.delete('/ttl-parent/child');
    await waitUntil('/ttl-parent expires', async () => (await client.exists('/ttl-parent')) === null);
    await leaderClient.sync('/');
    expect(await leaderClient.exists('/ttl')).toBeNull();
    expect(await client.children('/')).not.toContain('ttl-parent');
  });
});
