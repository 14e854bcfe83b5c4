// Goal: one-shot watches fire exactly once through a follower: two changes, one event, for data,
// exists and children watches; the watch can be set again afterwards.
// Method: the shared three-member cluster of keel-server processes; the watcher's client is pinned to a
// follower, the writer's to the leader; after the writes the watcher syncs and re-reads, so
// both changes have reached its member (and any event of theirs has reached the client, since
// a member sends an event before any answer that reflects its change).
import { type KeelClient, toText, type WatchedEvent } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, type MemberAddress, rolesOf } from './support/cluster';
import { sharedMembers } from './support/shared';

let members: MemberAddress[];
let clients: Clients;
let watcher: KeelClient;
let writer: KeelClient;

beforeAll(async () => {
  members = sharedMembers();
  clients = new Clients(members);
  const roles = await rolesOf(members);
  watcher = await clients.on(roles.followers[0]);
  writer = await clients.on(roles.leader);
});

afterAll(async () => {
  await clients?.closeAll();
});

/** Makes `path` current on the watcher's member and returns once its events have arrived. */
async function settle(path: string): Promise<void> {
  await watcher.sync(path);
  await watcher.exists(path);
}

describe('one-shot watches through a follower', () => {
  it('a data watch fires once for two changes', async () => {
    await writer.create('/w', 'v0');
    await watcher.sync('/w');
    const events: WatchedEvent[] = [];
    await watcher.get('/w', { watch: (event) => events.push(event) });
    const first = await writer.set('/w', 'v1');
    await writer.set('/w', 'v2');
    await settle('/w');
    expect(toText((await watcher.get('/w')).data)).toBe('v2');
    expect(events).toEqual([{ type: 'dataChanged', path: '/w', revision: first.modifiedRevision }]);

    // Set again, it fires again, once.
    await watcher.get('/w', { watch: (event) => events.push(event) });
    await writer.delete('/w');
    await writer.create('/w', 'again');
    await settle('/w');
    expect(events.map((event) => event.type)).toEqual(['dataChanged', 'deleted']);
  });

  it('an exists watch fires once for a creation followed by a change', async () => {
    const events: WatchedEvent[] = [];
    expect(await watcher.exists('/e', { watch: (event) => events.push(event) })).toBeNull();
    const created = await writer.createWithStat('/e', 'x');
    await writer.set('/e', 'y');
    await settle('/e');
    expect(events).toEqual([{ type: 'created', path: '/e', revision: created.stat.createdRevision }]);
  });

  it('a children watch fires once for two new children; the default watcher gets `true` watches', async () => {
    await writer.create('/c');
    await watcher.sync('/c');
    const events: WatchedEvent[] = [];
    const listener = (event: WatchedEvent): void => {
      events.push(event);
    };
    watcher.on('watch', listener);
    try {
      expect(await watcher.children('/c', { watch: true })).toEqual([]);
      await writer.create('/c/a');
      await writer.create('/c/b');
      await settle('/c');
      expect((await watcher.children('/c')).sort()).toEqual(['a', 'b']);
      expect(events.map((event) => [event.type, event.path])).toEqual([['childrenChanged', '/c']]);
    } finally {
      watcher.off('watch', listener);
    }
  });
});
