/**
 * Shared helpers of the recipe tests: real Keel members on 127.0.0.1 (in-process with
 * `KeelServer.start`, or `keel-server` processes that a test can kill -9 and restart), real
 * clients, a TCP proxy that cuts a client's connection, and waiting helpers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConnectOptions, connect, type KeelClient } from '@keel/client';
import type { KeelServer, KeelServerOptions } from '@keel/server';
import {
  TcpProxy as SharedTcpProxy,
  tempDir as sharedTempDir,
  startMembers,
  type TempDir,
  waitFor,
  waitForLeader,
} from '@keel/server/testing';
import { afterAll, beforeAll } from 'vitest';

export { waitFor };

const here = dirname(fileURLToPath(import.meta.url));

/** Root of the repository. */
export const repositoryRoot = join(here, '..', '..', '..');

/** Creates a temporary directory; `cleanup` removes it. */
export function tempDir(): Promise<TempDir> {
  return sharedTempDir('keel-recipes-');
}

/**
 * Settings shared by in-process members: short sessions so expiry tests stay quick, and ticks
 * short enough for quick elections but not so short that a loaded CI machine (three members in
 * one process, a slow fsync) elects a new leader in the middle of a test that is not about
 * failover: with 10 ms ticks (100-200 ms election timeouts) that happened about once in 20 runs.
 */
const memberDefaults = {
  clusterSecret: 'recipes-test',
  tickMs: 25,
  sessionTimeoutMsMin: 500,
  expiryCheckMs: 50,
} as const;

/** An in-process cluster of one or three members. */
export class InProcessCluster {
  private constructor(
    readonly servers: KeelServer[],
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** Starts `size` members (1 or 3) and waits until they agree on a leader. */
  static async start(size: 1 | 3, overrides: Partial<KeelServerOptions> = {}): Promise<InProcessCluster> {
    const temp = await tempDir();
    const ids = size === 1 ? ['m1'] : ['a', 'b', 'c'];
    const servers = await startMembers(temp.dir, ids, { ...memberDefaults, ...overrides });
    return new InProcessCluster(servers, temp.cleanup);
  }

  /** Client URLs of every member. */
  get urls(): string[] {
    return this.servers.map((server) => server.clientUrl);
  }

  /** The member every member agrees leads. */
  leader(): Promise<KeelServer> {
    return waitForLeader(this.servers);
  }

  /** Watches registered on all members together. */
  get watchCount(): number {
    return this.servers.reduce((sum, server) => sum + server.watchCount, 0);
  }

  async stop(): Promise<void> {
    for (const server of this.servers) await server.stop();
    await this.cleanup();
  }
}

/** An in-process three-member cluster and its clients, ready inside the enclosing `describe`'s tests. */
export class ClusterWithClients {
  private started: InProcessCluster | null = null;
  /** The clients, the i-th connected to member i % 3. */
  readonly clients: KeelClient[] = [];

  /** Registers the hooks that start the cluster and `count` clients before the tests and stop them after. */
  constructor(count: number) {
    beforeAll(async () => {
      this.started = await InProcessCluster.start(3);
      for (let i = 0; i < count; i++) this.clients.push(await client(this.cluster.urls[i % 3] as string));
    });
    afterAll(async () => {
      for (const each of this.clients) await each.close();
      await this.started?.stop();
    });
  }

  get cluster(): InProcessCluster {
    if (this.started === null) throw new Error('the cluster starts in beforeAll');
    return this.started;
  }

