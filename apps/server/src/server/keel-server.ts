/**
 * A Keel member: a RaftNode replicating the coordination state machine (durable log, peer
 * WebSocket transport) and a WebSocket endpoint for clients speaking `@keel/protocol`.
 *
 * Any member serves any client: writes and new sessions are handed to the leader through Raft
 * and answered once applied here (`WritePath`); reads are served locally or through ReadIndex.
 * Watch events are sent from the apply path, and recent changes are kept for watch resumption.
 */
import type { IncomingMessage } from 'node:http';
import { closeCodes, defaultLimits, type ProtocolLimits, type WireError } from '@keel/protocol';
import { DurableLog, defaultRaftConfig, type NodeId, RaftNode, type StateMachine, WsTransport } from '@keel/raft';
import { WebSocketServer } from 'ws';
import { commandBytesMax } from '../constants';
import { encodeCommand } from '../state/commands';
import { CoordinationStateMachine } from '../state/coordination-state-machine';
import type { ApplyOutcome } from '../state/results';
import { ChangeWindow } from './change-window';
import { ClientConnection, type ConnectionHost, type ConnectionLimits } from './client-connection';
import { MemberTimers } from './leader-timers';
import {
  defaultChangeWindowEventsMax,
  defaultChangeWindowRevisions,
  defaultDataBytesMax,
  defaultExpiryCheckMs,
  defaultPendingRequestBytesMax,
  defaultPendingRequestsMax,
  defaultRequestBytesMax,
  defaultSendBufferBytesMax,
  defaultSessionsPerAddressMax,
  defaultSessionTimeoutMsMax,
  defaultSessionTimeoutMsMin,
  defaultSnapshotEveryEntries,
  defaultTickMs,
  defaultTtlCheckMs,
  defaultWatchesPerConnectionMax,
  defaultWriteTimeoutMs,
  type KeelServerOptions,
  revisionWaitMsMax,
} from './options';
import { ReportRoundTrip } from './report-round-trip';
import { RevisionWaiters } from './revision-waiters';
import { SessionLiveness } from './session-liveness';
import { transportLoggerOf } from './transport-logger';
import { WatchRegistry } from './watch-registry';
import { handOff, WritePath } from './write-path';

/** A running Keel member. */
export class KeelServer {
  private readonly connections = new Set<ClientConnection>();
  private readonly bySession = new Map<string, ClientConnection>();
  private readonly byAddress = new Map<string, number>();
  private readonly revisionWaiters = new RevisionWaiters(() => this.machine.appliedRevision, revisionWaitMsMax);
  private stopPromise: Promise<void> | null = null;
  private leaderlessTimer: NodeJS.Timeout | null = null;

  private constructor(
    /** This member's id. */
    readonly id: NodeId,
    /** The Raft runtime of this member. */
    readonly node: RaftNode<ApplyOutcome>,
    /** The replicated coordination state of this member. */
    readonly machine: CoordinationStateMachine,
    private readonly transport: WsTransport,
    private readonly wss: WebSocketServer,
    private readonly liveness: SessionLiveness,
    private readonly watches: WatchRegistry<ClientConnection>,
    /** This member's window of recent changes (for watch resumption). */
    readonly changes: ChangeWindow,
    private readonly writes: WritePath,
    private readonly timers: MemberTimers,
    private readonly reports: ReportRoundTrip,
  ) {}

