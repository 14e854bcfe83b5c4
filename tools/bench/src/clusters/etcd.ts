/**
 * An etcd 3.4 cluster from the Debian package: one `etcd` per member, client and peer URLs on
 * 127.0.0.1, fsync on (etcd's default). The leader is the member whose status names itself as
 * leader; member ids are 64-bit and compared as the strings the client returns, never as
 * JavaScript numbers (which would round them and could match a follower).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '@keel/chaos';
import { Etcd3 } from 'etcd3';
import { etcdDriver } from '../targets/etcd';
import { etcdVersion } from './binaries';
import type { ClusterMember, ClusterStarter, RunningCluster } from './cluster';
import { spawnTracked, stopProcess, type TrackedProcess, waitFor } from './processes';

/** This member's id and the leader id it believes in, both as decimal strings. */
async function etcdStatus(clientUrl: string): Promise<{ memberId: string; leaderId: string }> {
  const client = new Etcd3({ hosts: [clientUrl], dialTimeout: 1000 });
  try {
    const status = await client.maintenance.status({ deadline: Date.now() + 2000 });
    return { memberId: String(status.header.member_id), leaderId: String(status.leader) };
  } finally {
    client.close();
  }
}

export const startEtcd: ClusterStarter = async (options) => {
  const dataDir = mkdtempSync(join(options.baseDir, 'etcd-'));
  const ports = await freePorts(options.members * 2);
  const peerUrl = (i: number) => `http://127.0.0.1:${ports[i * 2 + 1]}`;
  const clientUrl = (i: number) => `http://127.0.0.1:${ports[i * 2]}`;
  const initialCluster = Array.from({ length: options.members }, (_, i) => `e${i + 1}=${peerUrl(i)}`).join(',');
  const members: ClusterMember[] = [];
  const respawns: (() => TrackedProcess)[] = [];
  for (let i = 0; i < options.members; i++) {
    const dir = join(dataDir, `e${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const spawnMember = () =>
      spawnTracked(
        `etcd-${i + 1}`,
        'etcd',
        [
          '--name',
          `e${i + 1}`,
          '--data-dir',
          join(dir, 'data'),
          '--listen-client-urls',
          clientUrl(i),
          '--advertise-client-urls',
          clientUrl(i),
          '--listen-peer-urls',
          peerUrl(i),
          '--initial-advertise-peer-urls',
          peerUrl(i),
          '--initial-cluster',
          initialCluster,
          '--initial-cluster-state',
          'new',
          '--initial-cluster-token',
          `keel-bench-${process.pid}`,
          '--log-level',
          'warn',
        ],
        { logFile: join(dir, 'out.log') },
      );
    respawns.push(spawnMember);
    members.push({ id: `e${i + 1}`, process: spawnMember(), clientAddress: clientUrl(i) });
  }
  const cluster: RunningCluster = {
    target: 'etcd',
    driver: etcdDriver(members.map((member) => member.clientAddress)),
    members,
    version: etcdVersion(),
    dataDir,
    async leader() {
      for (const member of members) {
        const status = await etcdStatus(member.clientAddress).catch(() => undefined);
        if (status !== undefined && status.leaderId !== '0' && status.memberId === status.leaderId) return member;
      }
      throw new Error('etcd: no member reports itself as leader');
    },
    async restartMember(member) {
      const index = members.findIndex((candidate) => candidate.id === member.id);
      const found = members[index];
      const respawn = respawns[index];
      if (found === undefined || respawn === undefined) throw new Error(`etcd: no member ${member.id}`);
      await stopProcess(found.process);
      const startedAt = Date.now();
      found.process = respawn();
      await waitFor(`etcd member ${found.id} to serve`, 600_000, async () => {
        const status = await etcdStatus(found.clientAddress);
        return status.leaderId !== '0' ? true : undefined;
      });
      return Date.now() - startedAt;
    },
    async snapshotTimes() {
      const leader = await cluster.leader();
      const client = new Etcd3({ hosts: [leader.clientAddress], dialTimeout: 1000 });
      try {
        const startedAt = performance.now();
        const stream = await client.maintenance.snapshot();
        const bytes = await new Promise<number>((resolve, reject) => {
          let received = 0;
          stream.on('data', (chunk) => {
            received += chunk.blob.byteLength;
          });
          stream.on('end', () => resolve(received));
          stream.on('error', reject);
        });
        return {
          ms: performance.now() - startedAt,
          bytes,
          count: 1,
          source: 'maintenance snapshot streamed from the leader',
        };
      } finally {
        client.close();
      }
    },
    async stop() {
      await Promise.all(members.map((member) => stopProcess(member.process)));
      if (options.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('an etcd leader', 60_000, async () => {
      const statuses = await Promise.all(members.map((member) => etcdStatus(member.clientAddress)));
      return statuses.every((status) => status.leaderId !== '0') ? true : undefined;
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
};
