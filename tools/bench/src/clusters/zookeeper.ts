/**
 * A ZooKeeper 3.8 ensemble from the Debian package: one JVM per member (QuorumPeerMain) with
 * its own zoo.cfg, client/quorum/election ports on 127.0.0.1, fsync on (ZooKeeper's default
 * `forceSync=yes`). The leader is found with the `srvr` four-letter word.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '@keel/chaos';
import { zookeeperDriver } from '../targets/zookeeper';
import { WorkloadNotDoneError } from '../workloads/not-done';
import { zookeeperClassPath, zookeeperVersion } from './binaries';
import type { ClusterMember, ClusterStarter, RunningCluster } from './cluster';
import { spawnTracked, stopProcess, type TrackedProcess, tcpExchange, waitFor } from './processes';

/** The member's role as `srvr` reports it (`leader`, `follower`, `standalone`), or undefined when down. */
async function zookeeperMode(clientPort: number): Promise<string | undefined> {
  const answer = await tcpExchange(clientPort, 'srvr');
  return /Mode: (\w+)/.exec(answer)?.[1];
}

export const startZookeeper: ClusterStarter = async (options) => {
  const dataDir = mkdtempSync(join(options.baseDir, 'zookeeper-'));
  const ports = await freePorts(options.members * 3);
  const classPath = zookeeperClassPath();
  const servers = Array.from(
    { length: options.members },
    (_, i) => `server.${i + 1}=127.0.0.1:${ports[i * 3 + 1]}:${ports[i * 3 + 2]}`,
  );
  const members: (ClusterMember & { clientPort: number })[] = [];
  const respawns: (() => TrackedProcess)[] = [];
  for (let i = 0; i < options.members; i++) {
    const dir = join(dataDir, `n${i + 1}`);
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'myid'), `${i + 1}\n`);
    const clientPort = ports[i * 3] ?? 0;
    writeFileSync(
      join(dir, 'zoo.cfg'),
      [
        'tickTime=2000',
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${join(dir, 'data')}`,
        `clientPort=${clientPort}`,
        'clientPortAddress=127.0.0.1',
        'maxClientCnxns=0',
        'forceSync=yes',
        'admin.enableServer=false',
        '4lw.commands.whitelist=srvr,mntr,stat',
        ...(options.members > 1 ? servers : []),
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'log4j.properties'),
      [
        'log4j.rootLogger=WARN, F',
        'log4j.appender.F=org.apache.log4j.FileAppender',
        `log4j.appender.F.File=${join(dir, 'zookeeper.log')}`,
        'log4j.appender.F.layout=org.apache.log4j.PatternLayout',
        '',
      ].join('\n'),
    );
    const spawnMember = () =>
      spawnTracked(
        `zookeeper-${i + 1}`,
        'java',
        [
          '-Xmx1g',
          '-cp',
          `${dir}:${classPath}`,
          `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
          `-Dzookeeper.log.dir=${dir}`,
          'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          join(dir, 'zoo.cfg'),
        ],
        { logFile: join(dir, 'out.log') },
      );
    respawns.push(spawnMember);
    members.push({ id: String(i + 1), process: spawnMember(), clientAddress: `127.0.0.1:${clientPort}`, clientPort });
  }
  const cluster: RunningCluster = {
    target: 'zookeeper',
    driver: zookeeperDriver(members.map((member) => member.clientAddress).join(',')),
    members,
    version: zookeeperVersion(),
    dataDir,
    async leader() {
      for (const member of members) {
        const mode = await zookeeperMode(member.clientPort).catch(() => undefined);
        if (mode === 'leader' || mode === 'standalone') return member;
      }
      throw new Error('zookeeper: no member reports Mode: leader');
    },
    async restartMember(member) {
      const index = members.findIndex((candidate) => candidate.id === member.id);
      const found = members[index];
      const respawn = respawns[index];
      if (found === undefined || respawn === undefined) throw new Error(`zookeeper: no member ${member.id}`);
      await stopProcess(found.process);
      const startedAt = Date.now();
      found.process = respawn();
      await waitFor(`zookeeper member ${found.id} to serve`, 600_000, async () => {
        const mode = await zookeeperMode(found.clientPort);
        return mode === 'leader' || mode === 'follower' ? true : undefined;
      });
      return Date.now() - startedAt;
    },
    async snapshotTimes() {
      let ms = 0;
      let count = 0;
      for (const member of members) {
        const mntr = await tcpExchange(member.clientPort, 'mntr');
        const field = (name: string): number => Number(new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(mntr)?.[1] ?? 0);
        // The count includes the snapshot loaded at start-up, whose time is 0.
        count += Math.max(0, field('zk_cnt_snapshottime') - 1);
        ms = Math.max(ms, field('zk_max_snapshottime'));
      }
      if (count === 0) throw new WorkloadNotDoneError('no member has taken a snapshot yet');
      return { ms, bytes: null, count, source: 'mntr zk_max_snapshottime of the members' };
    },
    async stop() {
      await Promise.all(members.map((member) => stopProcess(member.process)));
      if (options.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('a ZooKeeper leader', 60_000, async () => {
      const modes = await Promise.all(members.map((member) => zookeeperMode(member.clientPort).catch(() => undefined)));
      return modes.every((mode) => mode !== undefined) && modes.some((m) => m === 'leader' || m === 'standalone')
        ? true
        : undefined;
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
};
