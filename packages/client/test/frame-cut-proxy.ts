/**
 * A TCP proxy on 127.0.0.1 in front of a member that can end a connection at an exact point of
 * the member's WebSocket stream: armed with `cutAfterFrames(n)`, the next connection carries the
 * HTTP upgrade answer and the member's first `n` frames, then closes, so frames the member sent
 * in one synchronous step (an `addWatch` answer and the replay behind it) can be split. Parses
 * the unmasked server-to-client frame headers (RFC 6455, section 5.2); real sockets throughout.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export class FrameCutProxy {
  private readonly sockets = new Set<Socket>();
  private armed: number | null = null;
  /** While true, new connections are closed at once. */
  refuse = false;
  /** How many connections were cut at a frame boundary. */
  framesCuts = 0;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a proxy to `targetUrl` (`ws://127.0.0.1:port`). */
  static async start(targetUrl: string): Promise<FrameCutProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FrameCutProxy(server, Number(new URL(targetUrl).port));
  }

  /** `ws://127.0.0.1:port` of the proxy. */
  get url(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `ws://127.0.0.1:${address.port}`;
  }

  /** The next connection carries the member's first `frames` frames, then closes. */
  cutAfterFrames(frames: number): void {
    this.armed = frames;
  }

  /** Resets every carried connection. */
  cut(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
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
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = (): void => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    const limit = this.armed;
    this.armed = null;
    if (limit === null) {
      upstream.pipe(client);
      return;
    }
    const counter = new FrameCounter(limit);
    let done = false;
    upstream.on('data', (chunk: Buffer) => {
      if (done) return;
      const end = counter.push(chunk);
      if (end === null) {
        client.write(chunk);
        return;
      }
      done = true;
      this.framesCuts++;
      // The member's side goes at once; the client's gets the bytes up to the cut, then a FIN.
      upstream.off('close', drop);
      upstream.destroy();
      client.end(chunk.subarray(0, end));
    });
  }
}

/** Finds where the member's `limit`-th WebSocket frame ends in the byte stream. */
class FrameCounter {
  private buffered = Buffer.alloc(0);
  // Bytes of the stream before `buffered`.
  private consumed = 0;
  private upgraded = false;
  private frames = 0;

  constructor(private readonly limit: number) {}

  /** Takes the next chunk; returns the offset in it where the limit frame ends, or null. */
  push(chunk: Buffer): number | null {
    const chunkStart = this.consumed + this.buffered.length;
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      if (!this.upgraded) {
        const end = this.buffered.indexOf('\r\n\r\n');
        if (end < 0) return null;
        this.skip(end + 4);
        this.upgraded = true;
        if (this.limit === 0) return this.consumed - chunkStart;
        continue;
      }
      const length = frameLength(this.buffered);
      if (length === null || this.buffered.length < length) return null;
      this.skip(length);
      this.frames++;
      if (this.frames === this.limit) return this.consumed - chunkStart;
    }
  }

  private skip(bytes: number): void {
    this.buffered = this.buffered.subarray(bytes);
    this.consumed += bytes;
  }
}

/** The whole length of the unmasked frame at the start of `bytes`, or null if its header is incomplete. */
function frameLength(bytes: Buffer): number | null {
  const second = bytes[1];
  if (second === undefined) return null;
  const short = second & 0x7f;
  if (short < 126) return 2 + short;
  if (short === 126) return bytes.length < 4 ? null : 4 + bytes.readUInt16BE(2);
  return bytes.length < 10 ? null : 10 + Number(bytes.readBigUInt64BE(2));
}
