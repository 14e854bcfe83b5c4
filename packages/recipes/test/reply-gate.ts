/**
 * Test-only: a WebSocket class for a test's client (`connect({ WebSocket: gate.WebSocket })`)
 * that holds back the member's answer to one chosen request until the test releases it, so a
 * test can make something happen "while that request is in flight" without sleeping.
 *
 * The connection is real: a `ws` socket to a real member on loopback, every request sent at
 * once, every frame received. Only the hand-over of received frames to the client pauses: from
 * the held answer on, every frame of that socket (later answers, watch events, its close) waits
 * behind it and is handed over in arrival order at `release()`, as a slow network would deliver
 * them. Nothing is reordered, so the client sees nothing a real network could not show it.
 * A hold can also `cut()` the connection instead, as a network that drops it with frames still
 * on the way: those frames are lost, which a real network can also do.
 *
 * The client treats this class like any WebSocket without `ws`'s `on` (frames arrive as
 * ArrayBuffers, one system call per frame); that changes how bytes are copied, not what the
 * client sees.
 */
import type { WebSocketConstructor } from '@keel/client';
import { decodeRequest, decodeResponse, type Request } from '@keel/protocol';
import { WebSocket as WsWebSocket } from 'ws';

/** A reply being held, from `ReplyGate.hold`. */
export interface HeldReply {
  /** Resolves with the request once the member's answer to it has arrived and is held. */
  readonly arrived: Promise<Request>;
  /** Hands the held answer, and every frame that arrived behind it, to the client in order. */
  release(): void;
  /**
   * Loses the connection instead: the held answer and every frame behind it never reach the
   * client, which sees its connection close (code 1006) as if the network dropped it.
   */
  cut(): void;
}

type Delivery =
  | { readonly kind: 'message'; readonly data: unknown; readonly hold: Hold | null }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/** One armed hold: which request it waits for and whether the test let its answer go. */
class Hold implements HeldReply {
  readonly arrived: Promise<Request>;
  resolveArrived!: (request: Request) => void;
  rejectArrived!: (error: Error) => void;
  /** The matching request, once sent. */
  request: Request | null = null;
  released = false;
  private seen = 0;
  private socket: GatedSocket | null = null;

  constructor(
    private readonly matches: (request: Request) => boolean,
    private readonly nth: number,
  ) {
    this.arrived = new Promise((resolve, reject) => {
      this.resolveArrived = resolve;
      this.rejectArrived = reject;
    });
    // A test that releases without awaiting `arrived` must not see an unhandled rejection.
    this.arrived.catch(() => undefined);
  }

  /** Counts `request` if it matches; true when it is the one to hold. */
  take(request: Request, socket: GatedSocket): boolean {
    if (this.request !== null || !this.matches(request)) return false;
    this.seen += 1;
    if (this.seen < this.nth) return false;
    this.request = request;
    this.socket = socket;
    return true;
  }

  release(): void {
    this.released = true;
    this.socket?.pump();
  }

  cut(): void {
    if (this.socket === null) throw new Error('cut() before the held request was sent');
    this.socket.cut(this);
  }
}

/** Arms holds and makes the sockets that honour them. */
export class ReplyGate {
  private readonly armed: Hold[] = [];

  /** The WebSocket class to pass to `connect()` (not a public API of the client: test code only). */
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const gate = this;
    this.WebSocket = class extends GatedSocket {
      constructor(url: string) {
        super(url, gate);
      }
    };
  }

  /**
   * Holds the answer to the `nth` (default first) request sent from now on, by any socket of
   * this gate, for which `matches` is true.
   */
  hold(matches: (request: Request) => boolean, nth = 1): HeldReply {
    if (!Number.isInteger(nth) || nth < 1) throw new RangeError(`nth must be >= 1, got ${nth}`);
    const hold = new Hold(matches, nth);
    this.armed.push(hold);
    return hold;
  }

  /** The hold that claims `request`, if any (it is then disarmed). */
  claim(request: Request, socket: GatedSocket): Hold | null {
    const index = this.armed.findIndex((hold) => hold.take(request, socket));
    if (index < 0) return null;
    return this.armed.splice(index, 1)[0] as Hold;
  }
}

/** A `ws` socket whose received frames can be held back; the shape the client drives (WHATWG's). */
class GatedSocket {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private readonly inner: WsWebSocket;
  /** Holds claimed by requests of this socket, by xid, until their answer arrives. */
  private readonly waiting = new Map<number, Hold>();
  /** Frames not handed over yet, oldest first; empty unless a held answer is at the front. */
  private readonly queue: Delivery[] = [];
  /** Set once a hold cut the connection: frames still arriving are lost. */
  private lost = false;

  constructor(
    url: string,
    private readonly gate: ReplyGate,
  ) {
    this.inner = new WsWebSocket(url);
    this.inner.onopen = (event) => this.onopen?.(event);
    this.inner.onerror = (event) => this.onerror?.(event);
    this.inner.onmessage = (event) => this.receive(event.data);
    this.inner.onclose = (event) => {
      for (const hold of this.waiting.values())
        hold.rejectArrived(new Error(`the connection closed before the answer to xid ${hold.request?.xid} arrived`));
      this.waiting.clear();
      this.queue.push({ kind: 'close', code: event.code, reason: event.reason });
      this.pump();
    };
  }

  get binaryType(): string {
    return this.inner.binaryType;
  }

  set binaryType(type: string) {
    this.inner.binaryType = type as WsWebSocket['binaryType'];
  }

  get readyState(): number {
    return this.inner.readyState;
  }

  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }

  send(data: Uint8Array): void {
    const decoded = decodeRequest(data);
    if (decoded.ok) {
      const hold = this.gate.claim(decoded.value, this);
      if (hold !== null) this.waiting.set(decoded.value.xid, hold);
    }
    this.inner.send(data);
  }

  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }

  /** Loses the connection: `hold`'s answer and every frame behind it are dropped, then the close is handed over. */
  cut(hold: Hold): void {
    const index = this.queue.findIndex((delivery) => delivery.kind === 'message' && delivery.hold === hold);
    if (index >= 0) this.queue.length = index;
    this.lost = true;
    this.inner.terminate();
  }

  /** Hands over every queued frame up to the first held answer not released yet. */
  pump(): void {
    for (;;) {
      const next = this.queue[0];
      if (next === undefined) return;
      if (next.kind === 'message' && next.hold !== null && !next.hold.released) return;
      this.queue.shift();
      if (next.kind === 'close') this.onclose?.({ code: next.code, reason: next.reason });
      else this.onmessage?.({ data: next.data });
    }
  }

  private receive(data: unknown): void {
    if (this.lost) return;
    const decoded = decodeResponse(data as Uint8Array | ArrayBuffer);
    const xid = decoded.ok && 'xid' in decoded.value ? decoded.value.xid : undefined;
    const hold = xid === undefined ? undefined : this.waiting.get(xid);
    if (hold !== undefined) {
      this.waiting.delete(xid as number);
      hold.resolveArrived(hold.request as Request);
    }
    this.queue.push({ kind: 'message', data, hold: hold ?? null });
    this.pump();
  }
}
