/**
 * Shared helpers of the network server tests: a member on 127.0.0.1 with ephemeral ports and a
 * temporary data directory, and a raw `ws` client that speaks `@keel/protocol` frames.
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
import WebSocket from 'ws';
import type { KeelServer } from '../../src/server/keel-server';
import type { KeelServerOptions } from '../../src/server/options';
import { tempDir as sharedTempDir, startMember, startMembers, type TempDir } from '../../src/testing/index';

export { waitFor, waitForLeader } from '../../src/testing/index';

/** Creates a temporary data directory; `cleanup` removes it. */
export function tempDir(): Promise<TempDir> {
  return sharedTempDir('keel-server-');
}

/** Starts a single-node member in `dataDir` and waits until it leads. */
export function startSingle(dataDir: string, overrides: Partial<KeelServerOptions> = {}): Promise<KeelServer> {
  return startMember({ clusterSecret: 'test-secret', dataDir, ...overrides });
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
  return startMembers(dir, ids, {
    clusterSecret: 'cluster-test',
    // Three members share one busy process: an election timeout of 300-600 ms keeps a
    // scheduling stall from deposing the leader (which fails writes in flight).
    raft: { electionTicks: 30 },
    ...overrides,
  });
}