  /** Opens the log, starts Raft and the peer transport, then listens for clients. */
  static async start(options: KeelServerOptions): Promise<KeelServer> {
    const limits = resolveLimits(options);
    const machine = new CoordinationStateMachine();
    const watches = new WatchRegistry<ClientConnection>((parent) => machine.turnHolder(parent));
    const changes = new ChangeWindow(
      options.changeWindowRevisions ?? defaultChangeWindowRevisions,
      options.changeWindowEventsMax ?? defaultChangeWindowEventsMax,
    );
    const storage = await DurableLog.open(options.dataDir);
    const transport = new WsTransport({
      id: options.id,
      listen: options.peerListen ?? { host: '127.0.0.1', port: 0 },
      clusterSecret: options.clusterSecret,
      ...(options.logger === undefined ? {} : { logger: transportLoggerOf(options.logger) }),
    });
    const hasPeers = options.peers !== undefined && otherPeers(options.peers, options.id) > 0;
    const bootstrap = options.bootstrap ?? (hasPeers ? undefined : { voters: [options.id], learners: [] });
    // The apply path needs the member's parts, which need the node: they are bound once it exists.
    let server: KeelServer | null = null;
    const node = await RaftNode.start<ApplyOutcome>({
      id: options.id,
      storage,
      transport,
      stateMachine: watchedMachine(machine, watches, changes, () => server),
      ...(options.peers === undefined ? {} : { peers: options.peers }),
      ...(bootstrap === undefined ? {} : { bootstrap }),
      tickMs: options.tickMs ?? defaultTickMs,
      // One command must fit one entry: the largest request, base64 inside JSON, is over 1 MiB.
      raft: { maxAppendBytes: commandBytesMax, ...options.raft },
      snapshotEveryEntries: options.snapshotEveryEntries ?? defaultSnapshotEveryEntries,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    let wss: WebSocketServer;
    try {
      wss = await listen(options.clientListen.host, options.clientListen.port, limits.protocol.frameBytesMax);
    } catch (error) {
      await node.stop();
      throw error;
    }
    const liveness = new SessionLiveness(
      {
        isLeader: () => node.isLeader(),
        sessions: () => machine.listSessions(),
        expire: (sessionId) => server?.expire(sessionId) ?? Promise.resolve(),
      },
      options.expiryCheckMs ?? defaultExpiryCheckMs,
    );
    const writes = new WritePath(node, options.id, options.writeTimeoutMs ?? defaultWriteTimeoutMs);
    const sessionTimeoutMsMin = options.sessionTimeoutMsMin ?? defaultSessionTimeoutMsMin;
    const reports = new ReportRoundTrip(
      {
        isLeader: () => node.isLeader(),
        hasSession: (sessionId) => machine.session(sessionId) !== undefined,
        submit: (data) => handOff(node, data),
        cutOff: (reason) => server?.closeClients(`${reason}; reconnect to another member`),
      },
      options.reportRoundTripMs ?? reportRoundTripMsDefault(options, sessionTimeoutMsMin),
    );
    const timers = new MemberTimers(
      { node, machine, liveness, reportSessions: (sessionIds) => reports.report(sessionIds) },
      options.ttlCheckMs ?? defaultTtlCheckMs,
      options.sessionReportMs ?? Math.max(1, Math.floor(sessionTimeoutMsMin / 3)),
    );
    server = new KeelServer(
      options.id,
      node,
      machine,
      transport,
      wss,
      liveness,
      watches,
      changes,
      writes,
      timers,
      reports,
    );
    server.serve(options, limits);
    return server;
  }

  /** `ws://host:port` where clients connect. */
  get clientUrl(): string {
    const address = this.wss.address();
    if (address === null) throw new Error('the client endpoint is not listening');
    if (typeof address === 'string') return address;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${address.port}`;
  }

  /** How many watches this member's connections hold. */
  get watchCount(): number {
    return this.watches.size;
  }

  /** `ws://host:port` where peers connect. */
  get peerUrl(): string {
    const url = this.transport.url;
    if (url === null) throw new Error('the peer transport is not listening');
    return url;
  }

  /**
   * Tells every client the member is closing, stops accepting clients, then stops Raft (which
   * makes the log durable and closes it). Sessions live on. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  private async shutdown(): Promise<void> {
    if (this.leaderlessTimer !== null) clearTimeout(this.leaderlessTimer);
    this.liveness.stop();
    this.timers.stop();
    this.reports.stop();
    for (const connection of this.connections) {
      connection.end('serverClosing', closeCodes.serverClosing, 'the member is stopping');
    }
    const closed = new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const client of this.wss.clients) client.terminate();
    await closed;
    await this.node.stop();
    this.writes.failAll('the member stopped');
  }

  private serve(options: KeelServerOptions, limits: ResolvedLimits): void {
    const min = options.sessionTimeoutMsMin ?? defaultSessionTimeoutMsMin;
    const max = Math.max(min, options.sessionTimeoutMsMax ?? defaultSessionTimeoutMsMax);
    const host: ConnectionHost = {
      memberId: this.id,
      machine: this.machine,
      node: this.node,
      liveness: this.liveness,
      watches: this.watches,
      changes: this.changes,
      writes: this.writes,
      // The address the member was given for itself is what others dial (the listening one may be 0.0.0.0).
      admin: {
        node: this.node,
        peerUrl: ownAddress(options.peers, this.id) ?? this.peerUrl,
        revision: () => this.machine.appliedRevision,
      },
      limits,
      grantTimeout: (requested) => Math.min(max, Math.max(min, requested)),
      waitApplied: (revision) => this.waitApplied(revision),
      bind: (sessionId, connection) => {
        const previous = this.bySession.get(sessionId);
        this.bySession.set(sessionId, connection);
        return previous;
      },
      unbind: (sessionId, connection) => {
        if (this.bySession.get(sessionId) === connection) this.bySession.delete(sessionId);
      },
    };
    this.wss.on('connection', (socket, request: IncomingMessage) => {
      const address = request.socket.remoteAddress ?? 'unknown';
      const count = (this.byAddress.get(address) ?? 0) + 1;
      this.byAddress.set(address, count);
      const refusal: WireError | null =
        count > limits.sessionsPerAddressMax
          ? { code: 'Throttled', message: `over ${limits.sessionsPerAddressMax} connections from ${address}` }
          : null;
      const connection = new ClientConnection(socket, host, refusal, request.socket);
      this.connections.add(connection);
      socket.on('close', () => {
        this.connections.delete(connection);
        const left = (this.byAddress.get(address) ?? 1) - 1;
        if (left <= 0) this.byAddress.delete(address);
        else this.byAddress.set(address, left);
      });
    });
    // A new leader cannot know when its predecessor last heard from each session.
    this.node.on('roleChange', ({ role }) => {
      if (role === 'leader') this.liveness.restartClocks();
    });
    this.node.on('leaderChange', ({ leader }) => {
      this.writes.failAll('the leader changed');
      this.reports.reset();
      this.noteLeader(leader, options.leaderlessCloseMs ?? Math.floor(min / 4));
    });
    this.node.on('applied', () => this.revisionWaiters.release());
    this.liveness.start();
    this.timers.start();
    this.reports.start();
  }

  /**
   * A member cut off from the leader must not keep its clients content while the leader, hearing
   * nothing of them, expires their sessions (ZooKeeper's followers drop their clients when they
   * lose the leader). After `graceMs` without a leader every client connection is closed with
   * `serverClosing`, so the clients fail over to the majority within their session timeout; a
   * normal election, shorter than the grace, closes nothing.
   */
  private noteLeader(leader: NodeId | null, graceMs: number): void {
    if (leader !== null) {
      if (this.leaderlessTimer !== null) clearTimeout(this.leaderlessTimer);
      this.leaderlessTimer = null;
      return;
    }
    if (this.leaderlessTimer !== null) return;
    this.leaderlessTimer = setTimeout(() => {
      this.leaderlessTimer = null;
      if (this.node.leaderInfo().leader !== null) return;
      this.closeClients('this member lost the leader; reconnect to another');
    }, graceMs);
    this.leaderlessTimer.unref();
  }

  /** Closes every client connection with `serverClosing`, so the clients fail over to another member. */
  private closeClients(reason: string): void {
    for (const connection of this.connections) connection.end('serverClosing', closeCodes.serverClosing, reason);
  }

  /** Called on the apply path: a follower reported sessions it heard from. */
  private touched(sessionIds: readonly string[]): void {
    if (!this.node.isLeader()) return;
    for (const sessionId of sessionIds) this.liveness.touch(sessionId);
  }

  /** @internal The apply path's hook, for each applied entry. */
  applied(outcome: ApplyOutcome): void {
    const { result } = outcome;
    if (result.type === 'touchSessions') {
      this.touched(result.sessionIds);
      this.reports.applied(result.sessionIds);
    }
    // Every member ends its own connection of an expired session, wherever the client is.
    if (result.type === 'closeSession' && result.reason === 'expired') this.endExpired(result.sessionId);
    // The client resumed its session on another connection: this member's old one ends.
    if (result.type === 'moveSession') this.endMoved(result.sessionId, result.owner);
    this.writes.applied(outcome);
  }

  private endMoved(sessionId: string, owner: string): void {
    const connection = this.bySession.get(sessionId);
    if (connection === undefined || connection.token === owner) return;
    this.bySession.delete(sessionId);
    connection.end('moved', closeCodes.sessionMoved, 'the session was resumed on another connection');
  }

  private endExpired(sessionId: string): void {
    const connection = this.bySession.get(sessionId);
    if (connection === undefined) return;
    this.bySession.delete(sessionId);
    connection.end('expired', closeCodes.sessionExpired, 'the session expired');
  }

  /** @internal The apply path's hook after a snapshot replaced the state. */
  restored(): void {
    this.writes.restored(this.machine);
    // The reports the snapshot covers are never applied here one by one.
    this.reports.reset();
    // The snapshot may have skipped over the expiry or the move of a session served here.
    for (const [sessionId, connection] of [...this.bySession]) {
      const session = this.machine.session(sessionId);
      if (session === undefined) this.endExpired(sessionId);
      else if (session.owner !== null && session.owner !== connection.token) this.endMoved(sessionId, session.owner);
    }
  }

  /** Proposes the expiry of a silent session (its connection, if any, ends when it applies). */
  private async expire(sessionId: string): Promise<void> {
    await this.node.propose(encodeCommand({ type: 'closeSession', sessionId, reason: 'expired', time: Date.now() }));
  }

  private waitApplied(revision: number): Promise<void> {
    return this.revisionWaiters.wait(revision);
  }
}

/**
 * A third of the shortest session timeout, but never under an election timeout: a report's
 * round trip takes a few heartbeats, and a busy member must not drop its clients for that.
 */
function reportRoundTripMsDefault(options: KeelServerOptions, sessionTimeoutMsMin: number): number {
  const electionTimeoutMs =
    (options.tickMs ?? defaultTickMs) * (options.raft?.electionTicks ?? defaultRaftConfig.electionTicks);
  return Math.max(Math.floor(sessionTimeoutMsMin / 3), electionTimeoutMs);
}

/**
 * The state machine as Raft drives it. After each entry: the change is recorded in the window,
 * its events are delivered to the watching connections, and the member's own waiting write is
 * resolved, all before the proposer's promise resolves and before any later read, so every
 * connection sees a watch event before an answer reflecting its change.
 */
function watchedMachine(
  machine: CoordinationStateMachine,
  watches: WatchRegistry<ClientConnection>,
  changes: ChangeWindow,
  member: () => KeelServer | null,
): StateMachine<ApplyOutcome> {
  return {
    apply: (entry) => {
      const outcome = machine.apply(entry);
      changes.record(outcome.revision, outcome.changes);
      watches.dispatch(outcome.changes, (connection, event) => connection.deliver(event));
      const server = member();
      if (server !== null) server.applied(outcome);
      return outcome;
    },
    snapshot: () => machine.snapshot(),
    restore: (data) => {
      machine.restore(data);
      // The changes between the old state and the snapshot's are unknown here: every watcher
      // must re-read. Persistent watches continue from the snapshot's revision; one-shot ones
      // fire with resyncNeeded and are gone (a ZooKeeper client re-reads on any event).
      const revision = machine.appliedRevision;
      changes.reset(revision);
      watches.invalidateAll((connection, path, kind) =>
        connection.deliver({ type: 'watch', event: 'resyncNeeded', path, kind, revision }),
      );
      member()?.restored();
    },
  };
}

/** The limits a member enforces, with defaults applied and checked. */
interface ResolvedLimits extends ConnectionLimits {
  readonly sessionsPerAddressMax: number;
}

function resolveLimits(options: KeelServerOptions): ResolvedLimits {
  const dataBytesMax = options.dataBytesMax ?? defaultDataBytesMax;
  const requestBytesMax = options.requestBytesMax ?? defaultRequestBytesMax;
  // The state machine checks the protocol's limits on every member alike; a member may only tighten them.
  positive('dataBytesMax', dataBytesMax, defaultDataBytesMax);
  positive('requestBytesMax', requestBytesMax, defaultRequestBytesMax);
  if (requestBytesMax < dataBytesMax + defaultLimits.pathBytesMax + 1024) {
    throw new RangeError(`requestBytesMax (${requestBytesMax}) must leave room for dataBytesMax (${dataBytesMax})`);
  }
  const protocol: ProtocolLimits = { ...defaultLimits, frameBytesMax: requestBytesMax, dataBytesMax };
  const limits: ResolvedLimits = {
    protocol,
    pendingRequestsMax: options.pendingRequestsMax ?? defaultPendingRequestsMax,
    pendingRequestBytesMax: options.pendingRequestBytesMax ?? defaultPendingRequestBytesMax,
    sendBufferBytesMax: options.sendBufferBytesMax ?? defaultSendBufferBytesMax,
    watchesPerConnectionMax: options.watchesPerConnectionMax ?? defaultWatchesPerConnectionMax,
    sessionsPerAddressMax: options.sessionsPerAddressMax ?? defaultSessionsPerAddressMax,
  };
  positive('pendingRequestsMax', limits.pendingRequestsMax, Number.MAX_SAFE_INTEGER);
  positive('pendingRequestBytesMax', limits.pendingRequestBytesMax, Number.MAX_SAFE_INTEGER);
  positive('sendBufferBytesMax', limits.sendBufferBytesMax, Number.MAX_SAFE_INTEGER);
  // A request of the largest size must be admissible, or it could never be sent.
  if (limits.pendingRequestBytesMax < requestBytesMax) {
    throw new RangeError(`pendingRequestBytesMax (${limits.pendingRequestBytesMax}) must be at least requestBytesMax`);
  }
  positive('watchesPerConnectionMax', limits.watchesPerConnectionMax, Number.MAX_SAFE_INTEGER);
  positive('sessionsPerAddressMax', limits.sessionsPerAddressMax, Number.MAX_SAFE_INTEGER);
  return limits;
}

function positive(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer in [1, ${max}], got ${value}`);
  }
}

function ownAddress(peers: KeelServerOptions['peers'], self: NodeId): string | undefined {
  if (peers === undefined) return undefined;
  return peers instanceof Map ? peers.get(self) : (peers as Readonly<Record<NodeId, string>>)[self];
}

function otherPeers(peers: NonNullable<KeelServerOptions['peers']>, self: NodeId): number {
  const ids = peers instanceof Map ? [...peers.keys()] : Object.keys(peers);
  return ids.filter((id) => id !== self).length;
}

function listen(host: string, port: number, maxPayload: number): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host, port, maxPayload });
    wss.once('listening', () => resolve(wss));
    wss.once('error', reject);
  });
}
