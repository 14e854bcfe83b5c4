/**
 * Shared helpers of the network server tests: members on 127.0.0.1 with ephemeral ports and a
 * temporary data directory (started for a whole `describe` by `useSingle` / `useCluster`, or by
 * hand), and a raw `ws` client that speaks `@keel/protocol` frames.
 */
import {
  decodeResponse,
  encodeRequest,
  type Request,
  type ResponseByOp,
  retryableCodes,
  type ServerMessage,
  type WatchEvent,
} from '@keel/protocol';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import type { KeelServer } from '../../src/server/keel-server';
import type { KeelServerOptions } from '../../src/server/options';
import {
  tempDir as sharedTempDir,
  startMember,
  startMembers,
  type TempDir,
  TestCluster,
  waitForLeader,
} from '../../src/testing/index';

export { waitFor, waitForLeader } from '../../src/testing/index';

const tempPrefix = 'keel-server-';

/** Creates a temporary data directory; `cleanup` removes it. */
export function tempDir(): Promise<TempDir> {
  return sharedTempDir(tempPrefix);
}

/** What a single member of these tests runs with unless told otherwise. */
const singleOptions = { clusterSecret: 'test-secret' } as const satisfies Partial<KeelServerOptions>;

/**
 * What the members of a three-member cluster run with unless told otherwise; a member started by
 * hand to join or replace one of them needs the same.
 */
export const clusterOptions = {
  clusterSecret: 'cluster-test',
  // Three members share one busy process: an election timeout of 300-600 ms keeps a
  // scheduling stall from deposing the leader (which fails writes in flight).
  raft: { electionTicks: 30 },
} as const satisfies Partial<KeelServerOptions>;

/** Starts a single-node member in `dataDir` and waits until it leads. */
export function startSingle(dataDir: string, overrides: Partial<KeelServerOptions> = {}): Promise<KeelServer> {
  return startMember({ ...singleOptions, dataDir, ...overrides });
}

