/**
 * Where the peers' binaries are, and the apt command that installs them (Debian packages
 * `zookeeper` and `etcd-server`). The harness installs them only when asked (`--install`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { TargetName } from '../results';

/** The directory holding ZooKeeper's jars and its dependencies. */
export const javaLibDir = '/usr/share/java';
const zookeeperJar = `${javaLibDir}/zookeeper.jar`;

/** The apt packages each peer needs. */
export const aptPackages: Readonly<Record<Exclude<TargetName, 'keel'>, readonly string[]>> = {
  zookeeper: ['zookeeper'],
  etcd: ['etcd-server'],
};

/** The command a user runs to install what is missing. */
export function installCommand(targets: readonly TargetName[]): string {
  const packages = targets.flatMap((target) => (target === 'keel' ? [] : aptPackages[target]));
  return `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(`${dir}/${command}`)) return `${dir}/${command}`;
  }
  return undefined;
}

/** What is missing to run `target` (empty when it can run). */
export function missingFor(target: TargetName): string[] {
  if (target === 'zookeeper') {
    const missing: string[] = [];
    if (onPath('java') === undefined) missing.push('java');
    if (!existsSync(zookeeperJar)) missing.push(zookeeperJar);
    return missing;
  }
  if (target === 'etcd') return onPath('etcd') === undefined ? ['etcd'] : [];
  return [];
}

/** The Java class path for ZooKeeper: every jar of the Debian Java directory. */
export function zookeeperClassPath(): string {
  return readdirSync(javaLibDir)
    .filter((name) => name.endsWith('.jar'))
    .map((name) => `${javaLibDir}/${name}`)
    .join(':');
}

/** ZooKeeper's version, from the versioned jar's name. */
export function zookeeperVersion(): string {
  const jar = readdirSync(javaLibDir).find((name) => /^zookeeper-\d+\.\d+\.\d+\.jar$/.test(name));
  return jar === undefined ? 'unknown' : jar.slice('zookeeper-'.length, -'.jar'.length);
}

/** etcd's version, as `etcd --version` reports it. */
export function etcdVersion(): string {
  try {
    const out = execFileSync('etcd', ['--version'], { encoding: 'utf8' });
    return /etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Installs the missing peers with apt (needs root). */
export function installPeers(targets: readonly TargetName[]): void {
  const packages = targets.flatMap((target) =>
    target === 'keel' || missingFor(target).length === 0 ? [] : aptPackages[target],
  );
  if (packages.length === 0) return;
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
