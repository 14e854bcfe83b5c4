/**
 * One client WebSocket connection: decodes each binary frame with the protocol's validating
 * decoder, runs the session handshake, and answers the requests strictly in the order they
 * arrived. Writes are pipelined: each is handed to Raft as soon as it arrives (in arrival order)
 * and answered in turn once applied here; any other request waits until every request before it
 * is answered, so a read after a write on the same session sees it.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type AddWatchRequest,
  BadArgumentsError,
  basename,
  type ConnectRequest,
  closeCodes,
  decodeRequest,
  encodeResponse,
  type NodeWatchEvent,
  type ProtocolLimits,
  parentOf,
  type Request,
  type ResumeRequest,
  type ServerMessage,
  sequenceOf,
  TooLargeError,
  type WatchEvent,
  type WatchKind,
  type WireError,
} from '@keel/protocol';
import type { RaftNode } from '@keel/raft';
import type { RawData, WebSocket } from 'ws';
import type { CoordinationStateMachine } from '../state/coordination-state-machine';
import type { ApplyOutcome } from '../state/results';
import type { ChangeWindow } from './change-window';
import { type AdminHost, runAdmin } from './member-admin';
import { defaultPendingRequestsMax } from './options';
import { answerOf, commandOf, commandProblem, errorAnswer, type WriteRequest, wireErrorOf } from './request-mapping';
import type { SessionLiveness } from './session-liveness';
import { isOneShot, type WatchRegistry } from './watch-registry';
import { type ClientCommand, NotHandedOnError, type WritePath } from './write-path';

/** @deprecated Use `defaultPendingRequestsMax` from the options; kept for existing importers. */
export const pendingRequestsMax = defaultPendingRequestsMax;

/** The limits a connection enforces. */
export interface ConnectionLimits {
  /** Most requests waiting for their answer; more are refused with `Throttled`. */
  readonly pendingRequestsMax: number;
  /** Most bytes of request frames waiting for their answer; more are refused with `Throttled`. */
  readonly pendingRequestBytesMax: number;
  /** Most bytes queued on the socket for a client that reads too slowly; then it is closed. */
  readonly sendBufferBytesMax: number;
  /** Most watches the connection may hold; more are refused with `TooLarge`. */
  readonly watchesPerConnectionMax: number;
  /** What the request decoder accepts (frame and data size). */
  readonly protocol: ProtocolLimits;
}

/** What a connection needs from its member. */
export interface ConnectionHost {
  readonly memberId: string;
  readonly machine: CoordinationStateMachine;
  readonly node: RaftNode<ApplyOutcome>;
  readonly liveness: SessionLiveness;
  /** The member's watches; the apply path delivers their events to the owning connections. */
  readonly watches: WatchRegistry<ClientConnection>;
  /** The member's recent changes, replayed to a watch added with `sinceRevision`. */
  readonly changes: ChangeWindow;
  /** Sends commands through Raft from any member and waits for their apply here. */
  readonly writes: WritePath;
  readonly admin: AdminHost;
  readonly limits: ConnectionLimits;
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

// A write whose outcome is unknown ends the connection, as ZooKeeper's ConnectionLoss does: the
// requests pipelined behind it must not be answered as if it had been applied before them.
const closeWriteOutcomeUnknown = 1011;

// Past this many bytes held back in one turn, the frames leave at once (see `hold`).
const heldBytesMax = 64 * 1024;

// The standard "internal error" close.
const closeInternalError = 1011;

const sessionEndMessages = {
  SessionExpired: 'the session expired',
  SessionMoved: 'the session was resumed on another connection',
} as const;

/** The requests that change replicated state on behalf of the session. */
type SessionWrite = WriteRequest | Extract<Request, { op: 'closeSession' }>;

function isSessionWrite(request: Request): request is SessionWrite {
  switch (request.op) {
    case 'create':
    case 'delete':
    case 'set':
    case 'multi':
    case 'closeSession':
      return true;
    default:
      return false;
  }
}

/** The byte stream under a WebSocket (its `net.Socket`), which can hold writes back to send them together. */
export interface CorkableStream {
  cork(): void;
  uncork(): void;
}

/** The member's side of one client connection. */
export class ClientConnection {
  private sessionId: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Creates with `watchTurn` handed on and not yet answered (see `takeTurnWatchSlot`). */
  private readonly turnWatchesOnTheWay = new Set<SessionWrite>();
  private pendingBytes = 0;
  /** Writes queued behind another request that are not yet handed to Raft. */
  private unsubmitted = 0;
  /** The number of the last command this connection sent (see `Session.sequence`). */
  private sequence = 0;
  /** A command numbered before later ones was never handed on: those later ones will be refused. */
  private sequenceBroken = false;
  private closed = false;
  /** Frames are being held back until the end of this turn (see `hold`). */
  private holding = false;
  /** This connection's name in the replicated session table (the session's owner while it serves it). */
  readonly token = randomUUID();

