// Goal: the admin operations of the client protocol change a live cluster, sent to a follower
// (forwarded to the leader): add a fourth member as a learner, promote it to voter, remove
// another member, hand leadership to the new member and back (no target: the asking member),
// with writes in between that all stay readable; listMembers reports the roles, and from the
// leader each member's match index.
// Method: three real members plus a fourth started without bootstrap (it joins through the
// log), raw `ws` clients; the admin client and the writer sit on a follower that is never removed.
import { join } from 'node:path';
import type { ResponseByOp } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { KeelServer } from '../../src/server/keel-server';
import { bytes, clusterOptions, RawClient, text, useCluster, waitFor, waitForLeader } from './harness';

describe('KeelServer membership administration', () => {
  const cluster = useCluster();

  it('adds a learner, promotes it, removes a member and moves leadership to it, writes flowing', async () => {
    // The joining member is added here, so the fixture stops it too.
    const servers = cluster.servers;
    const leader = await waitForLeader(servers);
    const [adminHome, toRemove] = servers.filter((server) => server !== leader) as [KeelServer, KeelServer];
    const { client } = await RawClient.connect(adminHome.clientUrl);
    let written = 0;
    const writeBurst = async () => {
      for (let i = 0; i < 20; i++) {
        written++;
        await client.expect({ op: 'set', xid: 0, path: '/load', data: bytes(String(written)) }, 'set');
      }
    };
    await client.expect({ op: 'create', xid: 0, path: '/load', data: bytes('0'), mode: 'persistent' }, 'create');
    await writeBurst();

    const peers = Object.fromEntries(servers.map((server) => [server.id, server.peerUrl]));
    const joining = await KeelServer.start({
      id: 'd',
      dataDir: join(cluster.dir, 'd'),
      clientListen: { host: '127.0.0.1', port: 0 },
      ...clusterOptions,
      peers,
      tickMs: 10,
    });
    servers.push(joining);
    await client.expect({ op: 'addLearner', xid: 0, memberId: 'd', address: joining.peerUrl }, 'addLearner');
    const listed = await client.expect({ op: 'listMembers', xid: 0 }, 'listMembers');
    expect(roles(listed)).toEqual({ a: 'voter', b: 'voter', c: 'voter', d: 'learner' });
    expect(listed.leaderId).toBe(leader.id);
    expect(listed.members.find((member) => member.id === 'd')?.address).toBe(joining.peerUrl);
    await writeBurst();
    await waitFor(
      'the learner to catch up',
      () => joining.machine.appliedRevision >= adminHome.machine.appliedRevision,
      30_000,
    );

    await client.expect({ op: 'promote', xid: 0, memberId: 'd' }, 'promote');
    await writeBurst();
    await client.expect({ op: 'removeMember', xid: 0, memberId: toRemove.id }, 'removeMember');
    const afterRemove = await client.expect({ op: 'listMembers', xid: 0 }, 'listMembers');
    expect(roles(afterRemove)).toEqual(
      Object.fromEntries([leader.id, adminHome.id, 'd'].sort().map((id) => [id, 'voter'] as const)),
    );
    await writeBurst();

    const moved = await client.expect({ op: 'transferLeadership', xid: 0, memberId: 'd' }, 'transferLeadership');
    expect(moved.leaderId).toBe('d');
    await waitFor('d to lead', () => joining.node.isLeader(), 30_000);
    await writeBurst();

    // From the leader, listMembers carries replication progress.
    const { client: onLeader } = await RawClient.connect(joining.clientUrl);
    const progress = await onLeader.expect({ op: 'listMembers', xid: 0 }, 'listMembers');
    expect(progress.leaderId).toBe('d');
    for (const member of progress.members) {
      expect(member.matchIndex).toBeGreaterThan(0);
      expect(member.lag).toBeGreaterThanOrEqual(0);
    }
    const value = await onLeader.expect({ op: 'get', xid: 0, path: '/load', watch: false, linearizable: true }, 'get');
    expect(text(value.data)).toBe(String(written));
    expect(value.stat.version).toBe(written);
    await onLeader.close();

    // Without a target, a follower asks for leadership for itself.
    const back = await client.expect({ op: 'transferLeadership', xid: 0 }, 'transferLeadership');
    expect(back.leaderId).toBe(adminHome.id);
    await waitFor('the admin home to lead', () => adminHome.node.isLeader(), 30_000);
    await writeBurst();
    const final = await client.expect({ op: 'get', xid: 0, path: '/load', watch: false, linearizable: true }, 'get');
    expect(text(final.data)).toBe(String(written));
    await client.close();
  });
});

function roles(listed: ResponseByOp['listMembers']): Record<string, string> {
  return Object.fromEntries(
    [...listed.members].sort((x, y) => x.id.localeCompare(y.id)).map((member) => [member.id, member.role]),
  );
}
