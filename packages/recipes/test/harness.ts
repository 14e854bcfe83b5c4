/**
 * Shared helpers of the recipe tests: real Keel members on 127.0.0.1 (in-process with
 * `KeelServer.start`, or `keel-server` processes that a test can kill -9 and restart), real
 * clients, a TCP proxy that cuts a client's connection, and waiting helpers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConnectOptions, connect, type KeelClient } from '@keel/client';
import { KeelServer, type KeelServerOptions } from '@keel/server';

const here = dirname(fileURLToPath(import.meta.url));

/** Root of the repository. */
export const repositoryRoot = join(here, '..', '..', '..');

/** Creates a temporary directory; `cleanup` removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-recipes-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls until `condition` is truthy, or fails after `timeoutMs` (a ceiling, not a measurement). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Settings shared by in-process members: short ticks and short sessions so expiry tests stay quick. */
const memberDefaults = {
  clusterSecret: 'recipes-test',
  tickMs: 10,
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
    const servers: KeelServer[] = [];
    for (const id of ids) {
      servers.push(
        await KeelServer.start({
          id,
          dataDir: join(temp.dir, id),
          clientListen: { host: '127.0.0.1', port: 0 },
          ...(size === 1 ? {} : { bootstrap: { voters: ids, learners: [] } }),
          ...memberDefaults,
          ...overrides,
        }),
      );
    }
    if (size > 1) {
      const addresses = new Map(servers.map((server) => [server.id, server.peerUrl] as const));
      for (const server of servers) server.node.setPeerAddresses(addresses);
    }
    const cluster = new InProcessCluster(servers, temp.cleanup);
    await cluster.leader();
    return cluster;
  }

  /** Client URLs of every member. */
  get urls(): string[] {
    return this.servers.map((server) => server.clientUrl);
  }

  /** The member every member agrees leads. */
  async leader(): Promise<KeelServer> {
    let leader: KeelServer | undefined;
    await waitFor(
      'one leader every member agrees on',
      () => {
        leader = this.servers.find((server) => server.node.isLeader());
        return leader !== undefined && this.servers.every((server) => server.node.leaderInfo().leader === leader?.id);
      },
      60_000,
    );
    return leader as KeelServer;
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

/**
 * A TCP proxy on 127.0.0.1 in front of a member: `cut()` resets every carried connection, and
 * while `refuse` is set new connections are reset at once. Real sockets, so connection loss is real.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  refuse = false;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TcpProxy(server, Number(new URL(targetUrl).port));
  }

  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `ws://127.0.0.1:${address.port}`;
  }

  /** Resets every connection and refuses new ones until `restore()`. */
  cut(): void {
    this.refuse = true;
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Accepts connections again. */
  restore(): void {
    this.refuse = false;
  }

  /**
   * Stops carrying the member's replies while still carrying the client's requests: requests
   * are applied but their answers are lost (until `cut()`).
   */
  holdReplies(): void {
    for (const pair of this.pairs) {
      pair.upstream.unpipe(pair.client);
      pair.upstream.pause();
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.refuse) {
      socket.resetAndDestroy();
      return;
    }
    const upstream = tcpConnect(this.targetPort, '127.0.0.1');
    const pair = { client: socket, upstream };
    this.pairs.add(pair);
    const drop = () => {
      if (!this.pairs.delete(pair)) return;
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    socket.pipe(upstream);
    upstream.pipe(socket);
  }
}

/** Resolves at the next event `name` of `emitter`. */
export function nextEvent<T extends unknown[]>(
  emitter: { once(name: string, listener: (...args: T) => void): unknown },
  name: string,
): Promise<T> {
  return new Promise((resolve) => emitter.once(name, (...args: T) => resolve(args)));
}
