// Goal: multi is atomic on every member: a multi whose last operation fails leaves nothing of
// its other operations applied anywhere, and a multi that succeeds is applied whole, at one
// revision, everywhere.
// Method: the shared three-member cluster of keel-server processes; the multi goes through a follower;
// each member is then read by its own client (pinned to it) after `sync`.
import { BadVersionError, isMultiFailure, type KeelClient, toText } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, type MemberAddress, rolesOf } from './support/cluster';
import { sharedMembers } from './support/shared';

let members: MemberAddress[];
let clients: Clients;
let writer: KeelClient;
let perMember: KeelClient[];

beforeAll(async () => {
  members = sharedMembers();
  clients = new Clients(members);
  const roles = await rolesOf(members);
  writer = await clients.on(roles.followers[0]);
  perMember = await Promise.all(members.map((member) => clients.on(member.id)));
});

afterAll(async () => {
  await clients?.closeAll();
});

describe('multi', () => {
  it('a failing operation leaves nothing applied, on every member', async () => {
    await writer.create('/m');
    await writer.create('/m/x', 'original');
    await writer.create('/m/gone', 'stays');
    const parentBefore = (await writer.get('/m')).stat;

    const failure = await writer
      .multi([
        { op: 'create', path: '/m/new', data: 'new' },
        { op: 'set', path: '/m/x', data: 'changed' },
        { op: 'delete', path: '/m/gone' },
        { op: 'check', path: '/m/x', version: 5 },
      ])
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(BadVersionError);
    if (!isMultiFailure(failure)) throw new Error('not a multi failure');
    expect(failure.failedIndex).toBe(3);
    expect(failure.results.map((result) => (result.op === 'error' ? result.code : result.op))).toEqual([
      'rolledBack',
      'rolledBack',
      'rolledBack',
      'BadVersion',
    ]);

    for (const reader of perMember) {
      await reader.sync('/m');
      expect(await reader.exists('/m/new')).toBeNull();
      const x = await reader.get('/m/x');
      expect(toText(x.data)).toBe('original');
      expect(x.stat.version).toBe(0);
      expect(toText((await reader.get('/m/gone')).data)).toBe('stays');
      expect((await reader.get('/m')).stat).toEqual(parentBefore);
    }
  });

  it('a multi that succeeds is applied whole, at one revision, on every member', async () => {
    await writer.create('/ok');
    await writer.multi([
      { op: 'check', path: '/ok', version: 0 },
      { op: 'create', path: '/ok/a', data: 'a' },
      { op: 'create', path: '/ok/b', data: 'b' },
      { op: 'set', path: '/ok', data: 'parent' },
    ]);
    const stats = [];
    for (const reader of perMember) {
      await reader.sync('/ok');
      const a = await reader.get('/ok/a');
      const b = await reader.get('/ok/b');
      const parent = await reader.get('/ok');
      expect(toText(parent.data)).toBe('parent');
      expect(a.stat.createdRevision).toBe(b.stat.createdRevision);
      expect(parent.stat.modifiedRevision).toBe(a.stat.createdRevision);
      stats.push([a.stat, b.stat, parent.stat]);
    }
    expect(stats[1]).toEqual(stats[0]);
    expect(stats[2]).toEqual(stats[0]);
  });
});
