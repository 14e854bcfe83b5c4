// Goal: `keel-cluster` (npm run cluster) lays out N members' ports, ids and data dirs from one
// base port, refuses bad flags, formats members' log lines for a terminal, and as a process
// starts three real members, reports them ready with the connection string, and stops them all
// with exit code 0 on SIGINT.
// Method: pure calls of the plan, argument and formatting functions; then the built
// dist/cli/keel-cluster.js spawned on a base port whose whole range was free a moment before,
// its members' /health polled over HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  adminPortOffset,
  clusterDefaults,
  connectionString,
  parseClusterArgs,
  peerPortOffset,
  planCluster,
} from '../../src/cli/cluster-plan';
import { ConfigError } from '../../src/cli/config-errors';
import { formatMemberLine } from '../../src/cli/member-log-line';
import { cleanEnv, eventually, getJson, keelClusterBin, type Proc, requireBuilt, spawnNode } from './processes';

describe('cluster plan', () => {
  it('lays out the default three members as documented', () => {
    const plan = planCluster(clusterDefaults);
    expect(plan.map((member) => member.id)).toEqual(['n1', 'n2', 'n3']);
    expect(connectionString(plan)).toBe('ws://127.0.0.1:5181,ws://127.0.0.1:5182,ws://127.0.0.1:5183');
    expect(plan.map((member) => member.adminUrl)).toEqual([
      'http://127.0.0.1:5191',
      'http://127.0.0.1:5192',
      'http://127.0.0.1:5193',
    ]);
    expect(plan.map((member) => member.peerUrl)).toEqual([
      'ws://127.0.0.1:5281',
      'ws://127.0.0.1:5282',
      'ws://127.0.0.1:5283',
    ]);
    expect(plan[1]?.args).toEqual([
      '--id',
      'n2',
      '--data-dir',
      join('data', 'cluster', 'n2'),
      '--host',
      '127.0.0.1',
      '--client-port',
      '5182',
      '--peer-port',
      '5282',
      '--admin-port',
      '5192',
      '--log-level',
      'info',
      '--peer',
      'n1=ws://127.0.0.1:5281',
      '--peer',
      'n2=ws://127.0.0.1:5282',
      '--peer',
      'n3=ws://127.0.0.1:5283',
    ]);
  });

  it('moves every port with --base-port and sizes the cluster with --members', () => {
    const options = parseClusterArgs([
      '--base-port',
      '30000',
      '--members',
      '5',
      '--data-dir',
      '/d',
      '--log-level',
      'warn',
    ]);
    expect(options).toEqual({ basePort: 30000, members: 5, dataDir: '/d', logLevel: 'warn' });
    if (options === null) throw new Error('expected options');
    const plan = planCluster(options);
    expect(plan).toHaveLength(5);
    expect(plan[4]).toMatchObject({
      id: 'n5',
      clientUrl: 'ws://127.0.0.1:30004',
      adminUrl: `http://127.0.0.1:${30004 + adminPortOffset}`,
      peerUrl: `ws://127.0.0.1:${30004 + peerPortOffset}`,
    });
    expect(parseClusterArgs([])).toEqual(clusterDefaults);
    expect(parseClusterArgs(['-h'])).toBeNull();
  });

  it('refuses bad flags with every problem', () => {
    const problems = (argv: string[]) => {
      try {
        parseClusterArgs(argv);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problems(['--members', '10', '--base-port', 'x', '--log-level', 'loud'])).toEqual([
      '--members must be an integer 1-9, got "10"',
      `--base-port must be an integer 1024-${65_535 - peerPortOffset - 9}, got "x"`,
      '--log-level must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    ]);
    expect(problems(['--bogus'])[0]).toMatch(/--bogus/);
  });

  it('formats JSON log lines short and leaves other lines alone', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2026-01-02T03:04:05.678Z',
      pid: 1,
      hostname: 'h',
      member: 'n1',
      id: 'n1',
      leader: 'n2',
      term: 3,
      peers: { n2: 'ws://x' },
      msg: 'leader changed',
    });
    expect(formatMemberLine('n1', line)).toBe(
      'n1 | 03:04:05.678 INFO  leader changed leader=n2 term=3 peers={"n2":"ws://x"}',
    );
    expect(formatMemberLine('n2', 'config: bad')).toBe('n2 | config: bad');
    expect(formatMemberLine('n2', '[1]')).toBe('n2 | [1]');
  });
});

describe('keel-cluster process', () => {
  let proc: Proc | undefined;
  let dir = '';
  afterAll(async () => {
    if (proc !== undefined && proc.child.exitCode === null) {
      // SIGINT lets the runner stop its members (they run in their own process groups).
      proc.child.kill('SIGINT');
      await proc.exited;
    }
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('starts three ready members, prints the connection string, and stops them on SIGINT', async () => {
    requireBuilt(keelClusterBin);
    dir = await mkdtemp(join(tmpdir(), 'keel-cluster-'));
    const basePort = await freeBasePort(3);
    const started = spawnNode(
      keelClusterBin,
      ['--base-port', String(basePort), '--data-dir', dir, '--log-level', 'warn'],
      cleanEnv(),
    );
    proc = started;
    const expected = [0, 1, 2].map((index) => `ws://127.0.0.1:${basePort + index}`).join(',');
    await started.line('the connection string', (line) => line.msg === `keel-cluster | connection string: ${expected}`);
    for (const index of [0, 1, 2]) {
      const health = await getJson(`http://127.0.0.1:${basePort + adminPortOffset + index}/health`);
      expect(health).toEqual({ status: 200, body: { status: 'ready' } });
    }

    started.child.kill('SIGINT');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    expect(started.stdout).toContain('keel-cluster | stopped\n');
    await eventually('every member to be gone', async () => {
      const answers = await Promise.all(
        [0, 1, 2].map((index) => getJson(`http://127.0.0.1:${basePort + adminPortOffset + index}/health`)),
      );
      return answers.every((answer) => answer === null);
    });
  });
});

/** A base port whose client, admin and peer ranges for `members` were all free a moment ago. */
async function freeBasePort(members: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [0, adminPortOffset, peerPortOffset].flatMap((offset) =>
      Array.from({ length: members }, (_, index) => base + offset + index),
    );
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