/** How a connection ended. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** A raw protocol client: one request at a time is enough for these tests. */
export class RawClient {
  private readonly inbox: ServerMessage[] = [];
  private wake: (() => void) | null = null;
  private nextXid = 1;
  /** Every member frame, in arrival order (including those `request` skipped over). */
  readonly received: ServerMessage[] = [];
  closeInfo: CloseInfo | null = null;
  readonly closed: Promise<CloseInfo>;

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake?.();
      });
    });
    socket.on('message', (data: Buffer) => {
      const decoded = decodeResponse(data);
      if (!decoded.ok) throw new Error(`undecodable member frame: ${decoded.error.message}`);
      this.inbox.push(decoded.value);
      this.received.push(decoded.value);
      this.wake?.();
    });
  }

  /** Opens a connection (no handshake). */
  static open(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Opens a connection and a new session. */
  static async connect(
    url: string,
    sessionTimeoutMs = 30_000,
  ): Promise<{ client: RawClient; session: ResponseByOp['connect'] }> {
    // As a real client does, retry while the cluster has no leader to create the session with.
    for (let attempt = 1; ; attempt++) {
      const client = await RawClient.open(url);
      const answer = await client.request({
        op: 'connect',
        xid: 0,
        sessionTimeoutMs,
        lastSeenRevision: 0,
        readOnly: false,
      });
      if (answer?.type === 'connected') return { client, session: answer };
      await client.close();
      const retryable = answer === null || (answer.type === 'error' && retryableCodes.has(answer.code));
      if (!retryable || attempt === 20)
        throw new Error(`connect failed: ${JSON.stringify(answer ?? client.closeInfo)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A fresh xid. */
  xid(): number {
    return this.nextXid++;
  }

  /** Sends a raw frame. */
  sendRaw(frame: Uint8Array): void {
    this.socket.send(frame);
  }

  /** Sends a request (its xid replaced by a fresh one when 0) and returns the answer with its xid, or null if the connection closed. */
  async request(request: Request): Promise<ServerMessage | null> {
    const xid = request.xid === 0 ? this.xid() : request.xid;
    this.sendRaw(encodeRequest({ ...request, xid }));
    for (;;) {
      const message = await this.next();
      if (message === null) return null;
      if ('xid' in message && message.xid === xid) return message;
    }
  }

  /** Sends a request and asserts the answer's type. */
  async expect<T extends ServerMessage['type']>(
    request: Request,
    type: T,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const answer = await this.request(request);
    if (answer === null)
      throw new Error(`connection closed (${JSON.stringify(this.closeInfo)}) before answering ${request.op}`);
    if (answer.type !== type) throw new Error(`expected ${type} for ${request.op}, got ${JSON.stringify(answer)}`);
    return answer as Extract<ServerMessage, { type: T }>;
  }

  /** The next member frame, or null once the connection closed and nothing is left. */
  async next(): Promise<ServerMessage | null> {
    for (;;) {
      const message = this.inbox.shift();
      if (message !== undefined) return message;
      if (this.closeInfo !== null) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  /** The watch events received so far, in arrival order. */
  watchEvents(): WatchEvent[] {
    return this.received.filter((message): message is WatchEvent => message.type === 'watch');
  }

  /** Closes the socket and waits for it. */
  async close(): Promise<void> {
    if (this.closeInfo === null) this.socket.close();
    await this.closed;
  }
}

/** UTF-8 bytes of a string. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A string of UTF-8 bytes. */
export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** A cluster of real members on 127.0.0.1, each with its own durable log under `dir`. */
export function startCluster(
  dir: string,
  ids: readonly string[],
  overrides: Partial<KeelServerOptions> = {},
): Promise<KeelServer[]> {
  return startMembers(dir, ids, { ...clusterOptions, ...overrides });
}

/** Waits until `servers` agree on a leader; returns it and another member. */
export async function leaderAndFollower(
  servers: readonly KeelServer[],
): Promise<{ leader: KeelServer; follower: KeelServer }> {
  const leader = await waitForLeader(servers);
  const follower = servers.find((server) => server !== leader);
  if (follower === undefined) throw new Error('no follower');
  return { leader, follower };
}

/**
 * Starts a {@link TestCluster} in a `beforeAll` of the enclosing `describe` and stops it in its
 * `afterAll`. The returned fixture is filled in by `fill` in that `beforeAll`: read it in tests.
 */
function useMembers<F extends object>(
  ids: readonly string[],
  options: Partial<KeelServerOptions>,
  fill: (cluster: TestCluster) => Promise<F>,
): F {
  const fixture = {} as F;
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await TestCluster.start(ids, options, tempPrefix);
    Object.assign(fixture, await fill(cluster));
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return fixture;
}

/** One member started for every test of a `describe` (see {@link useSingle}). */
export interface SingleFixture {
  /** The member. */
  readonly server: KeelServer;
  /** The member in a list a test may change (a restarted member in its place) to have it stopped too. */
  readonly servers: KeelServer[];
  /** The temporary directory; the member's data directory is `<dir>/m1`. */
  readonly dir: string;
}

/**
 * Starts a single-node member (id `m1`, options as {@link startSingle}) before the tests of the
 * enclosing `describe` and stops it and removes its data after them.
 */
export function useSingle(overrides: Partial<KeelServerOptions> = {}): SingleFixture {
  return useMembers(['m1'], { ...singleOptions, ...overrides }, async ({ servers, dir }) => {
    const [server] = servers;
    if (server === undefined) throw new Error('no member');
    return { server, servers, dir };
  });
}

/** Three members started for every test of a `describe` (see {@link useCluster}). */
export interface ClusterFixture {
  /** The members `a`, `b`, `c`; a test may replace or add members here to have them stopped too. */
  readonly servers: KeelServer[];
  /** The member that led when they first agreed on a leader. */
  readonly leader: KeelServer;
  /** A member other than {@link ClusterFixture.leader}. */
  readonly follower: KeelServer;
  /** The temporary directory; each member's data directory is `<dir>/<id>`. */
  readonly dir: string;
}

/**
 * Starts members `a`, `b`, `c` (options as {@link startCluster}) before the tests of the
 * enclosing `describe`, waits until they agree on a leader, and stops them and removes their
 * data after the tests.
 */
export function useCluster(overrides: Partial<KeelServerOptions> = {}): ClusterFixture {
  return useMembers(['a', 'b', 'c'], { ...clusterOptions, ...overrides }, async ({ servers, dir }) => ({
    servers,
    dir,
    ...(await leaderAndFollower(servers)),
  }));
}
