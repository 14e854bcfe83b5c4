/**
 * Sending the frames of one turn in one system call. `ws` (the client's WebSocket on Node 20)
 * writes every frame to its TCP socket at once, so a turn that sends many requests (a burst of
 * answers lets many callers send their next one) costs one syscall per request. Corking the
 * socket for the rest of the turn lets them leave together. Only `ws` exposes its socket (its
 * `upgrade` event carries the HTTP response); with any other WebSocket frames go one by one.
 */

/** A stream that can hold writes back (Node's `net.Socket`). */
export interface CorkableStream {
  cork(): void;
  uncork(): void;
}

interface EmitsUpgrade {
  on(event: 'upgrade', listener: (response: unknown) => void): unknown;
}

// Past this many bytes waiting in one turn, the frames leave at once: a large request gains
// nothing from waiting for company.
const heldBytesMax = 64 * 1024;

type Defer = (run: () => void) => void;

// After the current turn's promise callbacks, where Node has it: the answers of one network read
// resolve their callers in promise callbacks, and each sends its next request from one.
const afterTurn: Defer =
  (globalThis as { process?: { nextTick?: Defer } }).process?.nextTick ??
  ((run) => {
    queueMicrotask(run);
  });

/** Whether `socket` is a `ws` WebSocket (an event emitter with `on`). */
export function isNodeWs(socket: object): socket is object & EmitsUpgrade {
  return typeof (socket as Partial<EmitsUpgrade>).on === 'function';
}

function isCorkable(value: unknown): value is CorkableStream {
  const stream = value as Partial<CorkableStream> | null;
  return typeof stream?.cork === 'function' && typeof stream.uncork === 'function';
}

/** Holds a socket's frames back for the rest of the turn once its stream is known. */
export class SendBatching {
  private stream: CorkableStream | null = null;
  private holding = false;

  /** Starts watching `socket` for its stream (only `ws` has one to find). */
  constructor(socket: object) {
    if (!isNodeWs(socket)) return;
    socket.on('upgrade', (response) => {
      const stream = (response as { socket?: unknown } | null)?.socket;
      if (isCorkable(stream)) this.stream = stream;
    });
  }

  /** Call before sending a frame: the frames of this turn then leave together. */
  hold(): void {
    if (this.stream === null || this.holding) return;
    this.holding = true;
    this.stream.cork();
    afterTurn(() => this.release());
  }

  /** Call after sending a frame with the socket's `bufferedAmount`. */
  sent(bufferedBytes: number | undefined): void {
    if (bufferedBytes !== undefined && bufferedBytes > heldBytesMax) this.release();
  }

  /** Sends what is held back now (before a close, or when enough waits). */
  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.stream?.uncork();
  }
}
