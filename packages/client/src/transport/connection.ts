/**
 * One WebSocket connection to one member: opens it, runs the session handshake (`connect` or
 * `resume`), then hands every decoded member frame to its listener in arrival order.
 */
import {
  AbortedError,
  type ConnectedResponse,
  ConnectionLossError,
  type ConnectRequest,
  decodeResponse,
  encodeRequest,
  errorFromWire,
  isKeelError,
  type KeelError,
  type Request,
  type ResumeRequest,
  type ServerMessage,
  TimeoutError,
} from '@keel/protocol';
import { SendBatching } from './send-batching';
import { openSocket, type WebSocketConstructor, type WebSocketLike, webSocketOpen } from './web-socket';

/** How a connection ended, as the client sees it. */
export interface ConnectionEnd {
  readonly code: number;
  readonly reason: string;
}

/** Receives what a connection delivers after its handshake. */
export interface ConnectionListener {
  /** A decoded member frame. */
  frame(message: ServerMessage): void;
  /** The connection is gone (closed by either side, or its frames became unreadable). */
  ended(end: ConnectionEnd): void;
}

/** WebSocket close code the client uses when it gives up on a connection itself. */
export const clientCloseCode = 4100;

/** An established connection with its session handshake done. */
export class Connection {
  private listener: ConnectionListener | null = null;
  private ended = false;
  // Frames, and the end, that arrive after the handshake answer but before `attach()`.
  private readonly early: ServerMessage[] = [];
  private earlyEnd: ConnectionEnd | null = null;
  /** When the last frame arrived (any frame proves the member is alive). */
  lastReceivedAt = Date.now();
  /** When the last frame was sent. */
  lastSentAt = Date.now();

  private readonly batching: SendBatching;

  private constructor(
    /** The member URL. */
    readonly url: string,
    private readonly socket: WebSocketLike,
  ) {
    this.batching = new SendBatching(socket);
  }

  /**
   * Opens a socket to `url` and sends the handshake; resolves with the connection and the
   * member's `connected` answer. Rejects with the member's typed error (for example
   * `SessionExpiredError`, `NotLeaderError`), `ConnectionLossError` or `TimeoutError`.
   */
  static open(
    WebSocket: WebSocketConstructor,
    url: string,
    handshake: ConnectRequest | ResumeRequest,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ connection: Connection; connected: ConnectedResponse }> {
    return new Promise((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = openSocket(WebSocket, url);
      } catch (error) {
        reject(new ConnectionLossError(`cannot open a WebSocket to ${url}`, { cause: error }));
        return;
      }
      const connection = new Connection(url, socket);
      let settled = false;
      const onAbort = (): void => fail(new AbortedError('connecting was aborted', { cause: signal?.reason }));
      const settle = (): void => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: KeelError): void => {
        if (settled) return;
        settle();
        connection.abandon();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new TimeoutError(`no handshake answer from ${url} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.onopen = () => {
        try {
          connection.send(handshake);
        } catch (error) {
          fail(isKeelError(error) ? error : new ConnectionLossError('cannot send the handshake', { cause: error }));
        }
      };
      socket.onerror = () => fail(new ConnectionLossError(`cannot connect to ${url}`));
      socket.onclose = (event) => {
        if (settled) connection.earlyEnd ??= { code: event.code, reason: event.reason };
        fail(new ConnectionLossError(`${url} closed the connection (${event.code} ${event.reason})`.trim()));
      };
      socket.onmessage = (event) => {
        const decoded = decodeResponse(event.data);
        if (!decoded.ok) {
          const reason = `unreadable frame from ${url}: ${decoded.error.message}`;
          if (settled) connection.earlyEnd ??= { code: clientCloseCode, reason };
          return fail(new ConnectionLossError(reason));
        }
        const message = decoded.value;
        if (settled) {
          connection.early.push(message);
          return;
        }
        if (!('xid' in message) || message.xid !== handshake.xid) return;
        if (message.type === 'error') return fail(errorFromWire(message));
        if (message.type !== 'connected') {
          return fail(new ConnectionLossError(`unexpected ${message.type} answer to the handshake from ${url}`));
        }
        settle();
        connection.lastReceivedAt = Date.now();
        resolve({ connection, connected: message });
      };
    });
  }

  /** Starts delivering frames and the end of the connection to `listener`. */
  attach(listener: ConnectionListener): void {
    this.listener = listener;
    this.socket.onmessage = (event) => {
      if (this.ended) return;
      this.lastReceivedAt = Date.now();
      const decoded = decodeResponse(event.data);
      if (!decoded.ok) {
        this.end(clientCloseCode, `unreadable frame from the member: ${decoded.error.message}`);
        return;
      }
      this.listener?.frame(decoded.value);
    };
    this.socket.onclose = (event) => this.finish({ code: event.code, reason: event.reason });
    this.socket.onerror = () => {};
    for (const message of this.early.splice(0)) {
      if (this.ended) return;
      listener.frame(message);
    }
    if (this.earlyEnd !== null) this.end(this.earlyEnd.code, this.earlyEnd.reason);
  }

  /** Whether the socket can carry frames. */
  get open(): boolean {
    return !this.ended && this.socket.readyState === webSocketOpen;
  }

  /** Encodes and sends a request; throws the encoder's typed error for a bad request. */
  send(request: Request): void {
    const frame = encodeRequest(request);
    this.batching.hold();
    this.socket.send(frame);
    this.batching.sent((this.socket as { bufferedAmount?: number }).bufferedAmount);
    this.lastSentAt = Date.now();
  }

  /** Closes the connection and reports its end to the listener at once. */
  end(code: number, reason: string): void {
    this.closeSocket(code, reason);
    this.finish({ code, reason });
  }

  private abandon(): void {
    this.ended = true;
    this.closeSocket(clientCloseCode, 'handshake failed');
  }

  private closeSocket(code: number, reason: string): void {
    // Held frames go before the close frame.
    this.batching.release();
    try {
      this.socket.close(code, reason);
    } catch {
      // Closing a socket that is still connecting throws in some implementations; it is dropped anyway.
    }
  }

  private finish(end: ConnectionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.onmessage = null;
    this.listener?.ended(end);
  }
}
