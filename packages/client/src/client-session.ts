/**
 * The connection and session half of the client: finds a member, opens or resumes the session,
 * keeps it alive with pings, fails over when the connection goes, reports Curator's connection
 * states, and carries requests (queued while disconnected, in flight by xid while connected).
 *
 * Failover: on a lost connection the state becomes `suspended`, in-flight writes fail with
 * `ConnectionLoss` (in-flight reads and queued requests wait for the next connection), and the
 * client tries the members in a random order (the one it lost last), with full-jitter
 * exponential backoff, resuming the session with id, secret and the newest revision it has
 * seen, so it never reads an older state than it already saw.
 * Success is `reconnected`. The session is `lost` when a member says it expired, or when no
 * member took it back within the session timeout; the client then opens a fresh session on its
 * next connection (Curator's behaviour) and reports `reconnected` again.
 */
import {
  BadArgumentsError,
  ClosedError,
  type ConnectedResponse,
  ConnectionLossError,
  closeCodes,
  errorFromWire,
  InternalError,
  isKeelError,
  type Request,
  type ResponseByOp,
  type ServerMessage,
  type SessionEvent,
  SessionExpiredError,
  ThrottledError,
  type WatchEvent,
} from '@keel/protocol';
import { EventEmitter } from 'eventemitter3';
import { backoffDelayMs, memberRound } from './backoff';
import { attemptTimeoutMsMin, pendingRequestsMax } from './constants';
import { Keepalive } from './keepalive';
import type { ClientSettings, RequestOptions } from './options';
import { type PendingRequest, PendingRequests, type RequestBody } from './pending-requests';
import { abortedError, answerTypeOf, connectionLossMessage, retriedReads, timeoutError } from './request-rules';
import { type ConnectionState, isConnectedState } from './states';
import { Connection, type ConnectionEnd, clientCloseCode } from './transport/connection';
import type { WebSocketConstructor } from './transport/web-socket';
import { OneShotWatches } from './watches/one-shot-watches';
import { PersistentWatches } from './watches/persistent-watches';
import { ResumeTracker } from './watches/resume-points';
import type { WatchedEvent } from './watches/watch-event';

/** The events a client emits. */
export interface ClientEvents {
  /** The connection state changed (fires only when it actually changes). */
  state: [state: ConnectionState];
  /** A one-shot watch left with `watch: true` fired (ZooKeeper's default watcher). */
  watch: [event: WatchedEvent];
  /** A watch callback threw; without a listener the error is rethrown asynchronously. */
  error: [error: unknown];
}

interface AttemptLimit {
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

/** The session machinery under {@link KeelClient}. */
export abstract class ClientSession extends EventEmitter<ClientEvents> {
  protected readonly oneShotWatches: OneShotWatches;
  protected readonly persistentWatches: PersistentWatches;
  // Each watch's own resume point: the client-wide revision can run ahead of a watch whose
  // replay a lost connection cut short.
  private readonly resumes = new ResumeTracker();
  private readonly pending = new PendingRequests();
  private connection: Connection | null = null;
  private session: { readonly id: string; readonly secret: string } | null = null;
  private currentState: ConnectionState | null = null;
  private revision = 0;
  private xid = 1;
  // The member replays a re-registered watch's missed events right after its addWatch answer,
  // before any other answer: the events between the two are replays, numbered per answer.
  private replay: number | null = null;
  private replays = 0;
  private grantedTimeoutMs: number;
  private memberOfConnection: string | null = null;
  private lastUrl: string | undefined;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | null = null;
  private reconnecting = false;
  private readonly keepalive = new Keepalive();
  private lostTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly sleepers = new Set<() => void>();

  protected constructor(
    protected readonly settings: ClientSettings,
    private readonly WebSocket: WebSocketConstructor,
  ) {
    super();
    this.grantedTimeoutMs = settings.sessionTimeoutMs;
    const report = (error: unknown): void => this.reportError(error);
    this.oneShotWatches = new OneShotWatches(report, this.resumes, () => this.revision);
    this.persistentWatches = new PersistentWatches(
      {
        addWatch: async (path, kind, sinceRevision, answered) => {
          await this.call(
            { op: 'addWatch', path, kind, ...(sinceRevision === undefined ? {} : { sinceRevision }) },
            {},
            false,
            (answer) => answered(answer.revision),
          );
        },
        removeWatch: async (path, kind) => {
          await this.call({ op: 'removeWatch', path, kind });
        },
      },
      this.resumes,
    );
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.currentState ?? 'suspended';
  }

