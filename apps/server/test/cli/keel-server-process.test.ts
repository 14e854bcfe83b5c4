// Goal: the built `keel-server` refuses bad configuration with a clear message and exit code 2,
// starts from a config file with JSON logs on stdout, stops on SIGTERM with exit code 0 and a
// shutdown line, and a SIGTERMed leader of three hands leadership to another voter and the
// two others go on with a new leader; at info, every member logs only lifecycle events (no
// per-request or per-connection lines, the peer transport's included).
// Method: real processes of dist/cli/keel-server.js on 127.0.0.1 (free ports, temp data dirs),
// their stdout parsed as JSON lines, their admin endpoints polled with fetch.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/admin/status-report';
import {
  cleanEnv,
  eventually,
  freePort,
  getJson,
  keelServerBin,
  type LogLine,
  type Proc,
  requireBuilt,
  spawnNode,
} from './processes';

const started = (line: LogLine): boolean => line.msg === 'keel-server started';

/** The lifecycle events a member may log at info; anything per request or per connection is below. */
const lifecycleMessages = [
  'raft node started',
  'keel-server started',
  'membership changed',
  'leader changed',
  'snapshot installed',
  'shutting down',
  'leadership transferred',
  'raft node stopped',
  'keel-server stopped',
];

function expectOnlyLifecycleAtInfo(proc: Proc): void {
  const infoMessages = new Set(proc.lines.filter((entry) => entry.level === 'info').map((entry) => entry.msg));
  for (const message of infoMessages) expect(lifecycleMessages).toContain(message);
}

describe('keel-server process', () => {
  const procs: Proc[] = [];
  let dir = '';

  beforeAll(async () => {
    requireBuilt(keelServerBin);
    dir = await mkdtemp(join(tmpdir(), 'keel-cli-'));
  });
  afterAll(async () => {
    for (const proc of procs) proc.kill();
    await Promise.all(procs.map((proc) => proc.exited));
    await rm(dir, { recursive: true, force: true });
  });

  function run(args: readonly string[], env: Record<string, string> = {}): Proc {
    const proc = spawnNode(keelServerBin, args, cleanEnv(env));
    procs.push(proc);
    return proc;
  }

  it('refuses a bad flag with one message per problem and exit code 2', async () => {
    const proc = run(['--client-port', 'abc', '--bogus'], { KEEL_LOG_LEVEL: 'loud' });
    expect(await proc.exited).toEqual({ code: 2, signal: null });
    expect(proc.stderr).toBe(
      [
        'config: unknown flag --bogus (see keel-server --help)',
        'config: --client-port must be an integer 0-65535, got "abc"',
        'config: KEEL_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
        'Run keel-server --help to see every setting.',
        '',
      ].join('\n'),
    );
    expect(proc.stdout).toBe('');
  });

  it('starts from a config file, logs JSON, and stops on SIGTERM with exit code 0', async () => {
    const file = join(dir, 'keel.json');
    await writeFile(
      file,
      JSON.stringify({ id: 'from-file', dataDir: join(dir, 'single'), clientPort: 0, peerPort: 0, adminPort: 0 }),
    );
    const proc = run(['--config', file]);
    const line = await proc.line('the startup line', started);
    expect(line).toMatchObject({ level: 'info', member: 'from-file', id: 'from-file', dataDir: join(dir, 'single') });
    expect(line.clientUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(line.peerUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(line.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await eventually('the member to be ready', async () => (await getJson(`${line.adminUrl}/health`))?.status === 200);

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const messages = proc.lines.map((entry) => entry.msg);
    expect(messages).toContain('shutting down');
    expect(proc.lines.find((entry) => entry.msg === 'keel-server stopped')).toMatchObject({ reason: 'SIGTERM' });
    // Nothing at info is per request: every info line is one of the few lifecycle events.
    expectOnlyLifecycleAtInfo(proc);
    expect(proc.stderr).toBe('');
  });

  it('hands leadership over when the leader of three is SIGTERMed', async () => {
    const ids = ['n1', 'n2', 'n3'];
    const peerPorts = [await freePort(), await freePort(), await freePort()];
    const peers = ids.flatMap((id, index) => ['--peer', `${id}=ws://127.0.0.1:${peerPorts[index]}`]);
    const members = ids.map((id, index) =>
      run(
        [
          '--id',
          id,
          '--data-dir',
          join(dir, id),
          '--client-port',
          '0',
          '--peer-port',
          String(peerPorts[index]),
          '--admin-port',
          '0',
          ...peers,
        ],
        { KEEL_CLUSTER_SECRET: 'process-test-secret' },
      ),
    );
    const adminUrls = await Promise.all(
      members.map(async (member) => String((await member.line('the startup line', started)).adminUrl)),
    );
    const statuses = async () =>
      (await Promise.all(adminUrls.map((url) => getJson(`${url}/status`)))).map(
        (answer) => answer?.body as StatusReport | undefined,
      );
    await eventually('all three members to be ready', async () =>
      (await Promise.all(adminUrls.map((url) => getJson(`${url}/health`)))).every((answer) => answer?.status === 200),
    );
    const before = await statuses();
    const leaderIndex = before.findIndex((status) => status?.role === 'leader');
    const leader = members[leaderIndex];
    const oldLeader = before[leaderIndex];
    if (leader === undefined || oldLeader === undefined) throw new Error('no leader');

    leader.child.kill('SIGTERM');
    expect(await leader.exited).toEqual({ code: 0, signal: null });
    // The hand-over is bounded (2 s), so a loaded machine may see it time out: the test asks
    // only that the leader tried, with another voter, and that the cluster moved on.
    const attempt = leader.lines.find(
      (line) => line.msg === 'leadership transferred' || line.msg === 'leadership transfer failed; stopping anyway',
    );
    expect(attempt).toBeDefined();
    expect(ids.filter((id) => id !== oldLeader.id)).toContain(attempt?.to);

    const rest = adminUrls.filter((_, index) => index !== leaderIndex);
    await eventually('another member to lead, with both remaining members agreeing', async () => {
      const now = await Promise.all(rest.map(async (url) => (await getJson(`${url}/status`))?.body as StatusReport));
      const newLeader = now.find((status) => status?.role === 'leader');
      return (
        newLeader !== undefined &&
        newLeader.id !== oldLeader.id &&
        newLeader.term > oldLeader.term &&
        now.every((status) => status?.leader === newLeader.id)
      );
    });
    for (const member of members) member.child.kill('SIGTERM');
    for (const member of members) expect((await member.exited).code).toBe(0);
    // Peer links connected (and one closed) in this test: the transport's lines stay below info.
    for (const member of members) expectOnlyLifecycleAtInfo(member);
  });
});