  /** The i-th client. */
  readonly at = (i: number): KeelClient => this.clients[i] as KeelClient;
}

/** Connects a client with short session and request timeouts suited to tests. */
export function client(
  servers: readonly string[] | string,
  options: Partial<ConnectOptions> = {},
): Promise<KeelClient> {
  return connect({ servers, sessionTimeoutMs: 2_000, requestTimeoutMs: 5_000, backoffMsMax: 200, ...options });
}

/** The `keel-server` CLI script (run `npx nx run @keel/server:build` first). */
export const keelServerScript = join(repositoryRoot, 'apps', 'server', 'dist', 'cli', 'keel-server.js');

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One `keel-server` process of a {@link ProcessCluster}. */
interface MemberProcess {
  readonly id: string;
  readonly clientPort: number;
  readonly args: string[];
  child: ChildProcess | null;
  log: string;
}

/** Three `keel-server` processes on fixed loopback ports; a member can be killed -9 and restarted. */
export class ProcessCluster {
  private constructor(
    private readonly members: MemberProcess[],
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(): Promise<ProcessCluster> {
    if (!existsSync(keelServerScript))
      throw new Error(`${keelServerScript} is missing: run npx nx run @keel/server:build first`);
    const temp = await tempDir();
    const ids = ['a', 'b', 'c'];
    const ports = new Map<string, { client: number; peer: number }>();
    for (const id of ids) ports.set(id, { client: await freePort(), peer: await freePort() });
    const peers = ids.flatMap((id) => ['--peer', `${id}=ws://127.0.0.1:${ports.get(id)?.peer}`]);
    const members = ids.map((id) => ({
      id,
      clientPort: ports.get(id)?.client as number,
      args: [
        keelServerScript,
        ...['--id', id, '--data-dir', join(temp.dir, id), '--host', '127.0.0.1'],
        ...['--client-port', String(ports.get(id)?.client), '--peer-port', String(ports.get(id)?.peer)],
        ...peers,
        ...['--cluster-secret', 'recipes-test', '--admin-port', 'off', '--log-level', 'warn'],
        ...['--session-timeout-min-ms', '500'],
      ],
      child: null,
      log: '',
    }));
    const cluster = new ProcessCluster(members, temp.cleanup);
    for (const member of members) cluster.spawn(member);
    return cluster;
  }

  /** Client URLs of every member. */
  get urls(): string[] {
    return this.members.map((member) => `ws://127.0.0.1:${member.clientPort}`);
  }

  /** The leader's id, as a member reports it (asked through `probe`, a client of the cluster). */
  async leaderId(probe: KeelClient): Promise<string> {
    let leader: string | null = null;
    await waitFor(
      'a leader',
      async () => {
        leader = (await probe.members().catch(() => ({ leaderId: null }))).leaderId;
        return leader !== null && this.members.find((member) => member.id === leader)?.child !== null;
      },
      60_000,
    );
    return leader as unknown as string;
  }

  /** kill -9 one member. */
  async kill(id: string): Promise<void> {
    const member = this.member(id);
    const child = member.child;
    if (child === null) return;
    member.child = null;
    // A member that already exited on its own has nothing left to kill.
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts a killed member again on its ports and data directory. */
  restart(id: string): void {
    this.spawn(this.member(id));
  }

  async stop(): Promise<void> {
    for (const member of this.members) await this.kill(member.id);
    await this.cleanup();
  }

  private member(id: string): MemberProcess {
    const member = this.members.find((candidate) => candidate.id === id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  private spawn(member: MemberProcess): void {
    const child = spawn(process.execPath, member.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      member.log = (member.log + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (member.child === child && signal !== 'SIGKILL')
        console.error(`keel-server ${member.id} exited (${code ?? signal}): ${member.log}`);
    });
    member.child = child;
  }
}

/** A worker process and the summary it prints as its last stdout line (JSON) when it exits 0. */
export interface Worker<Summary> {
  readonly child: ChildProcess;
  readonly done: Promise<Summary>;
}

/** Runs `node script ...args` (a test/workers script); `done` fails if it exits non-zero or prints no summary. */
export function runWorker<Summary>(script: string, args: readonly string[]): Worker<Summary> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const done = new Promise<Summary>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited ${code}: ${err.slice(-2_000)}`));
      else {
        try {
          resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Summary);
        } catch (error) {
          reject(new Error(`worker printed no summary: ${out} ${err.slice(-2_000)}`, { cause: error }));
        }
      }
    });
  });
  return { child, done };
}

/**
 * A {@link ProcessCluster}, a probe client of it and a witness file outside Keel that worker
 * processes append to, ready inside the enclosing `describe`'s tests.
 */
export class WitnessedProcessCluster {
  private state: { cluster: ProcessCluster; probe: KeelClient; witness: string } | null = null;

  /** Registers the hooks that start everything before the tests and stop it after. */
  constructor() {
    let cleanup: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const cluster = await ProcessCluster.start();
      const probe = await client(cluster.urls, { connectTimeoutMs: 30_000 });
      const temp = await tempDir();
      cleanup = temp.cleanup;
      this.state = { cluster, probe, witness: join(temp.dir, 'witness.log') };
    });
    afterAll(async () => {
      await this.state?.probe.close();
      await this.state?.cluster.stop();
      await cleanup?.();
    });
  }

  get cluster(): ProcessCluster {
    return this.started().cluster;
  }

  /** The witness file's path. */
  get witness(): string {
    return this.started().witness;
  }

  /** Kills (-9) the Keel leader, leaves it down for `downMs`, restarts it; returns its id. */
  async killLeaderFor(downMs: number): Promise<string> {
    const { cluster, probe } = this.started();
    const leader = await cluster.leaderId(probe);
    await cluster.kill(leader);
    await sleep(downMs);
    cluster.restart(leader);
    return leader;
  }

  private started(): { cluster: ProcessCluster; probe: KeelClient; witness: string } {
    if (this.state === null) throw new Error('the cluster starts in beforeAll');
    return this.state;
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The shared TCP proxy, except that `cut()` also refuses new connections until `restore()`:
 * a cut client stays disconnected until the test lets it back.
 */
export class TcpProxy extends SharedTcpProxy {
  /** Resets every connection and refuses new ones until `restore()`. */
  override cut(): void {
    this.refuse = true;
    super.cut();
  }

  /** Accepts connections again. */
  restore(): void {
    this.refuse = false;
  }
}

/** Resolves at the next event `name` of `emitter`. */
export function nextEvent<T extends unknown[]>(
  emitter: { once(name: string, listener: (...args: T) => void): unknown },
  name: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(name, (...args: T) => resolve(args)));
}
