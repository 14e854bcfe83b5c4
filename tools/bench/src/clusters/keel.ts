/**
 * A three-member Keel cluster: one `apps/server/dist/cli/keel-server.js` process per member,
 * client and peer WebSockets on 127.0.0.1, data in a temporary directory (Keel always fsyncs
 * its log). The flags the server accepts are read from its `--help`, so the harness works with
 * the server before and after its admin endpoint and limits existed. The leader is found on the
 * admin endpoint's `/status` when there is one, else by asking a member over the client
 * protocol (`listMembers`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@keel/chaos';
import { keelDriver } from '../targets/keel';
import { WorkloadNotDoneError } from '../workloads/not-done';
import type { ClusterMember, ClusterStarter, RunningCluster } from './cluster';
import { keelLeaderOf } from './keel-probe';
import { spawnTracked, stopProcess, type TrackedProcess, waitFor } from './processes';

/** The repository root, from this file's place in `tools/bench/{src,dist}`. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'apps', 'server', 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (apps/server) above the bench harness');
    dir = parent;
  }
  return dir;
}

/** The built `keel-server` entry point. */
export function keelServerScript(): string {
  const script = resolve(repositoryRoot(), 'apps/server/dist/cli/keel-server.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run npx nx run @keel/server:build`);
  return script;
}

/** The flags this build of keel-server accepts (from its --help). */
function keelFlags(script: string): Set<string> {
  const help = execFileSync(process.execPath, [script, '--help'], { encoding: 'utf8' });
  return new Set([...help.matchAll(/--([a-z][a-z-]+)/g)].map((match) => match[1] ?? ''));
}

function keelVersion(script: string, flags: Set<string>): string {
  if (flags.has('version')) {
    try {
      return execFileSync(process.execPath, [script, '--version'], { encoding: 'utf8' }).trim();
    } catch {}
  }
  const pkg = JSON.parse(readFileSync(resolve(dirname(script), '../../package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

interface KeelMember extends ClusterMember {
  readonly adminPort: number | undefined;
}

/** The parts of a member's admin `/status` the harness reads (older builds lack `snapshots`). */
interface AdminStatus {
  readonly role?: unknown;
  readonly snapshots?: { readonly taken: number; readonly maxMs: number; readonly lastBytes: number };
}

async function adminStatus(port: number): Promise<AdminStatus> {
  const response = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2000) });
  return (await response.json()) as AdminStatus;
}

async function adminRole(port: number): Promise<string | undefined> {
  const { role } = await adminStatus(port);
  return typeof role === 'string' ? role : undefined;
}

export const startKeel: ClusterStarter = async (options) => {
  const script = keelServerScript();
  const flags = keelFlags(script);
  const dataDir = mkdtempSync(join(options.baseDir, 'keel-'));
  const perMember = flags.has('admin-port') ? 3 : 2;
  const ports = await freePorts(options.members * perMember);
  const portOf = (i: number, which: number) => ports[i * perMember + which] ?? 0;
  const peers = Array.from({ length: options.members }, (_, i) => `--peer=k${i + 1}=ws://127.0.0.1:${portOf(i, 1)}`);
  const members: KeelMember[] = [];
  const respawns: (() => TrackedProcess)[] = [];
  for (let i = 0; i < options.members; i++) {
    const dir = join(dataDir, `k${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const adminPort = flags.has('admin-port') ? portOf(i, 2) : undefined;
    const args = [
      ...(options.cpuProfileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProfileDir)}`]),
      script,
      `--id=k${i + 1}`,
      `--data-dir=${join(dir, 'data')}`,
      '--host=127.0.0.1',
      `--client-port=${portOf(i, 0)}`,
      `--peer-port=${portOf(i, 1)}`,
      ...(options.members > 1 ? peers.filter((_, j) => j !== i || flags.has('peer-url')) : []),
      '--cluster-secret=keel-bench-secret',
      ...(adminPort === undefined ? [] : [`--admin-port=${adminPort}`]),
      ...(flags.has('log-level') ? ['--log-level=warn'] : []),
      // The benchmark opens thousands of sessions from one address.
      ...(flags.has('max-sessions-per-address') ? ['--max-sessions-per-address=100000'] : []),
    ];
    const spawnMember = () => spawnTracked(`keel-${i + 1}`, process.execPath, args, { logFile: join(dir, 'out.log') });
    respawns.push(spawnMember);
    members.push({
      id: `k${i + 1}`,
      process: spawnMember(),
      clientAddress: `ws://127.0.0.1:${portOf(i, 0)}`,
      adminPort,
    });
  }
  const leaderId = async (): Promise<string | undefined> => {
    for (const member of members) {
      if (member.adminPort !== undefined) {
        const role = await adminRole(member.adminPort).catch(() => undefined);
        if (role === 'leader') return member.id;
        continue;
      }
      const leader = await keelLeaderOf(member.clientAddress).catch(() => null);
      if (leader !== null) return leader;
    }
    return undefined;
  };
  const cluster: RunningCluster = {
    target: 'keel',
    driver: keelDriver(members.map((member) => member.clientAddress)),
    members,
    version: keelVersion(script, flags),
    dataDir,
    async leader() {
      const id = await leaderId();
      const leader = members.find((member) => member.id === id);
      if (leader === undefined) throw new Error('keel: no member knows a leader');
      return leader;
    },
    async restartMember(member) {
      const index = members.findIndex((candidate) => candidate.id === member.id);
      const found = members[index];
      const respawn = respawns[index];
      if (found === undefined || respawn === undefined) throw new Error(`keel: no member ${member.id}`);
      await stopProcess(found.process);
      const startedAt = Date.now();
      found.process = respawn();
      await waitFor(`keel member ${found.id} to serve`, 600_000, async () => {
        if (found.adminPort !== undefined) {
          const role = await adminRole(found.adminPort);
          return role === 'leader' || role === 'follower' ? true : undefined;
        }
        return (await keelLeaderOf(found.clientAddress)) === null ? undefined : true;
      });
      return Date.now() - startedAt;
    },
    async snapshotTimes() {
      let ms = -1;
      let bytes = 0;
      let count = 0;
      for (const member of members) {
        if (member.adminPort === undefined) throw new WorkloadNotDoneError('this build has no admin endpoint');
        const { snapshots } = await adminStatus(member.adminPort);
        if (snapshots === undefined) throw new WorkloadNotDoneError('this build reports no snapshot times');
        count += snapshots.taken;
        if (snapshots.taken > 0 && snapshots.maxMs > ms) ({ maxMs: ms, lastBytes: bytes } = snapshots);
      }
      if (count === 0) throw new WorkloadNotDoneError('no member has taken a snapshot yet');
      return { ms, bytes, count, source: '/status snapshots.maxMs (lastBytes) of the members' };
    },
    async stop() {
      await Promise.all(members.map((member) => stopProcess(member.process)));
      if (options.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('a Keel leader', 60_000, leaderId);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
};
