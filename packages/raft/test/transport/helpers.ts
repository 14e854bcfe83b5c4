/**
 * Shared harness for the transport tests: real transports on 127.0.0.1 with ephemeral ports,
 * a recording logger, polling waits (no timing assumptions: a wait ends when its condition
 * holds, or the test's own timeout fails it), and a raw `ws` client that can speak the
 * handshake so tests can misbehave after authenticating.
 */
import WebSocket from 'ws';
import type { Message, NodeId } from '../../src/core/types';
import { type TransportLogger, WsTransport, type WsTransportOptions } from '../../src/transport';
import { decodeHello, decodeWelcome, encodeAuth, newNonce, proof, proofsEqual } from '../../src/transport/handshake';

export const secret = 'test-cluster-secret-0123456789';

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export function recordingLogger(lines: LogLine[]): TransportLogger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields });
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export interface Member {
  readonly transport: WsTransport;
  readonly received: Message[];
  readonly logs: LogLine[];
  /** Peers whose last inbound connection closed, in the order the transport said so. */
  readonly gone: NodeId[];
}

const open: WsTransport[] = [];

export async function startMember(
  id: NodeId,
  options: Partial<WsTransportOptions> = {},
  handler: (message: Message) => void = () => {},
): Promise<Member> {
  const received: Message[] = [];
  const logs: LogLine[] = [];
  const gone: NodeId[] = [];
  const transport = new WsTransport({
    id,
    listen: { host: '127.0.0.1', port: 0 },
    clusterSecret: secret,
    logger: recordingLogger(logs),
    reconnectDelayMinMs: 10,
    reconnectDelayMaxMs: 100,
    ...options,
  });
  await transport.start(
    (message) => {
      received.push(message);
      handler(message);
    },
    (peer) => gone.push(peer),
  );
  open.push(transport);
  return { transport, received, logs, gone };
}

/** Closes every transport the test started (safe to call twice). */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
}

/** Tells every member where every other member is. */
export function connectAll(members: readonly Member[]): void {
  const peers = new Map(members.map((m) => [m.transport.id, m.transport.url!] as const));
  for (const member of members) member.transport.setPeers(peers);
}

/** Resolves once `condition` holds, checking after every turn of the event loop (and a short sleep). */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; ; i++) {
    if (condition()) return;
    if (i > 10_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export function heartbeat(from: NodeId, to: NodeId, commit: number): Message {
  return { type: 'heartbeat', from, to, term: 1, commit, readRound: 0 };
}

/** A raw ws client; `authenticate` runs the client side of the handshake as `id`. */
export class RawPeer {
  readonly socket: WebSocket;
  readonly incoming: Uint8Array[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly opened: Promise<void>;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('error', () => {});
    this.socket.on('message', (data) => this.incoming.push(new Uint8Array(data as Buffer)));
    this.opened = new Promise((resolve) => this.socket.once('open', () => resolve()));
    this.closed = new Promise((resolve) =>
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  async ready(): Promise<void> {
    await this.opened;
    await waitFor(() => this.incoming.length >= 1, 'hello');
  }

  /** The auth frame answering this connection's hello (after `ready`), and the server proof to expect. */
  authFrame(id: NodeId, serverId: NodeId, clusterSecret = secret): { frame: Uint8Array; serverProof: Uint8Array } {
    const hello = decodeHello(this.incoming[0]!);
    if (hello === null) throw new Error('bad hello');
    const clientNonce = newNonce();
    const key = new Uint8Array(Buffer.from(clusterSecret));
    const input = { serverNonce: hello.serverNonce, clientNonce, clientId: id, serverId };
    return {
      frame: encodeAuth({ clientNonce, clientId: id, serverId, proof: proof(key, 'client', input) }),
      serverProof: proof(key, 'server', input),
    };
  }

  /** Runs the client handshake; resolves once the server's proof checked out. */
  async authenticate(id: NodeId, serverId: NodeId, clusterSecret = secret): Promise<void> {
    await this.ready();
    const { frame, serverProof } = this.authFrame(id, serverId, clusterSecret);
    this.socket.send(frame);
    await waitFor(() => this.incoming.length >= 2 || this.socket.readyState !== WebSocket.OPEN, 'welcome');
    const welcome = this.incoming[1] === undefined ? null : decodeWelcome(this.incoming[1]);
    if (welcome === null || !proofsEqual(welcome, serverProof)) throw new Error('handshake refused');
  }

  send(data: Uint8Array | string): void {
    this.socket.send(data);
  }
}
