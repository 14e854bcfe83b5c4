// Goal: under leadership transfers and a member restart, pipelined writes from clients on every
// member keep ZooKeeper's promises: every acknowledged write is present afterwards, and the
// writes a connection got applied are a prefix of what it sent (FIFO: none after a lost one).
// Method: three real members in one process; three writers (one per member) pipeline batches
// of creates named after their connection and sequence number, reconnecting (a new session)
// whenever a connection ends; meanwhile leadership is moved twice and a follower is stopped and
// restarted on the same ports. At the end the tree is read through one member (after sync).
import { encodeRequest, type ServerMessage } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { KeelServer } from '../../src/server/keel-server';
import { bytes, clusterOptions, RawClient, useCluster, waitForLeader } from './harness';

const batch = 20;

describe('KeelServer under churn', () => {
  const cluster = useCluster();

  it('keeps acknowledged writes and per-connection FIFO through transfers and a restart', async () => {
    // The restarted member takes its predecessor's place here, so the fixture stops it.
    const servers = cluster.servers;
    const { client: setup } = await RawClient.connect(servers[0]!.clientUrl);
    await setup.expect({ op: 'create', xid: 0, path: '/w', data: bytes(''), mode: 'persistent' }, 'create');
    await setup.close();

    let running = true;
    const acknowledged = new Set<string>();
    const sent = new Map<string, number>();
    const writer = async (name: string, home: () => KeelServer) => {
      let connection = 0;
      while (running) {
        connection++;
        const tag = `${name}-${connection}`;
        let client: RawClient;
        try {
          client = (await RawClient.connect(home().clientUrl)).client;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        let sequence = 0;
        while (running && client.closeInfo === null) {
          const xids = new Map<number, string>();
          for (let i = 0; i < batch; i++) {
            sequence++;
            const path = `/w/${tag}-${sequence}`;
            const xid = client.xid();
            xids.set(xid, path);
            client.sendRaw(encodeRequest({ op: 'create', xid, path, data: bytes(''), mode: 'persistent' }));
          }
          sent.set(tag, sequence);
          let answered = 0;
          while (answered < batch) {
            const message: ServerMessage | null = await client.next();
            if (message === null) break;
            if (!('xid' in message) || !xids.has(message.xid)) continue;
            answered++;
            if (message.type === 'create') acknowledged.add(message.path);
          }
        }
        await client.close();
      }
    };
    const writers = [writer('x', () => servers[0]!), writer('y', () => servers[1]!), writer('z', () => servers[2]!)];

    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
    await settle();
    for (let round = 0; round < 2; round++) {
      const leader = await waitForLeader(servers);
      const target = servers.find((server) => server !== leader)!;
      await leader.node.transferLeadership(target.id).catch(() => {});
      await settle();
    }
    const leader = await waitForLeader(servers);
    const victimIndex = servers.findIndex((server) => server !== leader);
    const victim = servers[victimIndex]!;
    const peerPort = Number(new URL(victim.peerUrl).port);
    const clientPort = Number(new URL(victim.clientUrl).port);
    await victim.stop();
    await settle();
    servers[victimIndex] = await KeelServer.start({
      id: victim.id,
      dataDir: `${cluster.dir}/${victim.id}`,
      clientListen: { host: '127.0.0.1', port: clientPort },
      peerListen: { host: '127.0.0.1', port: peerPort },
      peers: Object.fromEntries(servers.map((server) => [server.id, server.peerUrl])),
      ...clusterOptions,
      tickMs: 10,
    });
    await settle();
    running = false;
    await Promise.all(writers);

    await waitForLeader(servers);
    const { client: reader } = await RawClient.connect(servers[0]!.clientUrl);
    await reader.expect({ op: 'sync', xid: 0, path: '/w' }, 'sync');
    const listing = await reader.expect(
      { op: 'children', xid: 0, path: '/w', watch: false, linearizable: true },
      'children',
    );
    await reader.close();
    const present = new Set(listing.children.map((name) => `/w/${name}`));
    for (const path of acknowledged) expect(present.has(path), `acknowledged ${path}`).toBe(true);
    const applied = new Map<string, number[]>();
    for (const name of listing.children) {
      const cut = name.lastIndexOf('-');
      const tag = name.slice(0, cut);
      applied.set(tag, [...(applied.get(tag) ?? []), Number(name.slice(cut + 1))]);
    }
    for (const [tag, sequences] of applied) {
      sequences.sort((p, q) => p - q);
      // A prefix: 1, 2, ..., n with no hole.
      expect(sequences, `connection ${tag}`).toEqual(sequences.map((_, i) => i + 1));
      expect(sequences.length).toBeLessThanOrEqual(sent.get(tag) ?? 0);
    }
    expect(acknowledged.size).toBeGreaterThan(0);
  });
});
