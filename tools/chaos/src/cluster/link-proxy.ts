/**
 * A fault-injecting TCP proxy for one directed peer link. Member `from` is given the proxy's
 * address as the peer URL of member `to`, so every connection `from` dials to `to` goes through
 * it. "Forward" is the direction of the bytes of the dialer (`from` -> `to`), "backward" the
 * bytes coming back on the same connection.
 *
 * Keel's peer transport (`WsTransport`) opens one connection per direction of a pair: member i
 * dials j to send i's Raft messages, and j dials i (through the proxy j->i) for its own. On a
 * proxy i->j the forward bytes are i's Raft messages and the backward bytes are only handshake
 * frames and WebSocket control frames. Dropping the forward bytes of proxy i->j is therefore a
 * one-way partition "i cannot reach j" while j still reaches i.
 */
import { createServer, type Server, Socket } from 'node:net';
import { loopbackHost } from './ports';

/** Which bytes of a proxied connection a fault applies to. */
export type LinkDirection = 'forward' | 'backward' | 'both';

/**
 * What the proxy does to traffic. `pass` forwards; `cut` resets every connection and refuses
 * new ones (the dialer sees the link fail at once); `drop` keeps connections open but silently
 * discards the bytes of `direction` (the sender cannot tell, as with a black-holed route), and
 * a connection that lost bytes is reset when the fault ends, because its byte stream is no
 * longer a valid WebSocket stream; `delay` holds every chunk `delayMs` before forwarding it, in
 * order.
 */
export type LinkFault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'cut' }
  | { readonly kind: 'drop'; readonly direction: LinkDirection }
  | { readonly kind: 'delay'; readonly delayMs: number };

/** Cumulative counters of one proxy. */
export interface LinkProxyStats {
  connectionsAccepted: number;
  connectionsRefused: number;
  connectionsReset: number;
  bytesForwarded: number;
  bytesDropped: number;
}

/** Where a proxy listens and where it forwards to. */
export interface LinkProxyOptions {
  /** A name for diagnostics, e.g. `n1->n2`. */
  readonly name: string;
  /** Port of the real peer endpoint on loopback. */
  readonly targetPort: number;
  /** Port to listen on (default 0: any free port). */
  readonly listenPort?: number;
}

interface Pending {
  readonly chunk: Buffer;
  readonly dueMs: number;
}

/** One dialer connection and the proxy's connection to the target. */
class ProxiedConnection {
  /** Set once bytes were dropped: the streams are corrupt and must be reset when the fault ends. */
  tainted = false;
  private readonly queues = { forward: [] as Pending[], backward: [] as Pending[] };
  private readonly timers: { forward: NodeJS.Timeout | null; backward: NodeJS.Timeout | null } = {
    forward: null,
    backward: null,
  };

  constructor(
    readonly dialer: Socket,
    readonly target: Socket,
  ) {}

  /** Forwards `chunk` after `delayMs`, behind anything still queued in that direction. */
  carry(direction: 'forward' | 'backward', chunk: Buffer, delayMs: number): void {
    const queue = this.queues[direction];
    if (delayMs <= 0 && queue.length === 0) {
      this.sink(direction).write(chunk);
      return;
    }
    const last = queue[queue.length - 1];
    const dueMs = Math.max(Date.now() + delayMs, last?.dueMs ?? 0);
    queue.push({ chunk, dueMs });
    this.pump(direction);
  }

  reset(): void {
    for (const direction of ['forward', 'backward'] as const) {
      const timer = this.timers[direction];
      if (timer !== null) clearTimeout(timer);
      this.timers[direction] = null;
      this.queues[direction].length = 0;
    }
    if (!this.dialer.destroyed) this.dialer.resetAndDestroy();
    if (!this.target.destroyed) this.target.resetAndDestroy();
  }

  private sink(direction: 'forward' | 'backward'): Socket {
    return direction === 'forward' ? this.target : this.dialer;
  }

  private pump(direction: 'forward' | 'backward'): void {
    if (this.timers[direction] !== null) return;
    const queue = this.queues[direction];
    const head = queue[0];
    if (head === undefined) return;
    this.timers[direction] = setTimeout(
      () => {
        this.timers[direction] = null;
        const now = Date.now();
        while (queue.length > 0 && queue[0]!.dueMs <= now) {
          const sink = this.sink(direction);
          if (!sink.destroyed) sink.write(queue.shift()!.chunk);
          else queue.shift();
        }
        this.pump(direction);
      },
      Math.max(0, head.dueMs - Date.now()),
    );
  }
}