  constructor(
    private readonly socket: WebSocket,
    private readonly host: ConnectionHost,
    /** Set when the member refuses this connection (over a limit): the first request gets it. */
    private readonly refusal: WireError | null = null,
    /** The socket's byte stream; when given, the frames sent in one turn leave in one write. */
    private readonly stream: CorkableStream | null = null,
  ) {
    socket.on('message', (data, isBinary) => {
      try {
        this.onFrame(data, isBinary);
      } catch {
        // A bug must cost this connection, never the member.
        this.close(closeInternalError, 'internal error');
      }
    });
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
    // What was held back goes before the close frame, which a stopping member may follow at once
    // by destroying the socket.
    this.release();
    this.socket.close(code, truncate(reason));
  }

  /**
   * Sends a watch event now. Called on the apply path, so the frame is on the socket before any
   * later answer of this connection that reflects the change (answers are sent after apply).
   */
  deliver(event: WatchEvent): void {
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
    const frame = toBytes(data);
    const frameBytes = frame.byteLength;
    const decoded = decodeRequest(frame, this.host.limits.protocol);
    if (this.refusal !== null) {
      const xid = decoded.ok ? decoded.value.xid : decoded.error.xid;
      if (xid !== undefined) this.answerError(xid, this.refusal);
      this.close(closeCodes.throttled, this.refusal.message);
      return;
    }
    if (!decoded.ok) {
      const { xid, code, message } = decoded.error;
      // Without an xid (or before the handshake) there is nothing to answer: close with the reason.
      if (xid === undefined || this.sessionId === null) {
        this.close(code === 'TooLarge' ? closeCodes.frameTooLarge : closeCodes.protocolError, message);
        return;
      }
      this.enqueue(xid, frameBytes, async () => this.answerError(xid, { code, message }));
      return;
    }
    this.accept(decoded.value, frameBytes);
  }

  private accept(request: Request, frameBytes: number): void {
    const sessionId = this.sessionId;
    if (sessionId !== null) this.host.liveness.touch(sessionId);
    if (!isSessionWrite(request)) {
      this.enqueue(request.xid, frameBytes, () => this.handle(request));
      return;
    }
    // Hand the write to Raft now unless an earlier write still waits to be handed on (order).
    if (sessionId !== null && this.unsubmitted === 0 && this.admits(frameBytes)) {
      const outcome = this.startWrite(request, sessionId);
      this.enqueue(request.xid, frameBytes, () => this.finishWrite(request, outcome));
      return;
    }
    this.unsubmitted++;
    this.enqueue(
      request.xid,
      frameBytes,
      () => {
        this.unsubmitted--;
        return this.handle(request);
      },
      () => {
        this.unsubmitted--;
      },
    );
  }

  private admits(frameBytes: number): boolean {
    const { pendingRequestsMax, pendingRequestBytesMax } = this.host.limits;
    return this.pending < pendingRequestsMax && this.pendingBytes + frameBytes <= pendingRequestBytesMax;
  }

