// Goal: membership changes through the client's admin requests keep the cluster available and
// lose no acknowledged write: a fourth member process joins as a learner, is promoted to voter,
// a follower is removed (then its process killed), and leadership moves to the new member, all
// while a writer keeps writing.
// Method: a three-member cluster of keel-server processes (ChaosCluster) plus a fourth process
// started with `--join` and the existing members' peer URLs (ChaosCluster has no way to add a
// member, so this test starts it with @keel/chaos's MemberProcess). An admin client drives
// addLearner / promote / removeMember / transferLeadership; the writer creates one node per
// step and records what was acknowledged; at the end a client of the new member reads every
// acknowledged node back with linearizable reads.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChaosCluster, freePorts, keelServerScript, loopbackHost, MemberProcess } from '@keel/chaos';
import { isKeelError, type KeelClient } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressesOf, Clients, clusterSecret, memberFlag, rolesOf, startCluster, waitUntil } from './support/cluster';

let cluster: ChaosCluster;
let clients: Clients;
let joiner: MemberProcess | null = null;

beforeAll(async () => {
  cluster = await startCluster();
  clients = new Clients(addressesOf(cluster));
});

afterAll(async () => {
  await clients?.closeAll();
  await joiner?.kill();
  await cluster?.destroy();
});

/** Starts member `id` with `--join`, told where the cluster's members listen for peers. */
async function startJoiner(id: string): Promise<{ member: MemberProcess; peerUrl: string }> {
  const [clientPort, peerPort, adminPort] = await freePorts(3);
  const dir = join(cluster.baseDir, id);
  const args = [
    '--id',
    id,
    '--data-dir',
    join(dir, 'data'),
    '--host',
    loopbackHost,
    '--client-port',
    String(clientPort),
    '--peer-port',
    String(peerPort),
    '--admin-port',
    String(adminPort),
    '--cluster-secret',
    clusterSecret,
    '--join',
  ];
  for (const peer of cluster.ids) {
    args.push('--peer', `${peer}=ws://${loopbackHost}:${memberFlag(cluster, peer, 'peer-port')}`);
  }
  await mkdir(dir, { recursive: true });
  const member = new MemberProcess({
    id,
    script: keelServerScript(),
    args,
    clientPort: clientPort!,
    logFile: join(dir, 'member.log'),
  });
  await member.start();
  return { member, peerUrl: `ws://${loopbackHost}:${peerPort}` };
}

/** Writes one new node after another until stopped; remembers the acknowledged ones. */
class Writer {
  readonly acked: string[] = [];
  readonly unknown: string[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly client: KeelClient) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const path = `/mw/k-${String(i).padStart(6, '0')}`;
      try {
        await this.client.create(path, String(i), { timeoutMs: 20_000 });
        this.acked.push(path);
      } catch (error) {
        // Outcome unknown (ConnectionLoss, Timeout): neither acknowledged nor required.
        if (!isKeelError(error)) throw error;
        this.unknown.push(path);
      }
    }
  }

  /** Waits until `count` more writes are acknowledged. */
  async progress(count: number): Promise<void> {
    const target = this.acked.length + count;
    await waitUntil(`${count} more writes are acknowledged`, () => this.acked.length >= target);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

describe('membership changes under writes', () => {
  it('add learner, promote, remove, transfer leadership: every acknowledged write is kept', async () => {
    const { leader, followers } = await rolesOf(addressesOf(cluster));
    const admin = await clients.on(leader);
    await admin.create('/mw');
    const writer = new Writer(await clients.connect());
    await writer.progress(20);

    const started = await startJoiner('n4');
    joiner = started.member;
    await admin.addLearner('n4', started.peerUrl);
    expect((await admin.members()).members.find((m) => m.id === 'n4')).toMatchObject({
      role: 'learner',
      address: started.peerUrl,
    });
    await writer.progress(20);

    // A learner far behind may be refused promotion; it catches up within moments.
    await waitUntil('n4 is promoted', async () => {
      try {
        await admin.promote('n4');
        return true;
      } catch (error) {
        if (!isKeelError(error)) throw error;
        return false;
      }
    });
    expect((await admin.members()).members.find((m) => m.id === 'n4')?.role).toBe('voter');
    await writer.progress(20);

    const removed = followers[0];
    await admin.removeMember(removed);
    expect((await admin.members()).members.map((m) => m.id).sort()).toEqual([leader, followers[1], 'n4'].sort());
    await cluster.kill(removed);
    await writer.progress(20);

    expect(await admin.transferLeadership('n4')).toBe('n4');
    await writer.progress(20);
    await writer.stop();

    const reader = await clients.connectUrls([started.member.clientUrl]);
    expect((await reader.members()).leaderId).toBe('n4');
    const present = new Set(await reader.children('/mw', { linearizable: true }));
    const missing = writer.acked.filter((path) => !present.has(path.slice('/mw/'.length)));
    expect(missing).toEqual([]);
    expect(writer.acked.length).toBeGreaterThanOrEqual(100);
    for (const path of writer.acked.slice(-20)) {
      expect(await reader.exists(path, { linearizable: true })).not.toBeNull();
    }
  });
});
