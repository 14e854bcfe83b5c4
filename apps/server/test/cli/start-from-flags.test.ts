// Goal: the `keel-server` flags give a single-node member by default and map every flag to
// the server options; bad flags are refused with a readable message; parsed options start a
// member clients can use.
// A member given advertised URLs (--peer-url, --client-url) reports them alike in /status and
// in the protocol's listMembers.
// Method: parseCli on argument lists, then a real member started from parsed flags (ports 0),
// with its admin endpoint, asked over HTTP and over the client protocol.
import { afterAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../../src/admin/admin-server';
import type { StatusReport } from '../../src/admin/status-report';
import { cliDefaults, parseCli } from '../../src/cli/args';
import { KeelServer } from '../../src/server/keel-server';
import { RawClient, tempDir, waitFor } from '../server/harness';

describe('keel-server command line', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('defaults to a single node in ./data with clients on ws://127.0.0.1:5181', () => {
    const request = parseCli([], {});
    if (request.kind !== 'start') throw new Error('expected start');
    expect(request.config).toMatchObject({
      id: cliDefaults.id,
      dataDir: './data',
      clientListen: { host: '127.0.0.1', port: 5181 },
      peerListen: { host: '127.0.0.1', port: 5281 },
      admin: { host: '127.0.0.1', port: 5191 },
    });
    expect(request.options.peers).toBeUndefined();
    expect(request.options.bootstrap).toBeUndefined();
  });

  it('maps flags and refuses bad ones', () => {
    const request = parseCli(
      ['--id', 'a', '--data-dir', '/tmp/x', '--client-port', '7000', '--peer-port', '7001', '--peer', 'b=ws://h:1'],
      { KEEL_CLUSTER_SECRET: 's3' },
    );
    if (request.kind !== 'start') throw new Error('expected start');
    expect(request.options).toMatchObject({
      id: 'a',
      dataDir: '/tmp/x',
      clientListen: { port: 7000 },
      peerListen: { port: 7001 },
      peers: { b: 'ws://h:1' },
      clusterSecret: 's3',
    });
    expect(parseCli(['--help']).kind).toBe('help');
    expect(() => parseCli(['--client-port', 'abc'])).toThrow(/--client-port/);
    expect(() => parseCli(['--peer', 'nourl'])).toThrow(/--peer/);
    expect(() => parseCli(['--bogus'])).toThrow();
  });

  it('starts a usable member from parsed flags', async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    const request = parseCli(
      ['--data-dir', temp.dir, '--client-port', '0', '--peer-port', '0', '--max-data-bytes', '1000'],
      {},
    );
    if (request.kind !== 'start') throw new Error('expected start');
    const server = await KeelServer.start(request.options);
    cleanups.unshift(() => server.stop());
    expect(server.clientUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    await waitFor('the member to lead', () => server.node.isLeader(), 30_000);
    const { client } = await RawClient.connect(server.clientUrl);
    await client.expect({ op: 'ping', xid: 0 }, 'pong');
    await client.close();
  });

  it('reports its advertised URLs alike in /status and listMembers', async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    const advertisedPeer = 'ws://keel-1.example.com:5281';
    const advertisedClient = 'ws://keel-1.example.com:5181';
    const request = parseCli(
      [
        ...['--data-dir', temp.dir, '--client-port', '0', '--peer-port', '0'],
        ...['--peer-url', advertisedPeer, '--client-url', advertisedClient],
      ],
      {},
    );
    if (request.kind !== 'start') throw new Error('expected start');
    expect(request.options.peers).toEqual({ 'keel-1': advertisedPeer });
    expect(request.options.bootstrap).toBeUndefined();
    const server = await KeelServer.start(request.options);
    cleanups.unshift(() => server.stop());
    const admin = await AdminServer.start({
      listen: { host: '127.0.0.1', port: 0 },
      target: server,
      clientUrl: request.config.clientUrl,
    });
    cleanups.unshift(() => admin.close());
    await waitFor('the member to lead', () => server.node.isLeader(), 30_000);
    expect(server.peerUrl).not.toBe(advertisedPeer);

    const status = (await (await fetch(`${admin.url}/status`)).json()) as StatusReport;
    expect(status).toMatchObject({ peerUrl: advertisedPeer, leaderUrl: advertisedPeer, clientUrl: advertisedClient });
    expect(status.members).toEqual([{ id: 'keel-1', address: advertisedPeer, role: 'leader' }]);
    const { client } = await RawClient.connect(server.clientUrl);
    const listed = await client.expect({ op: 'listMembers', xid: 0 }, 'listMembers');
    expect(listed.members.map(({ id, address, role }) => ({ id, address, role }))).toEqual([
      { id: 'keel-1', address: advertisedPeer, role: 'voter' },
    ]);
    await client.close();
  });
});
