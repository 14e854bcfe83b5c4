import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** One proxied connection: the client's socket and the socket to the member. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a member: `cut()` resets every carried connection,
 * `stall()` keeps them open but stops carrying bytes (a silent network), `holdReplies()` drops
 * the member's answers while still carrying requests, and while `refuse` is set new connections
 * are reset at once. Real sockets throughout, so connection loss is real.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  /** While true, new connections are reset at once. */
  refuse = false;
  private stalled = false;

  /** Use {@link TcpProxy.start}; public so that a test's subclass can be started the same way. */
  constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a proxy (of this class or a subclass) to `targetUrl` (`ws://127.0.0.1:port`). */
  static async start<P extends TcpProxy>(
    this: new (
      server: Server,
      targetPort: number,
    ) => P,
    targetUrl: string,
  ): Promise<P> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new this(server, Number(new URL(targetUrl).port));
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
