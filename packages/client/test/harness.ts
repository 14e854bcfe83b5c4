/**
 * Shared helpers of the client tests: real Keel members started in-process on 127.0.0.1 with
 * ephemeral ports and temporary data directories, a TCP proxy that can cut or stall a client's
 * connection (real sockets, so connection loss is real), and small waiting helpers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeelServer, type KeelServerOptions } from '@keel/server';
import type { ConnectionState, KeelClient } from '../src/index';

/** Creates a temporary data directory; `cleanup` removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-client-'));
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

/** Starts a single-member cluster in `dataDir` and waits until it leads. */
export async function startSingle(dataDir: string, overrides: Partial<KeelServerOptions> = {}): Promise<KeelServer> {
  const server = await KeelServer.start({
    id: 'm1',
    dataDir,
    clientListen: { host: '127.0.0.1', port: 0 },
    clusterSecret: 'client-test',
    tickMs: 10,
    ...overrides,
  });
  await waitFor('the member to lead', () => server.node.isLeader());
  return server;
}

/** Starts a three-member cluster in `dataDir` and waits until every member agrees on a leader. */
export async function startCluster(
  dataDir: string,
  overrides: Partial<KeelServerOptions> = {},
): Promise<{ servers: KeelServer[]; leader: KeelServer }> {
  const ids = ['a', 'b', 'c'];
  const servers: KeelServer[] = [];
  for (const id of ids) {
    servers.push(
      await KeelServer.start({
        id,
        dataDir: join(dataDir, id),
        clientListen: { host: '127.0.0.1', port: 0 },
        clusterSecret: 'client-test',
        bootstrap: { voters: ids, learners: [] },
        tickMs: 10,
        ...overrides,
      }),
    );
  }
  const addresses = new Map(servers.map((server) => [server.id, server.peerUrl] as const));
  for (const server of servers) server.node.setPeerAddresses(addresses);
  const leader = await agreedLeader(servers);
  return { servers, leader };
}

/** Waits until the running members agree on one leader, and returns it. */
export async function agreedLeader(servers: readonly KeelServer[]): Promise<KeelServer> {
  let leader: KeelServer | undefined;
  await waitFor(
    'one leader every member agrees on',
    () => {
      leader = servers.find((server) => server.node.isLeader());
      return leader !== undefined && servers.every((server) => server.node.leaderInfo().leader === leader?.id);
    },
    60_000,
  );
  if (leader === undefined) throw new Error('no leader');
  return leader;
}

/** Records a client's state events in order. */
export function recordStates(client: KeelClient): ConnectionState[] {
  const states: ConnectionState[] = [];
  client.on('state', (state) => states.push(state));
  return states;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a member: `cut()` resets every proxied connection,
 * `stall()` keeps them open but stops carrying bytes (a silent network), `refuse` turns new
 * connections away. Real sockets throughout.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** While true, new connections are closed at once. */
  refuse = false;
  private stalled = false;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a proxy to `targetUrl` (`ws://127.0.0.1:port`). */
  static async start(targetUrl: string): Promise<TcpProxy> {
    const targetPort = Number(new URL(targetUrl).port);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TcpProxy(server, targetPort);
  }

  /** `ws://127.0.0.1:port` of the proxy. */
  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `ws://127.0.0.1:${address.port}`;
  }

  /** How many connections are being carried. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Resets every carried connection. */
  cut(): void {
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Stops carrying bytes on every connection (new and existing) until `resume()`. */
  stall(): void {
    this.stalled = true;
    for (const pair of this.pairs) {
      // Unpiped and paused: bytes stay in the kernel buffers, nothing is carried either way.
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
    }
  }

  /** Carries bytes again. */
  resume(): void {
    this.stalled = false;
    for (const pair of this.pairs) {
      pair.client.pipe(pair.upstream);
      pair.upstream.pipe(pair.client);
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.refuse) {
      client.resetAndDestroy();
      return;
    }
    const upstream = tcpConnect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (!this.stalled) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  }
}

/**
 * Creates a node, retrying while the cluster changes leader: a retry after an unknown outcome
 * (ConnectionLoss, Timeout) that finds the node already there counts as done. Returns the
 * errors it retried after, so a test can report them.
 */
export async function createRetrying(client: KeelClient, path: string, data: string): Promise<string[]> {
  const retried: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await client.create(path, data, { timeoutMs: 5_000 });
      return retried;
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      if (code === 'NodeExists' && retried.length > 0) return retried;
      if (!['ConnectionLoss', 'Timeout', 'NotLeader', 'Throttled'].includes(code)) throw error;
      retried.push(code);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`could not create ${path} after retrying ${retried.join(', ')}`);
}
