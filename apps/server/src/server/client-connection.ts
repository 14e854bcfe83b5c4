/**
 * One client WebSocket connection: decodes each binary frame with the protocol's validating
 * decoder, runs the session handshake, and answers the requests strictly in the order they
 * arrived (one at a time, so a read after a write on the same session sees it).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type AddWatchRequest,
  type ConnectRequest,
  closeCodes,
  decodeRequest,
  encodeResponse,
  type NodeWatchEvent,
  type Request,
  type ResumeRequest,
  type ServerMessage,
  type WatchKind,
  type WireError,
} from '@keel/protocol';
import type { RaftNode } from '@keel/raft';
import type { RawData, WebSocket } from 'ws';
import { encodeCommand } from '../state/commands';
import type { CoordinationStateMachine } from '../state/coordination-state-machine';
import type { ApplyOutcome } from '../state/results';
import { answerOf, commandOf, errorAnswer, wireErrorOf } from './request-mapping';
import type { SessionLiveness } from './session-liveness';
import type { WatchRegistry } from './watch-registry';

/** Most requests a connection may have waiting for their answer; more are refused with `Throttled`. */
export const pendingRequestsMax = 4096;

/** What a connection needs from its member. */
export interface ConnectionHost {
  readonly memberId: string;
  readonly machine: CoordinationStateMachine;
  readonly node: RaftNode<ApplyOutcome>;
  readonly liveness: SessionLiveness;
  /** The member's watches; the apply path delivers their events to the owning connections. */
  readonly watches: WatchRegistry<ClientConnection>;
  /** The timeout granted for a requested one. */
  grantTimeout(requestedMs: number): number;
  /** Resolves once this member has applied `revision` (rejects with a timeout). */
  waitApplied(revision: number): Promise<void>;
  /** Makes `connection` the one serving `sessionId`; returns the one it replaces, if any. */
  bind(sessionId: string, connection: ClientConnection): ClientConnection | undefined;
  /** Forgets `connection` as the one serving `sessionId` (if it still is). */
  unbind(sessionId: string, connection: ClientConnection): void;
}

// The WebSocket close reason is limited to 123 bytes of UTF-8.
const closeReasonBytesMax = 123;