  private enqueue(xid: number, frameBytes: number, work: () => Promise<void>, refused?: () => void): void {
    if (!this.admits(frameBytes)) {
      refused?.();
      const { pendingRequestsMax, pendingRequestBytesMax } = this.host.limits;
      const message = `over ${pendingRequestsMax} pending requests or ${pendingRequestBytesMax} pending bytes`;
      this.chain = this.chain.then(() => this.answerError(xid, { code: 'Throttled', message })).catch(this.broken);
      return;
    }
    this.pending++;
    this.pendingBytes += frameBytes;
    this.chain = this.chain
      .then(work)
      .catch((error: unknown) => {
        const wire = wireErrorOf(error);
        this.answerError(xid, wire);
        if (wire.code === 'ConnectionLoss') this.close(closeWriteOutcomeUnknown, wire.message);
        // The commands numbered after a lost one are refused: the client must reconnect.
        else if (this.sequenceBroken) this.close(closeWriteOutcomeUnknown, 'a write was not handed on; reconnect');
      })
      .catch(this.broken)
      .finally(() => {
        this.pending--;
        this.pendingBytes -= frameBytes;
      });
  }

  // The chain must never stay rejected (every later request would be skipped): a failure while
  // answering a failure costs the connection.
  private readonly broken = (): void => {
    this.close(closeInternalError, 'internal error');
  };

  private startWrite(request: SessionWrite, sessionId: string): Promise<ApplyOutcome> {
    if (request.op !== 'closeSession') {
      const problem = commandProblem(request);
      // Refused before it is written: the node must not exist without the watch it asked for.
      const refusal =
        problem !== null
          ? new BadArgumentsError(problem.message)
          : request.op === 'create' && request.watchTurn === true && !this.takeTurnWatchSlot(request)
            ? new TooLargeError(this.watchLimitMessage())
            : null;
      if (refusal !== null) {
        const refused = Promise.reject(new NotHandedOnError(refusal));
        // Awaited in turn by finishWrite; until then (a whole event-loop turn) it must not count
        // as unhandled, which would stop the process.
        refused.catch(() => {});
        return refused;
      }
    }
    const time = Date.now();
    const owner = this.token;
    this.sequence++;
    const sequence = this.sequence;
    const command: ClientCommand =
      request.op === 'closeSession'
        ? { type: 'closeSession', sessionId, reason: 'closed', time, owner, sequence }
        : { ...commandOf(request, sessionId, time), owner, sequence };
    const outcome = this.host.writes.write(command);
    // Awaited in turn by finishWrite; until then a rejection must not count as unhandled.
    outcome.catch((error: unknown) => {
      if (!(error instanceof NotHandedOnError)) return;
      // Its number can be used again unless later commands already took the next ones.
      if (this.sequence === sequence) this.sequence--;
      else this.sequenceBroken = true;
    });
    return outcome;
  }

  /** Counts a create's turn watch against the limit from the moment the create is handed on. */
  private takeTurnWatchSlot(request: SessionWrite): boolean {
    const { watches, limits } = this.host;
    if (watches.countOf(this) + this.turnWatchesOnTheWay.size >= limits.watchesPerConnectionMax) return false;
    this.turnWatchesOnTheWay.add(request);
    return true;
  }

  private async finishWrite(request: SessionWrite, pending: Promise<ApplyOutcome>): Promise<void> {
    let outcome: ApplyOutcome;
    try {
      outcome = await pending;
    } finally {
      this.turnWatchesOnTheWay.delete(request);
    }
    const { machine } = this.host;
    const result = outcome.result;
    if (result.type === 'error' && (result.code === 'SessionExpired' || result.code === 'SessionMoved')) {
      this.answerError(request.xid, result);
      this.endSession(result.code);
      return;
    }
    if (request.op !== 'closeSession') {
      this.answer(answerOf(request, result, machine.appliedRevision));
      if (request.op === 'create' && request.watchTurn === true && result.type === 'create') {
        this.leaveTurnWatch(result.path, machine.appliedRevision);
      }
      // An earlier command of this connection was lost, so the state machine refused this one.
      if (result.type === 'error' && result.code === 'ConnectionLoss')
        this.close(closeWriteOutcomeUnknown, result.message);
      return;
    }
    if (result.type !== 'closeSession') {
      const message = result.type === 'error' ? result.message : `unexpected result ${result.type}`;
      this.answerError(request.xid, { code: result.type === 'error' ? result.code : 'Internal', message });
      this.close(closeWriteOutcomeUnknown, message);
      return;
    }
    this.answer({ type: 'closeSession', xid: request.xid, revision: machine.appliedRevision });
    if (this.sessionId !== null) this.host.unbind(this.sessionId, this);
    this.sessionId = null;
    this.close(1000, 'session closed');
  }

