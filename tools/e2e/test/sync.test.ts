// Goal: a write through a follower is visible on the leader and on the other follower once
// they `sync` (and through a linearizable read without one).
// Method: the shared three-member cluster of keel-server processes; one client pinned to each member;
// the writer is on a follower, the readers on the leader and the other follower.
import { type KeelClient, toText } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, type MemberAddress, rolesOf } from './support/cluster';
import { sharedMembers } from './support/shared';

let members: MemberAddress[];
let clients: Clients;
let writer: KeelClient;
let readers: KeelClient[];

beforeAll(async () => {
  members = sharedMembers();
  clients = new Clients(members);
  const roles = await rolesOf(members);
  writer = await clients.on(roles.followers[0]);
  readers = [await clients.on(roles.leader), await clients.on(roles.followers[1])];
});

afterAll(async () => {
  await clients?.closeAll();
});

describe('sync', () => {
  it('a write through a follower is visible on the leader and the other follower after sync', async () => {
    await writer.create('/synced');
    for (let round = 0; round < 5; round++) {
      const written = await writer.set('/synced', `value-${round}`);
      for (const reader of readers) {
        await reader.sync('/synced');
        const { data, stat } = await reader.get('/synced');
        expect(toText(data)).toBe(`value-${round}`);
        expect(stat).toEqual(written);
      }
    }
  });

  it('a linearizable read sees a write through a follower without a sync', async () => {
    for (let round = 0; round < 5; round++) {
      await writer.create(`/linearizable-${round}`, `v${round}`);
      for (const reader of readers) {
        expect(toText((await reader.get(`/linearizable-${round}`, { linearizable: true })).data)).toBe(`v${round}`);
      }
    }
  });
});