/** A TCP proxy for one directed peer link, with a settable {@link LinkFault}. */
export class LinkProxy {
  readonly name: string;
  private readonly targetPort: number;
  private readonly listenPort: number;
  private server: Server | null = null;
  private boundPort: number | null = null;
  private fault: LinkFault = { kind: 'pass' };
  private readonly connections = new Set<ProxiedConnection>();
  private readonly counters: LinkProxyStats = {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    connectionsReset: 0,
    bytesForwarded: 0,
    bytesDropped: 0,
  };

  constructor(options: LinkProxyOptions) {
    this.name = options.name;
    this.targetPort = options.targetPort;
    this.listenPort = options.listenPort ?? 0;
  }

  /** The port the proxy listens on, after {@link start}. */
  get port(): number {
    if (this.boundPort === null) throw new Error(`proxy ${this.name} is not listening`);
    return this.boundPort;
  }

  /** `ws://127.0.0.1:port`: the peer URL to give the dialing member. */
  get url(): string {
    return `ws://${loopbackHost}:${this.port}`;
  }

  /** The fault in force. */
  get currentFault(): LinkFault {
    return this.fault;
  }

  /** A copy of the counters. */
  get stats(): LinkProxyStats {
    return { ...this.counters };
  }

  /** Connections open right now. */
  get openConnections(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    if (this.server !== null) throw new Error(`proxy ${this.name} already started`);
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, loopbackHost, () => resolve());
    });
    server.on('error', () => {});
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error(`proxy ${this.name} has no TCP address`);
    this.boundPort = address.port;
  }

  /** Puts `fault` in force for current and future connections. */
  setFault(fault: LinkFault): void {
    const previous = this.fault;
    this.fault = fault;
    if (fault.kind === 'cut') {
      for (const connection of [...this.connections]) this.drop(connection);
      return;
    }
    if (previous.kind === 'drop') {
      for (const connection of [...this.connections]) if (connection.tainted) this.drop(connection);
    }
  }

  /** Back to forwarding everything. */
  heal(): void {
    this.setFault({ kind: 'pass' });
  }

  /** Resets every connection (the dialer will dial again); the fault stays as it is. */
  resetConnections(): void {
    for (const connection of [...this.connections]) this.drop(connection);
  }

  /** Stops listening and resets every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.resetConnections();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(dialer: Socket): void {
    if (this.fault.kind === 'cut' || this.server === null) {
      this.counters.connectionsRefused++;
      dialer.on('error', () => {});
      dialer.resetAndDestroy();
      return;
    }
    this.counters.connectionsAccepted++;
    dialer.setNoDelay(true);
    const target = new Socket();
    target.setNoDelay(true);
    const connection = new ProxiedConnection(dialer, target);
    this.connections.add(connection);
    const end = (): void => {
      if (!this.connections.delete(connection)) return;
      connection.reset();
    };
    for (const socket of [dialer, target]) {
      socket.on('error', end);
      socket.on('close', end);
    }
    dialer.on('data', (chunk: Buffer) => this.carry(connection, 'forward', chunk));
    target.on('data', (chunk: Buffer) => this.carry(connection, 'backward', chunk));
    // Writes made before the target connection is up are queued by the socket itself.
    target.connect(this.targetPort, loopbackHost);
  }

  private carry(connection: ProxiedConnection, direction: 'forward' | 'backward', chunk: Buffer): void {
    const fault = this.fault;
    if (fault.kind === 'drop' && (fault.direction === 'both' || fault.direction === direction)) {
      connection.tainted = true;
      this.counters.bytesDropped += chunk.length;
      return;
    }
    this.counters.bytesForwarded += chunk.length;
    connection.carry(direction, chunk, fault.kind === 'delay' ? fault.delayMs : 0);
  }

  private drop(connection: ProxiedConnection): void {
    if (!this.connections.delete(connection)) return;
    this.counters.connectionsReset++;
    connection.reset();
  }
}