/** The member's side of one client connection. */
export class ClientConnection {
  private sessionId: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly host: ConnectionHost,
  ) {
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('close', () => this.onClosed());
    // A socket error is followed by 'close'; without a listener it would be thrown.
    socket.on('error', () => {});
  }

  /** Sends an unsolicited session event, then closes the connection with `code`. */
  end(event: 'expired' | 'moved' | 'serverClosing', code: number, reason: string): void {
    this.send({ type: 'session', event, reason, revision: this.host.machine.appliedRevision });
    this.close(code, reason);
  }

  /** Closes the connection (the session, if any, lives on until it expires); its watches go. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.host.watches.removeAll(this);
    this.socket.close(code, truncate(reason));
  }

  /**
   * Sends a watch event now. Called on the apply path, so the frame is on the socket before any
   * later answer of this connection that reflects the change (answers are sent after apply).
   */
  deliver(event: NodeWatchEvent): void {
    this.send(event);
  }

  private onClosed(): void {
    this.closed = true;
    this.host.watches.removeAll(this);
    if (this.sessionId !== null) this.host.unbind(this.sessionId, this);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) {
      this.close(closeCodes.protocolError, 'expected binary frames');
      return;
    }
    const decoded = decodeRequest(toBytes(data));
    if (!decoded.ok) {
      const { xid, code, message } = decoded.error;
      // Without an xid (or before the handshake) there is nothing to answer: close with the reason.
      if (xid === undefined || this.sessionId === null) {
        this.close(code === 'TooLarge' ? closeCodes.frameTooLarge : closeCodes.protocolError, message);
        return;
      }
      this.enqueue(xid, async () => this.answerError(xid, { code, message }));
      return;
    }
    const request = decoded.value;
    this.enqueue(request.xid, () => this.handle(request));
  }

  private enqueue(xid: number, work: () => Promise<void>): void {
    if (this.pending >= pendingRequestsMax) {
      this.chain = this.chain.then(() =>
        this.answerError(xid, { code: 'Throttled', message: `over ${pendingRequestsMax} pending requests` }),
      );
      return;
    }
    this.pending++;
    this.chain = this.chain
      .then(work)
      .catch((error: unknown) => this.answerError(xid, wireErrorOf(error)))
      .finally(() => {
        this.pending--;
      });
  }

  private async handle(request: Request): Promise<void> {
    if (this.sessionId === null) {
      if (request.op === 'connect') return this.connect(request);
      if (request.op === 'resume') return this.resume(request);
      this.close(closeCodes.handshakeFailed, 'the first request must be connect or resume');
      return;
    }
    if (request.op === 'connect' || request.op === 'resume') {
      this.close(closeCodes.handshakeFailed, 'repeated handshake');
      return;
    }
    const sessionId = this.sessionId;
    const { machine, node } = this.host;
    if (machine.session(sessionId) === undefined) {
      this.answerError(request.xid, { code: 'SessionExpired', message: 'the session expired' });
      this.close(closeCodes.sessionExpired, 'the session expired');
      return;
    }
    this.host.liveness.touch(sessionId);
    const xid = request.xid;
    switch (request.op) {
      case 'ping':
        return this.answer({ type: 'pong', xid, revision: machine.appliedRevision });
      case 'create':
      case 'delete':
      case 'set':
      case 'multi': {
        const outcome = await node.propose(encodeCommand(commandOf(request, sessionId, Date.now())));
        return this.answer(answerOf(request, outcome.result, machine.appliedRevision));
      }
      case 'get':
      case 'exists':
      case 'children': {
        if (request.linearizable) await node.readIndex();
        // Registering in the same synchronous step as the read: no change can fall between them.
        const answer = this.read(request);
        if (request.watch && answer.type !== 'error') this.watch(request.path, oneShotKindOf(request));
        return this.answer(answer);
      }
      case 'addWatch':
        return this.addWatch(request);
      case 'removeWatch': {
        if (!this.host.watches.remove(this, request.path, request.kind)) {
          const message = `no ${request.kind} watch on this path`;
          return this.answerError(xid, { code: 'NoWatcher', message, path: request.path });
        }
        return this.answer({ type: 'removeWatch', xid, revision: machine.appliedRevision });
      }
      case 'sync':
        await node.readIndex();
        return this.answer({ type: 'sync', xid, revision: machine.appliedRevision, path: request.path });
      case 'closeSession': {
        await node.propose(encodeCommand({ type: 'closeSession', sessionId, reason: 'closed', time: Date.now() }));
        this.answer({ type: 'closeSession', xid, revision: machine.appliedRevision });
        this.host.unbind(sessionId, this);
        this.sessionId = null;
        this.close(1000, 'session closed');
        return;
      }
      default:
        return this.unimplemented(xid, request.op);
    }
  }

  private read(request: Extract<Request, { op: 'get' | 'exists' | 'children' }>): ServerMessage {
    const { machine } = this.host;
    const { xid, path } = request;
    const revision = machine.appliedRevision;
    const noNode = errorAnswer(xid, revision, { code: 'NoNode', message: 'no node at this path', path });
    if (request.op === 'exists') return { type: 'exists', xid, revision, stat: machine.get(path)?.stat ?? null };
    if (request.op === 'get') {
      const node = machine.get(path);
      return node === null ? noNode : { type: 'get', xid, revision, data: node.data, stat: node.stat };
    }
    const node = machine.children(path);
    return node === null ? noNode : { type: 'children', xid, revision, children: node.children, stat: node.stat };
  }

  private watch(path: string, kind: WatchKind): void {
    // A connection that closed while its request waited must not leave a watch nobody removes.
    if (!this.closed) this.host.watches.add(this, path, kind);
  }

  private async addWatch(request: AddWatchRequest): Promise<void> {
    const { machine } = this.host;
    if (request.sinceRevision !== undefined) await this.host.waitApplied(request.sinceRevision);
    this.watch(request.path, request.kind);
    const revision = machine.appliedRevision;
    this.answer({ type: 'addWatch', xid: request.xid, revision });
    // No window of past changes is kept yet: any gap since `sinceRevision` needs a re-read.
    if (request.sinceRevision !== undefined && request.sinceRevision < revision) {
      this.send({ type: 'watch', event: 'resyncNeeded', path: request.path, kind: request.kind, revision });
    }
  }

  private async connect(request: ConnectRequest): Promise<void> {
    const { node, machine } = this.host;
    await this.host.waitApplied(request.lastSeenRevision);
    const sessionId = randomUUID();
    const secret = randomBytes(24).toString('base64url');
    const timeoutMs = this.host.grantTimeout(request.sessionTimeoutMs);
    const outcome = await node.propose(
      encodeCommand({ type: 'createSession', sessionId, secret, timeoutMs, time: Date.now() }),
    );
    if (outcome.result.type !== 'createSession') {
      const message = outcome.result.type === 'error' ? outcome.result.message : 'session not created';
      return this.answerError(request.xid, { code: 'Internal', message });
    }
    this.adopt(sessionId);
    this.answer({
      type: 'connected',
      xid: request.xid,
      revision: machine.appliedRevision,
      sessionId,
      secret,
      sessionTimeoutMs: timeoutMs,
      memberId: this.host.memberId,
      resumed: false,
      readOnly: false,
    });
  }

  private async resume(request: ResumeRequest): Promise<void> {
    const { machine } = this.host;
    await this.host.waitApplied(request.lastSeenRevision);
    const session = machine.session(request.sessionId);
    if (session === undefined || !sameSecret(session.secret, request.secret)) {
      this.answerError(request.xid, { code: 'SessionExpired', message: 'no such session (expired or never existed)' });
      this.close(closeCodes.sessionExpired, 'the session expired');
      return;
    }
    this.adopt(session.id);
    this.answer({
      type: 'connected',
      xid: request.xid,
      revision: machine.appliedRevision,
      sessionId: session.id,
      secret: session.secret,
      sessionTimeoutMs: session.timeoutMs,
      memberId: this.host.memberId,
      resumed: true,
      readOnly: false,
    });
  }

  private adopt(sessionId: string): void {
    this.sessionId = sessionId;
    this.host.liveness.touch(sessionId);
    const previous = this.host.bind(sessionId, this);
    if (previous !== undefined && previous !== this) {
      previous.sessionId = null;
      previous.end('moved', closeCodes.sessionMoved, 'the session was resumed on another connection');
    }
    // The client may have gone while the session was being created.
    if (this.closed) this.host.unbind(sessionId, this);
  }

  private unimplemented(xid: number, what: string): void {
    this.answerError(xid, { code: 'Unimplemented', message: `${what} not supported by this member yet` });
  }

  private answerError(xid: number, error: WireError): void {
    this.answer(errorAnswer(xid, this.host.machine.appliedRevision, error));
  }

  private answer(message: ServerMessage): void {
    this.send(message);
  }

  private send(message: ServerMessage): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    let frame: Uint8Array;
    try {
      frame = encodeResponse(message);
    } catch (error) {
      if (!('xid' in message)) return;
      frame = encodeResponse(errorAnswer(message.xid, message.revision, wireErrorOfEncoding(error)));
    }
    this.socket.send(frame);
  }
}

/**
 * The one-shot watch a read leaves (ZooKeeper's): `exists` waits for any change including
 * creation, `get` for data changes and deletion, `children` for child changes and deletion.
 */
function oneShotKindOf(request: Extract<Request, { op: 'get' | 'exists' | 'children' }>): WatchKind {
  if (request.op === 'get') return 'data';
  return request.op;
}

function wireErrorOfEncoding(error: unknown): WireError {
  const message = error instanceof Error ? error.message : 'response could not be encoded';
  return { code: 'TooLarge', message: truncate(message) };
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function toBytes(data: RawData): Uint8Array | ArrayBuffer {
  return Array.isArray(data) ? Buffer.concat(data) : data;
}

function truncate(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > closeReasonBytesMax) text = text.slice(0, -1);
  return text;
}