  /** Whether a connection with a live session is up. */
  get connected(): boolean {
    return this.currentState !== null && isConnectedState(this.currentState) && this.connection !== null;
  }

  /** The session id (a new one after `lost`); null while the session is lost and not yet replaced. */
  get sessionId(): string | null {
    return this.session?.id ?? null;
  }

  /** The session timeout the member granted. */
  get sessionTimeoutMs(): number {
    return this.grantedTimeoutMs;
  }

  /** The newest revision seen in any frame from any member; reads never go back before it. */
  get lastSeenRevision(): number {
    return this.revision;
  }

  /** The id of the member serving the current connection, if any. */
  get memberId(): string | null {
    return this.connection === null ? null : this.memberOfConnection;
  }

  /** Connects for the first time; rejects (and closes the client) if no member took the session in time. */
  protected async start(signal?: AbortSignal): Promise<void> {
    try {
      await this.establish({ deadline: Date.now() + this.settings.connectTimeoutMs, ...(signal ? { signal } : {}) });
    } catch (error) {
      this.shutdown();
      throw error;
    }
    this.setState('connected');
  }

  /**
   * Ends the session (its ephemeral nodes go at once) and closes the client. Requests still
   * pending fail with `ClosedError`; watch streams end. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closePromise ??= this.closeOnce();
    return this.closePromise;
  }

  private async closeOnce(): Promise<void> {
    this.closing = true;
    if (this.connection !== null && this.session !== null) {
      try {
        await this.call({ op: 'closeSession' }, { timeoutMs: Math.min(this.settings.requestTimeoutMs, 5_000) }, true);
      } catch {
        // The member will expire the session instead.
      }
    }
    this.shutdown();
  }

  private shutdown(): void {
    this.closing = true;
    this.closed = true;
    this.keepalive.stop();
    this.clearLostTimer();
    for (const wake of this.sleepers) wake();
    this.connection?.end(1000, 'client closed');
    this.connection = null;
    this.pending.failAll(() => new ClosedError());
    this.persistentWatches.endAll();
    if (this.currentState !== null) this.setState('closed');
  }

  // -------------------------------------------------------------------------------------------
  // Requests

  /**
   * Sends a request (or queues it until a connection is up) and resolves with its answer; rejects
   * with the member's typed error, `TimeoutError`, `AbortedError`, `ConnectionLossError` (sent,
   * then the connection went: the outcome of a write is unknown), `SessionExpiredError` or
   * `ClosedError`. `onAnswer` runs synchronously as the answer is dispatched.
   */
  protected call<Body extends RequestBody>(
    body: Body,
    options: RequestOptions = {},
    internal = false,
    onAnswer?: (answer: ResponseByOp[Body['op']]) => void,
  ): Promise<ResponseByOp[Body['op']]> {
    return new Promise((resolve, reject) => {
      if (this.closed || (this.closing && !internal)) return reject(new ClosedError());
      if (this.pending.size >= pendingRequestsMax) {
        return reject(new ThrottledError(`the client has ${pendingRequestsMax} requests pending`));
      }
      const signal = options.signal;
      if (signal?.aborted) return reject(abortedError(signal));
      const timeoutMs = options.timeoutMs ?? this.settings.requestTimeoutMs;
      if (!(timeoutMs > 0)) return reject(new BadArgumentsError('timeoutMs must be a positive number'));
      const onAbort = (): void => {
        this.pending.forget(request);
        request.release();
        reject(abortedError(signal));
      };
      // Beyond the timer range (Infinity included) there is no timeout, not an immediate one.
      const timer =
        timeoutMs > timerDelayMsMax
          ? undefined
          : setTimeout(() => {
              this.pending.forget(request);
              request.release();
              reject(timeoutError(body, timeoutMs));
            }, timeoutMs);
      const request: PendingRequest = {
        body,
        xid: null,
        ...(onAnswer === undefined ? {} : { onAnswer: onAnswer as NonNullable<PendingRequest['onAnswer']> }),
        resolve: (answer) => resolve(answer as ResponseByOp[Body['op']]),
        reject,
        release: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.transmit(request);
    });
  }

  private transmit(request: PendingRequest): void {
    const connection = this.connection;
    if (connection === null || !connection.open) {
      this.pending.queue(request);
      return;
    }
    const xid = this.xid++;
    try {
      connection.send({ ...request.body, xid } as Request);
    } catch (error) {
      // The encoder refused the request (a bad path, data over the limit): nothing was sent.
      request.release();
      request.reject(isKeelError(error) ? error : new BadArgumentsError(String(error), { cause: error }));
      return;
    }
    this.pending.sent(request, xid);
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  private onFrame(connection: Connection, message: ServerMessage): void {
    if (connection !== this.connection) return;
    if (message.revision > this.revision) this.revision = message.revision;
    this.resumes.frame(message.type, message.revision);
    switch (message.type) {
      case 'watch':
        this.onWatchEvent(message);
        return;
      case 'session':
        this.onSessionEvent(connection, message);
        return;
      default: {
        const request = this.pending.answered(message.xid);
        const body = request?.body;
        this.replay = body?.op === 'addWatch' && body.sinceRevision !== undefined ? ++this.replays : null;
        if (request === undefined) return;
        request.release();
        if (message.type === 'error') {
          request.reject(errorFromWire(message));
          return;
        }
        if (message.type !== answerTypeOf(request.body.op)) {
          request.reject(new InternalError(`member answered ${request.body.op} with ${message.type}`));
          return;
        }
        request.onAnswer?.(message);
        request.resolve(message);
      }
    }
  }

  private onWatchEvent(event: WatchEvent): void {
    if (event.event === 'resyncNeeded') {
      if (event.kind === 'persistent' || event.kind === 'persistentRecursive') {
        this.persistentWatches.resync(event.kind, event.path, event.revision);
      } else {
        this.oneShotWatches.resync(event.kind, event.path, event.revision);
      }
      return;
    }
    this.oneShotWatches.dispatch(event);
    this.persistentWatches.dispatch(event, this.replay);
  }

  private onSessionEvent(connection: Connection, event: SessionEvent): void {
    if (event.event === 'expired') this.sessionLost(`the member expired the session: ${event.reason}`);
    // `moved` and `serverClosing`: this connection is over; go elsewhere at once.
    connection.end(clientCloseCode, `${event.event}: ${event.reason}`);
  }

  private onEnded(connection: Connection, end: ConnectionEnd): void {
    if (connection !== this.connection) return;
    this.resumes.disconnected(this.revision);
    this.connection = null;
    this.lastUrl = connection.url;
    this.keepalive.stop();
    const reason = `the connection to ${connection.url} was lost (${end.code} ${end.reason})`.trim();
    this.pending.failInFlight(
      (op) => new ConnectionLossError(connectionLossMessage(op, reason)),
      (request) => !this.closing && this.settings.retryReads && retriedReads.has(request.body.op),
    );
    if (this.closing) return;
    if (end.code === closeCodes.sessionExpired) this.sessionLost('the member expired the session');
    if (this.session !== null) {
      this.setState('suspended');
      this.startLostTimer();
    }
    this.reconnect();
  }

  // -------------------------------------------------------------------------------------------
  // Connecting

  private reconnect(): void {
    if (this.reconnecting || this.closed) return;
    this.reconnecting = true;
    this.establish({}).then(
      () => {
        this.reconnecting = false;
        if (this.connection !== null) this.setState('reconnected');
        else this.reconnect();
      },
      () => {
        this.reconnecting = false;
        // Only closing stops an unbounded establish.
      },
    );
  }

  /** Tries members, round after round, until one takes the session; throws at the limit or on close. */
  private async establish(limit: AttemptLimit): Promise<void> {
    let attempt = 0;
    let lastError: unknown;
    for (;;) {
      for (const url of memberRound(this.settings.servers, this.settings.random, this.lastUrl)) {
        if (attempt > 0) {
          const delayMs = backoffDelayMs(
            attempt,
            this.settings.backoffMsMin,
            this.settings.backoffMsMax,
            this.settings.random,
          );
          await this.sleep(Math.min(delayMs, remainingMs(limit)), limit.signal);
        }
        attempt++;
        if (this.closed) throw new ClosedError();
        if (limit.signal?.aborted) throw abortedError(limit.signal);
        const remaining = remainingMs(limit);
        if (remaining <= 0) {
          const servers = this.settings.servers.join(', ');
          const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
          throw new ConnectionLossError(`could not open a session on any of ${servers}${detail}`, { cause: lastError });
        }
        try {
          if (await this.attempt(url, Math.min(remaining, this.attemptTimeoutMs()), limit.signal)) return;
        } catch (error) {
          if (isKeelError(error, 'Aborted') || isKeelError(error, 'Closed')) throw error;
          lastError = error;
          this.lastUrl = url;
          if (isKeelError(error, 'SessionExpired'))
            this.sessionLost(`the session could not be resumed: ${error.message}`);
        }
      }
    }
  }

  /** One connection attempt; true once the connection is adopted. */
  private async attempt(url: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const session = this.session;
    const sinceRevision = this.revision;
    const common = {
      xid: this.xid++,
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      lastSeenRevision: sinceRevision,
      readOnly: false,
    };
    const handshake =
      session === null
        ? { op: 'connect' as const, ...common }
        : { op: 'resume' as const, sessionId: session.id, secret: session.secret, ...common };
    const { connection, connected } = await Connection.open(this.WebSocket, url, handshake, timeoutMs, signal);
    if (this.closed) {
      connection.end(1000, 'client closed');
      throw new ClosedError();
    }
    if (session !== null && this.session !== session) {
      // The session was declared lost while this resume was under way: end it for good so its
      // ephemerals go, and start a fresh one, as the `lost` listeners were told.
      try {
        connection.send({ op: 'closeSession', xid: this.xid++ });
      } catch {
        // The member will expire it instead.
      }
      connection.end(1000, 'session lost');
      return false;
    }
    this.adopt(connection, connected, sinceRevision);
    return true;
  }

  private adopt(connection: Connection, connected: ConnectedResponse, sinceRevision: number): void {
    if (connected.revision > this.revision) this.revision = connected.revision;
    this.session = { id: connected.sessionId, secret: connected.secret };
    this.grantedTimeoutMs = connected.sessionTimeoutMs;
    this.memberOfConnection = connected.memberId;
    this.connection = connection;
    this.lastUrl = connection.url;
    this.replay = null;
    this.clearLostTimer();
    connection.attach({
      frame: (message) => this.onFrame(connection, message),
      ended: (end) => this.onEnded(connection, end),
    });
    // Watches first, then the queued requests: answers come in this order, so a queued read
    // sees its watch already registered again.
    for (const { kind, path } of this.oneShotWatches.registrations()) {
      const resume = this.oneShotWatches.resumePointOf(kind, path);
      const since = resume.through ?? sinceRevision;
      const answered = (answer: { revision: number }): void => this.resumes.answered(resume, since, answer.revision);
      this.call({ op: 'addWatch', path, kind, sinceRevision: since }, {}, true, answered).catch((error: unknown) => {
        // Refused for good (a watch limit, say): fire it so its owner re-reads and watches again.
        if (isKeelError(error, 'ConnectionLoss') || this.closed) return;
        this.oneShotWatches.resync(kind, path, this.revision);
      });
    }
    // A watch no member confirmed yet resumes from what this client had seen before this connection.
    this.persistentWatches.reregister(sinceRevision);
    for (const request of this.pending.drainOutgoing()) this.transmit(request);
    this.keepalive.start(connection, this.grantedTimeoutMs, {
      ping: (timeoutMs) => this.call({ op: 'ping' }, { timeoutMs }, true).catch(() => {}),
      drop: (reason) => connection.end(clientCloseCode, reason),
    });
  }

  private sessionLost(reason: string): void {
    if (this.session === null) return;
    this.session = null;
    this.clearLostTimer();
    this.pending.failAll(() => new SessionExpiredError(reason));
    this.setState('lost');
  }

  private attemptTimeoutMs(): number {
    return Math.max(attemptTimeoutMsMin, this.settings.sessionTimeoutMs / this.settings.servers.length);
  }

  // -------------------------------------------------------------------------------------------
  // Timers

  private startLostTimer(): void {
    if (this.lostTimer !== null) return;
    this.lostTimer = setTimeout(() => {
      this.lostTimer = null;
      if (this.connection === null) {
        this.sessionLost(`no member took the session back within its timeout of ${this.grantedTimeoutMs} ms`);
      }
    }, this.grantedTimeoutMs);
  }

  private clearLostTimer(): void {
    if (this.lostTimer !== null) clearTimeout(this.lostTimer);
    this.lostTimer = null;
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
      this.sleepers.add(wake);
    });
  }

  // -------------------------------------------------------------------------------------------

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private reportError(error: unknown): void {
    if (this.listenerCount('error') > 0) {
      this.emit('error', error);
      return;
    }
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** The longest delay `setTimeout` honours (a longer one fires at once). */
const timerDelayMsMax = 2 ** 31 - 1;

function remainingMs(limit: AttemptLimit): number {
  return limit.deadline === undefined ? Number.POSITIVE_INFINITY : limit.deadline - Date.now();
}