  private async handle(request: Request): Promise<void> {
    // Nothing queued behind a close may still reach Raft: its answer could never be sent.
    if (this.closed) return;
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
    const session = machine.session(sessionId);
    if (session === undefined || (session.owner !== null && session.owner !== this.token)) {
      const code = session === undefined ? 'SessionExpired' : 'SessionMoved';
      this.answerError(request.xid, { code, message: sessionEndMessages[code] });
      this.endSession(code);
      return;
    }
    const xid = request.xid;
    switch (request.op) {
      case 'ping':
        return this.answer({ type: 'pong', xid, revision: machine.appliedRevision });
      case 'create':
      case 'delete':
      case 'set':
      case 'multi':
      case 'closeSession':
        return this.finishWrite(request, this.startWrite(request, sessionId));
      case 'get':
      case 'exists':
      case 'children': {
        if (request.linearizable) await node.readIndex();
        const kind = oneShotKindOf(request);
        if (request.watch && this.overWatchLimit(request.path, kind)) return this.refuseWatch(xid, request.path);
        // Registering in the same synchronous step as the read: no change can fall between them.
        const answer = this.read(request);
        if (request.watch && answer.type !== 'error') this.watch(request.path, kind);
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
      case 'listMembers':
      case 'addLearner':
      case 'promote':
      case 'removeMember':
      case 'transferLeadership':
        return this.answer(await runAdmin(this.host.admin, request));
    }
  }

  // The session is gone from this connection: expired, or resumed on another connection.
  private endSession(code: 'SessionExpired' | 'SessionMoved'): void {
    if (code === 'SessionExpired') this.close(closeCodes.sessionExpired, sessionEndMessages[code]);
    else this.close(closeCodes.sessionMoved, sessionEndMessages[code]);
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

  private overWatchLimit(path: string, kind: WatchKind): boolean {
    const { watches, limits } = this.host;
    return !watches.has(this, path, kind) && watches.countOf(this) >= limits.watchesPerConnectionMax;
  }

  private refuseWatch(xid: number, path: string): void {
    this.answerError(xid, { code: 'TooLarge', message: this.watchLimitMessage(), path });
  }

  private watchLimitMessage(): string {
    return `over ${this.host.limits.watchesPerConnectionMax} watches on this connection`;
  }

  /**
   * Registers a watch; with `sinceRevision`, first replays, in the same synchronous step, every
   * event after that revision the watch would have seen (no gap, no duplicate), or tells the
   * client to re-read (`resyncNeeded`) when the window of recent changes no longer reaches back.
   */
  private async addWatch(request: AddWatchRequest): Promise<void> {
    const { machine, changes } = this.host;
    const { xid, path, kind, sinceRevision } = request;
    if (sinceRevision !== undefined) await this.host.waitApplied(sinceRevision);
    if (this.overWatchLimit(path, kind)) return this.refuseWatch(xid, path);
    const revision = machine.appliedRevision;
    if (kind === 'turn') return this.addTurnWatch(xid, path, revision);
    if (sinceRevision === undefined || sinceRevision >= revision) {
      this.watch(path, kind);
      return this.answer({ type: 'addWatch', xid, revision });
    }
    if (!changes.reaches(sinceRevision)) {
      this.watch(path, kind);
      this.answer({ type: 'addWatch', xid, revision });
      this.send({ type: 'watch', event: 'resyncNeeded', path, kind, revision });
      return;
    }
    const missed = changes.missed(path, kind, sinceRevision);
    // A one-shot watch that would have fired is spent: it fires now and is not registered.
    if (!(isOneShot(kind) && missed.length > 0)) this.watch(path, kind);
    this.answer({ type: 'addWatch', xid, revision });
    for (const change of missed) {
      const event: NodeWatchEvent = { type: 'watch', event: change.type, path: change.path, revision: change.revision };
      this.send(event);
    }
  }

  /**
   * A turn watch waits on a condition of the present state, so a re-registration needs no
   * replay: the node is gone (`NoNode`), its turn has come (fired right after the answer, so
   * nothing is registered), or it waits.
   */
  private addTurnWatch(xid: number, path: string, revision: number): void {
    const { machine } = this.host;
    const parent = parentOf(path);
    if (parent === null || sequenceOf(path) === null) {
      const message = 'a turn watch needs a node whose name ends in a sequence number';
      this.answerError(xid, { code: 'BadArguments', message, path });
    } else if (machine.get(path) === null) {
      this.answerError(xid, { code: 'NoNode', message: 'no node at this path', path });
    } else {
      this.answer({ type: 'addWatch', xid, revision });
      this.leaveTurnWatch(path, revision);
    }
  }

  /**
   * Right after the answer that registers a turn watch on the sequential node `path`: fires it
   * at once when its turn has come, else leaves it for the next deletion to decide. A create's
   * watch is registered once the create is applied here, and later changes may be applied by
   * then: when the node is already gone, its deletion was announced before the watch existed,
   * so the watch alone is told to re-read (`resyncNeeded`, as after a reconnect) rather than
   * every watch on the path being sent the deletion twice.
   */
  private leaveTurnWatch(path: string, revision: number): void {
    const { machine } = this.host;
    const parent = parentOf(path);
    if (parent === null || machine.get(path) === null) {
      this.send({ type: 'watch', event: 'resyncNeeded', path, kind: 'turn', revision });
    } else if (machine.turnHolder(parent) === basename(path)) {
      this.send({ type: 'watch', event: 'turn', path, revision });
    } else {
      this.watch(path, 'turn');
    }
  }

  private async connect(request: ConnectRequest): Promise<void> {
    const { machine } = this.host;
    await this.host.waitApplied(request.lastSeenRevision);
    // The member the client reached chooses id, secret and time; the command carries them.
    const sessionId = randomUUID();
    const secret = randomBytes(24).toString('base64url');
    const timeoutMs = this.host.grantTimeout(request.sessionTimeoutMs);
    const outcome = await this.host.writes.write({
      type: 'createSession',
      sessionId,
      secret,
      timeoutMs,
      time: Date.now(),
      owner: this.token,
    });
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
    const known = machine.session(request.sessionId);
    if (known === undefined || !sameSecret(known.secret, request.secret)) return this.refuseResume(request.xid);
    // Taking the session over goes through Raft, so every member refuses the old connection's
    // requests from then on (ZooKeeper's session move).
    const outcome = await this.host.writes.write({
      type: 'moveSession',
      sessionId: known.id,
      owner: this.token,
      time: Date.now(),
    });
    const session = machine.session(known.id);
    if (outcome.result.type !== 'moveSession' || session === undefined) return this.refuseResume(request.xid);
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

  private refuseResume(xid: number): void {
    this.answerError(xid, { code: 'SessionExpired', message: 'no such session (expired or never existed)' });
    this.close(closeCodes.sessionExpired, 'the session expired');
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

  private answerError(xid: number, error: WireError): void {
    this.answer(errorAnswer(xid, this.host.machine.appliedRevision, error));
  }

  private answer(message: ServerMessage): void {
    this.send(message);
  }

  /**
   * Holds this turn's frames back until its microtasks are done: an applied write releases
   * the reads queued behind it in one run of promise callbacks, and their answers then leave
   * in one system call instead of one each.
   */
  private hold(): void {
    if (this.stream === null || this.holding) return;
    this.holding = true;
    this.stream.cork();
    process.nextTick(() => this.release());
  }

  /** Sends the frames held back, if any. */
  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.stream?.uncork();
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
    this.hold();
    this.socket.send(frame);
    // Large answers gain nothing from waiting for company.
    if (this.socket.bufferedAmount > heldBytesMax) this.release();
    // A client that does not read its answers and events must not hold the member's memory.
    if (this.socket.bufferedAmount > this.host.limits.sendBufferBytesMax) {
      this.close(closeCodes.throttled, 'the client reads too slowly');
    }
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
  // ws hands fragmented messages over as a list of buffers.
  return Array.isArray(data) ? Buffer.concat(data) : data;
}

function truncate(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > closeReasonBytesMax) text = text.slice(0, -1);
  return text;
}
