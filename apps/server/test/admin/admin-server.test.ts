// Goal: the admin endpoint answers /health with 200 only on a member that knows a leader and has
// applied what is committed (503 with the reason otherwise), /status with the member's Raft
// position, its cluster view (followers' match and lag on the leader), session and node counts,
// and refuses unknown paths (404) and other methods (405).
// Method: real KeelServer members in this process (durable logs in temp dirs, 127.0.0.1, free
// ports), the AdminServer on a free port, and real HTTP requests with fetch; a raw protocol
// client creates a session and a node so the counts must change.
import { afterAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../../src/admin/admin-server';
import { healthAppliedLagMax, healthOf } from '../../src/admin/health';
import type { StatusReport } from '../../src/admin/status-report';
import { KeelServer } from '../../src/server/keel-server';
import { bytes, RawClient, startSingle, tempDir, waitFor } from '../server/harness';

const loopback = { host: '127.0.0.1', port: 0 };

describe('admin endpoint', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function single(): Promise<{ server: KeelServer; admin: AdminServer }> {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    const server = await startSingle(temp.dir);
    cleanups.unshift(() => server.stop());
    const admin = await AdminServer.start({ listen: loopback, target: server });
    cleanups.unshift(() => admin.close());
    return { server, admin };
  }

  it('reports a leading single member ready and describes it', async () => {
    const { server, admin } = await single();
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${admin.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await health.json()).toEqual({ status: 'ready' });

    const before = (await (await fetch(`${admin.url}/status`)).json()) as StatusReport;
    expect(before).toMatchObject({
      id: 'm1',
      role: 'leader',
      leader: 'm1',
      health: { ready: true },
      members: [{ id: 'm1', role: 'leader', address: server.peerUrl }],
      sessions: 0,
      nodes: 1,
      clientUrl: server.clientUrl,
      peerUrl: server.peerUrl,
    });
    expect(before.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(before.term).toBeGreaterThan(0);
    expect(before.appliedIndex).toBe(before.commitIndex);
    expect(before.uptimeMs).toBeGreaterThanOrEqual(0);

    const { client } = await RawClient.connect(server.clientUrl);
    await client.expect({ op: 'create', xid: 0, path: '/a', data: bytes('x'), mode: 'persistent' }, 'create');
    await client.expect({ op: 'create', xid: 0, path: '/a/b', data: bytes('y'), mode: 'ephemeral' }, 'create');
    const after = (await (await fetch(`${admin.url}/status?verbose=1`)).json()) as StatusReport;
    expect(after.sessions).toBe(1);
    expect(after.nodes).toBe(3);
    expect(after.commitIndex).toBeGreaterThan(before.commitIndex);
    await client.close();
  });

  it('reports how long the member took for its own snapshots', async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    const server = await startSingle(temp.dir, { snapshotEveryEntries: 20 });
    cleanups.unshift(() => server.stop());
    const admin = await AdminServer.start({ listen: loopback, target: server });
    cleanups.unshift(() => admin.close());
    const status = async (): Promise<StatusReport> =>
      (await (await fetch(`${admin.url}/status`)).json()) as StatusReport;
    expect((await status()).snapshots).toEqual({ taken: 0, lastMs: 0, lastBytes: 0, maxMs: 0, inMemoryBytes: 0 });

    const { client } = await RawClient.connect(server.clientUrl);
    for (let i = 0; i < 40; i++) {
      await client.expect({ op: 'create', xid: 0, path: `/s${i}`, data: bytes('x'), mode: 'persistent' }, 'create');
    }
    await waitFor('a snapshot', async () => (await status()).snapshots.taken > 0);
    const { snapshots, snapshotIndex } = await status();
    expect(snapshotIndex).toBeGreaterThan(0);
    expect(snapshots.lastBytes).toBeGreaterThan(40);
    expect(snapshots.lastMs).toBeGreaterThanOrEqual(0);
    expect(snapshots.maxMs).toBeGreaterThanOrEqual(snapshots.lastMs);
    // Stored, then read back from its file when a follower needs it: no copy stays in memory.
    await waitFor('the snapshot served from its file', async () => (await status()).snapshots.inMemoryBytes === 0);
    await client.close();
  });

  it('answers 404 for unknown paths, 405 for other methods, and HEAD without a body', async () => {
    const { admin } = await single();
    const missing = await fetch(`${admin.url}/metrics`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no such path: /metrics' });
    expect((await fetch(`${admin.url}/`)).status).toBe(404);

    const posted = await fetch(`${admin.url}/health`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${admin.url}/status`, { method: 'DELETE' })).status).toBe(405);

    const head = await fetch(`${admin.url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('reports 503 with the reason while no leader is known', async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    // Two of the three voters never start: no quorum, so no leader.
    const server = await KeelServer.start({
      id: 'lonely',
      dataDir: temp.dir,
      clientListen: loopback,
      peerListen: loopback,
      clusterSecret: 'test-secret',
      bootstrap: { voters: ['lonely', 'ghost-1', 'ghost-2'], learners: [] },
      tickMs: 10,
    });
    cleanups.unshift(() => server.stop());
    const admin = await AdminServer.start({ listen: loopback, target: server });
    cleanups.unshift(() => admin.close());
    const health = await fetch(`${admin.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({
      status: 'unavailable',
      reason: 'no known leader (election in progress or no quorum)',
    });
    const status = (await (await fetch(`${admin.url}/status`)).json()) as StatusReport;
    expect(status.leader).toBeNull();
    expect(status.members.map((member) => [member.id, member.role])).toEqual([
      ['lonely', 'follower'],
      ['ghost-1', 'follower'],
      ['ghost-2', 'follower'],
    ]);
  });

  it("shows each follower's replication on the leader of three members", async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    const ids = ['a', 'b', 'c'];
    const servers: KeelServer[] = [];
    for (const id of ids) {
      const server = await KeelServer.start({
        id,
        dataDir: `${temp.dir}/${id}`,
        clientListen: loopback,
        peerListen: loopback,
        clusterSecret: 'test-secret',
        bootstrap: { voters: ids, learners: [] },
        tickMs: 10,
      });
      servers.push(server);
      cleanups.unshift(() => server.stop());
    }
    const addresses = new Map(servers.map((server) => [server.id, server.peerUrl] as const));
    for (const server of servers) server.node.setPeerAddresses(addresses);
    const admins = await Promise.all(servers.map((target) => AdminServer.start({ listen: loopback, target })));
    for (const admin of admins) cleanups.unshift(() => admin.close());

    await waitFor(
      'every member to report ready',
      async () => (await Promise.all(admins.map((admin) => fetch(`${admin.url}/health`)))).every((r) => r.ok),
      60_000,
    );
    const leaderIndex = servers.findIndex((server) => server.node.isLeader());
    const leaderAdmin = admins[leaderIndex];
    const leader = servers[leaderIndex];
    if (leaderAdmin === undefined || leader === undefined) throw new Error('no leader');
    // Followers catch up with the leader's last entry once they acknowledge its heartbeat appends.
    let report: StatusReport | undefined;
    await waitFor(
      'both followers to have every entry',
      async () => {
        report = (await (await fetch(`${leaderAdmin.url}/status`)).json()) as StatusReport;
        return report.members.filter((member) => member.lag === 0).length === 2;
      },
      60_000,
    );
    if (report === undefined) throw new Error('no report');
    expect(report.role).toBe('leader');
    expect(report.leaderUrl).toBe(leader.peerUrl);
    for (const member of report.members) {
      const server = servers.find((candidate) => candidate.id === member.id);
      expect(member.address).toBe(server?.peerUrl);
      if (member.id === leader.id) {
        expect(member).toEqual({ id: leader.id, address: leader.peerUrl, role: 'leader' });
      } else {
        expect(member).toMatchObject({ role: 'follower', match: report.lastIndex, lag: 0, active: true });
        expect(member.replication).toBe('replicate');
      }
    }
    const followerAdmin = admins.find((_, index) => index !== leaderIndex);
    const followerReport = (await (await fetch(`${followerAdmin?.url}/status`)).json()) as StatusReport;
    expect(followerReport.role).toBe('follower');
    expect(followerReport.leader).toBe(leader.id);
    expect(followerReport.leaderUrl).toBe(leader.peerUrl);
    expect(followerReport.members.every((member) => member.match === undefined)).toBe(true);
  });

  it('reports the configured client URL instead of the bound address', async () => {
    const { server } = await single();
    const admin = await AdminServer.start({
      listen: loopback,
      target: server,
      clientUrl: 'ws://keel.example.com:5181',
    });
    cleanups.unshift(() => admin.close());
    const status = (await (await fetch(`${admin.url}/status`)).json()) as StatusReport;
    expect(status.clientUrl).toBe('ws://keel.example.com:5181');
  });

  it('stops answering once closed', async () => {
    const { admin } = await single();
    const url = admin.url;
    await admin.close();
    await admin.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});

describe('health rules', () => {
  const ready = { stopped: false, leader: 'a', commit: 500, appliedIndex: 500 };

  it('is ready with a leader and everything committed applied, within the lag bound', () => {
    expect(healthOf(ready)).toEqual({ ready: true });
    expect(healthOf({ ...ready, appliedIndex: 500 - healthAppliedLagMax })).toEqual({ ready: true });
  });

  it('is not ready while stopping, leaderless or catching up', () => {
    expect(healthOf({ ...ready, stopped: true })).toEqual({ ready: false, reason: 'the member is stopping' });
    expect(healthOf({ ...ready, leader: null }).ready).toBe(false);
    expect(healthOf({ ...ready, appliedIndex: 500 - healthAppliedLagMax - 1 })).toEqual({
      ready: false,
      reason: `catching up: applied ${500 - healthAppliedLagMax - 1} of 500 committed entries`,
    });
  });
});
