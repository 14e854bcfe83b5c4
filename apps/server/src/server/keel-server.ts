/**
 * A Keel member: a RaftNode replicating the coordination state machine (durable log, peer
 * WebSocket transport) and a WebSocket endpoint for clients speaking `@keel/protocol`.
 *
 * First cut: writes reaching a follower are answered with `NotLeader` naming the leader
 * (forwarding over the peer link is later work), sessions are created on the leader only, and
 * admin operations answer `Unimplemented`. Watch events are sent from the apply path.
 */
import { closeCodes, frameBytesMax, TimeoutError } from '@keel/protocol';
import { DurableLog, type NodeId, RaftNode, type StateMachine, WsTransport } from '@keel/raft';
import { WebSocketServer } from 'ws';
import { encodeCommand } from '../state/commands';
import { CoordinationStateMachine } from '../state/coordination-state-machine';
import type { ApplyOutcome } from '../state/results';
import { ClientConnection, type ConnectionHost } from './client-connection';
import {
  defaultExpiryCheckMs,
  defaultSessionTimeoutMsMax,
  defaultSessionTimeoutMsMin,
  type KeelServerOptions,
  revisionWaitMsMax,
} from './options';
import { SessionLiveness } from './session-liveness';
import { WatchRegistry } from './watch-registry';

/** A running Keel member. */
export class KeelServer {
  private readonly connections = new Set<ClientConnection>();
  private readonly bySession = new Map<string, ClientConnection>();
  private stopPromise: Promise<void> | null = null;

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
  ) {}

  /** Opens the log, starts Raft and the peer transport, then listens for clients. */
  static async start(options: KeelServerOptions): Promise<KeelServer> {
    const machine = new CoordinationStateMachine();
    const watches = new WatchRegistry<ClientConnection>();
    const storage = await DurableLog.open(options.dataDir);
    const transport = new WsTransport({
      id: options.id,
      listen: options.peerListen ?? { host: '127.0.0.1', port: 0 },
      clusterSecret: options.clusterSecret,
    });
    const hasPeers = options.peers !== undefined && otherPeers(options.peers, options.id) > 0;
    const bootstrap = options.bootstrap ?? (hasPeers ? undefined : { voters: [options.id], learners: [] });
    const node = await RaftNode.start<ApplyOutcome>({
      id: options.id,
      storage,
      transport,
      stateMachine: watchedMachine(machine, watches),
      ...(options.peers === undefined ? {} : { peers: options.peers }),
      ...(bootstrap === undefined ? {} : { bootstrap }),
      ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
      ...(options.raft === undefined ? {} : { raft: options.raft }),
      ...(options.snapshotEveryEntries === undefined ? {} : { snapshotEveryEntries: options.snapshotEveryEntries }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    let wss: WebSocketServer;
    try {
      wss = await listen(options.clientListen.host, options.clientListen.port);
    } catch (error) {
      await node.stop();
      throw error;
    }
    let server: KeelServer | null = null;
    const liveness = new SessionLiveness(
      {
        isLeader: () => node.isLeader(),
        sessions: () => machine.listSessions(),
        expire: (sessionId) => server?.expire(sessionId) ?? Promise.resolve(),
      },
      options.expiryCheckMs ?? defaultExpiryCheckMs,
    );
    server = new KeelServer(options.id, node, machine, transport, wss, liveness, watches);
    server.serve(options);
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
    this.liveness.stop();
    for (const connection of this.connections) {
      connection.end('serverClosing', closeCodes.serverClosing, 'the member is stopping');
    }
    const closed = new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const client of this.wss.clients) client.terminate();
    await closed;
    await this.node.stop();
  }

  private serve(options: KeelServerOptions): void {
    const min = options.sessionTimeoutMsMin ?? defaultSessionTimeoutMsMin;
    const max = Math.max(min, options.sessionTimeoutMsMax ?? defaultSessionTimeoutMsMax);
    const host: ConnectionHost = {
      memberId: this.id,
      machine: this.machine,
      node: this.node,
      liveness: this.liveness,
      watches: this.watches,
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
    this.wss.on('connection', (socket) => {
      const connection = new ClientConnection(socket, host);
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
    });
    // A new leader cannot know when its predecessor last heard from each session.
    this.node.on('roleChange', ({ role }) => {
      if (role === 'leader') this.liveness.restartClocks();
    });
    this.liveness.start();
  }

  /** Proposes the expiry of a silent session, then closes its connection here, if any. */
  private async expire(sessionId: string): Promise<void> {
    await this.node.propose(encodeCommand({ type: 'closeSession', sessionId, reason: 'expired', time: Date.now() }));
    const connection = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    connection?.end('expired', closeCodes.sessionExpired, 'the session expired');
  }

  private waitApplied(revision: number): Promise<void> {
    if (this.machine.appliedRevision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onApplied = (): void => {
        if (this.machine.appliedRevision < revision) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`revision ${revision} not applied within ${revisionWaitMsMax} ms`));
      }, revisionWaitMsMax);
      const done = (): void => {
        clearTimeout(timer);
        this.node.off('applied', onApplied);
      };
      this.node.on('applied', onApplied);
    });
  }
}

/**
 * The state machine as Raft drives it, delivering each entry's change events to the watching
 * connections as it is applied: before the proposer's promise resolves and before any later
 * read, so every connection sees a watch event before an answer reflecting its change.
 */
function watchedMachine(
  machine: CoordinationStateMachine,
  watches: WatchRegistry<ClientConnection>,
): StateMachine<ApplyOutcome> {
  return {
    apply: (entry) => {
      const outcome = machine.apply(entry);
      watches.dispatch(outcome.changes, (connection, event) => connection.deliver(event));
      return outcome;
    },
    snapshot: () => machine.snapshot(),
    restore: (data) => machine.restore(data),
  };
}

function otherPeers(peers: NonNullable<KeelServerOptions['peers']>, self: NodeId): number {
  const ids = peers instanceof Map ? [...peers.keys()] : Object.keys(peers);
  return ids.filter((id) => id !== self).length;
}

function listen(host: string, port: number): Promise<WebSocketServer> {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host, port, maxPayload: frameBytesMax });
    wss.once('listening', () => resolve(wss));
    wss.once('error', reject);
  });
}
