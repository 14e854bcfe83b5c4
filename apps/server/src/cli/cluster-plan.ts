/**
 * What `keel-cluster` (`npm run cluster`) starts: N members of one cluster on loopback, with
 * ports laid out from one base so the defaults match a single `keel-server` (client 5181, admin
 * 5191, peer 5281) and members count up from there.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isLogLevel, type LogLevel, logLevels } from '../logging/logger';
import { ConfigError } from './config-errors';
import { defaultPorts } from './config-schema';
import { integer } from './config-values';

/** Admin ports start this far above client ports. */
export const adminPortOffset = defaultPorts.admin - defaultPorts.client;

/** Peer ports start this far above client ports. */
export const peerPortOffset = defaultPorts.peer - defaultPorts.client;

/** Most members `keel-cluster` starts: more would run into the next port range. */
export const clusterMembersMax = adminPortOffset - 1;

/** The cluster to start. */
export interface ClusterOptions {
  /** Client port of the first member; admin and peer ports follow from it. */
  readonly basePort: number;
  readonly members: number;
  /** Parent of the members' data directories (`<dataDir>/n1`, ...). */
  readonly dataDir: string;
  readonly logLevel: LogLevel;
}

/** Defaults of `npm run cluster`. */
export const clusterDefaults: ClusterOptions = Object.freeze({
  basePort: defaultPorts.client,
  members: 3,
  dataDir: join('data', 'cluster'),
  logLevel: 'info',
});

/** One member to start. */
export interface MemberPlan {
  readonly id: string;
  /** Arguments of `keel-server`. */
  readonly args: readonly string[];
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly adminUrl: string;
}

const host = '127.0.0.1';

/** The members of the cluster, each listing all of them as initial members. */
export function planCluster(options: ClusterOptions): MemberPlan[] {
  const ids = Array.from({ length: options.members }, (_, index) => `n${index + 1}`);
  const peerUrl = (index: number): string => `ws://${host}:${options.basePort + peerPortOffset + index}`;
  const peers = ids.flatMap((id, index) => ['--peer', `${id}=${peerUrl(index)}`]);
  return ids.map((id, index) => {
    const clientPort = options.basePort + index;
    const adminPort = options.basePort + adminPortOffset + index;
    return {
      id,
      args: [
        '--id',
        id,
        '--data-dir',
        join(options.dataDir, id),
        '--host',
        host,
        '--client-port',
        String(clientPort),
        '--peer-port',
        String(options.basePort + peerPortOffset + index),
        '--admin-port',
        String(adminPort),
        '--log-level',
        options.logLevel,
        ...peers,
      ],
      clientUrl: `ws://${host}:${clientPort}`,
      peerUrl: peerUrl(index),
      adminUrl: `http://${host}:${adminPort}`,
    };
  });
}

/** The connection string clients take: every member's client URL, comma-separated. */
export function connectionString(plan: readonly MemberPlan[]): string {
  return plan.map((member) => member.clientUrl).join(',');
}

/** `keel-cluster --help`. */
export const clusterUsage = `Usage: keel-cluster [options]   (npm run cluster -- [options])

Starts a cluster of keel-server members on 127.0.0.1, waits until every one is ready, prints
the connection string, forwards their logs, and stops them all on Ctrl-C.

  --members <n>      members to start, 1-${clusterMembersMax} (default ${clusterDefaults.members})
  --base-port <port> client port of n1; admin ports start at +${adminPortOffset}, peer ports at +${peerPortOffset} (default ${clusterDefaults.basePort})
  --data-dir <dir>   parent of the members' data directories (default ${clusterDefaults.dataDir})
  --log-level <lvl>  the members' log level (default ${clusterDefaults.logLevel})
  -h, --help         this text
`;

/** Parses `keel-cluster` flags; null for --help. Throws {@link ConfigError} with every problem. */
export function parseClusterArgs(argv: readonly string[]): ClusterOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        members: { type: 'string' },
        'base-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
  if (values.help === true) return null;
  const problems: string[] = [];
  const number = (flag: string, min: number, max: number, fallback: number): number => {
    const raw = values[flag];
    if (raw === undefined) return fallback;
    const parsed = integer(min, max)(raw, true);
    if (parsed.ok) return parsed.value;
    problems.push(`--${flag} must be ${parsed.expected}, got ${JSON.stringify(raw)}`);
    return fallback;
  };
  const members = number('members', 1, clusterMembersMax, clusterDefaults.members);
  const basePort = number('base-port', 1024, 65_535 - peerPortOffset - clusterMembersMax, clusterDefaults.basePort);
  const dataDir = values['data-dir'];
  const logLevel = values['log-level'] ?? clusterDefaults.logLevel;
  if (!isLogLevel(logLevel))
    problems.push(`--log-level must be one of ${logLevels.join(', ')}, got ${JSON.stringify(logLevel)}`);
  if (problems.length > 0 || !isLogLevel(logLevel)) throw new ConfigError(problems);
  return {
    basePort,
    members,
    dataDir: typeof dataDir === 'string' && dataDir !== '' ? dataDir : clusterDefaults.dataDir,
    logLevel,
  };
}
