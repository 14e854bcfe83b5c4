/**
 * `WsTransport`: the default peer transport. Every member listens with a `ws` server for
 * peers that dial it and dials each peer it sends to (see `peer-link.ts`), so each direction
 * of a pair has its own connection. Messages given to `send()` are grouped per peer and
 * written when the current callback is done (a microtask), as one frame per peer when limits
 * allow.
 */
import type { AddressInfo } from 'node:net';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { isValidNodeId } from '../codec/node-id';
import {
  peerBufferedBytesMax,
  peerConnectQueueMessagesMax,
  peerFrameBytesMax,
  peerHandshakeTimeoutMs,
  peerInboundConnectionsMax,
  peerPendingHandshakesMax,
  peerReconnectDelayMaxMs,
  peerReconnectDelayMinMs,
} from '../constants';
import type { Message, NodeId } from '../core/types';
import type { Transport } from '../runtime/interfaces';
import { peerCloseCodes } from './close-codes';
import type { TransportContext } from './context';
import { acceptPeer } from './inbound';
import { emptyStats, silentLogger, type WsTransportOptions, type WsTransportStats } from './options';
import { closeSocket, PeerLink } from './peer-link';

type Lifecycle = 'latent' | 'starting' | 'started' | 'closed';

function positive(value: number | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const resolved = value ?? fallback;
  if (!Number.isFinite(resolved) || resolved <= 0 || resolved > max) {
    throw new RangeError(`WsTransport: ${name} must be in (0, ${max}]`);
  }
  return resolved;
}

/** The WebSocket implementation of {@link Transport}. */
export class WsTransport implements Transport {
  private readonly context: TransportContext;
  private readonly listen: { readonly host: string; readonly port: number };
  private lifecycle: Lifecycle = 'latent';
  private server: WebSocketServer | null = null;
  private bound: { host: string; port: number } | null = null;
  private onMessage: (message: Message) => void = () => {};
  private onPeerGone: (peer: NodeId) => void = () => {};
  /** Open authenticated inbound connections per peer (a reconnect may overlap the old one). */
  private readonly inboundFrom = new Map<NodeId, number>();
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly addresses = new Map<NodeId, string>();
  private readonly dirty = new Set<PeerLink>();
  private flushScheduled = false;
  private readonly inbound = new Set<WebSocket>();
  private pendingHandshakes = 0;

  constructor(options: WsTransportOptions) {
    if (!isValidNodeId(options.id)) throw new RangeError(`WsTransport: invalid node id ${JSON.stringify(options.id)}`);
    const secret =
      typeof options.clusterSecret === 'string'
        ? new Uint8Array(Buffer.from(options.clusterSecret, 'utf8'))
        : Uint8Array.from(options.clusterSecret);
    if (secret.length === 0) throw new RangeError('WsTransport: clusterSecret must not be empty');
    const reconnectDelayMinMs = positive(options.reconnectDelayMinMs, peerReconnectDelayMinMs, 'reconnectDelayMinMs');
    const reconnectDelayMaxMs = positive(options.reconnectDelayMaxMs, peerReconnectDelayMaxMs, 'reconnectDelayMaxMs');
    if (reconnectDelayMaxMs < reconnectDelayMinMs) {
      throw new RangeError('WsTransport: reconnectDelayMaxMs must be >= reconnectDelayMinMs');
    }
    this.listen = options.listen;
    this.context = {
      id: options.id,
      secret,
      logger: options.logger ?? silentLogger,
      stats: emptyStats(),
      frameBytesMax: positive(options.frameBytesMax, peerFrameBytesMax, 'frameBytesMax', peerFrameBytesMax),
      bufferedBytesMax: positive(options.bufferedBytesMax, peerBufferedBytesMax, 'bufferedBytesMax'),
      connectQueueMessagesMax: positive(
        options.connectQueueMessagesMax,
        peerConnectQueueMessagesMax,
        'connectQueueMessagesMax',
      ),
      handshakeTimeoutMs: positive(options.handshakeTimeoutMs, peerHandshakeTimeoutMs, 'handshakeTimeoutMs'),
      reconnectDelayMinMs,
      reconnectDelayMaxMs,
      random: options.random ?? Math.random,
    };
  }

  /** This member's id. */
  get id(): NodeId {
    return this.context.id;
  }

  /** The address the server is bound to (the real port when `listen.port` was 0), after `start`. */
  get address(): { readonly host: string; readonly port: number } | null {
    return this.bound;
  }

  /** `ws://host:port` of this member, after `start`; what peers put in their address maps. */
  get url(): string | null {
    if (this.bound === null) return null;
    const host = this.bound.host.includes(':') ? `[${this.bound.host}]` : this.bound.host;
    return `ws://${host}:${this.bound.port}`;
  }

  /** A snapshot of the counters. */
  get stats(): WsTransportStats {
    return { ...this.context.stats };
  }

  async start(onMessage: (message: Message) => void, onPeerGone?: (peer: NodeId) => void): Promise<void> {
    if (this.lifecycle !== 'latent') throw new Error(`WsTransport: cannot start when ${this.lifecycle}`);
    this.lifecycle = 'starting';
    this.onMessage = onMessage;
    if (onPeerGone !== undefined) this.onPeerGone = onPeerGone;
    const server = new WebSocketServer({
      host: this.listen.host,
      port: this.listen.port,
      maxPayload: this.context.frameBytesMax,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', () => resolve());
        server.once('error', reject);
      });
    } catch (error) {
      this.lifecycle = 'closed';
      this.server = null;
      server.close();
      throw error;
    }
    server.on('error', (error) => this.context.logger.error('peer server error', { error: error.message }));
    server.on('wsClientError', (error, socket) => {
      this.context.logger.debug('bad upgrade request from a peer', { error: error.message });
      socket.destroy();
    });
    server.on('connection', (socket, request) => this.accept(socket, `${request.socket.remoteAddress}`));
    const address = server.address() as AddressInfo;
    this.bound = { host: address.address, port: address.port };
    this.lifecycle = 'started';
    this.context.logger.info('peer transport listening', { id: this.id, url: this.url });
  }

  send(messages: readonly Message[]): void {
    if (this.lifecycle === 'closed') {
      this.context.stats.messagesDropped += messages.length;
      return;
    }
    for (const message of messages) {
      const link = this.linkTo(message);
      if (link === null) {
        this.context.stats.messagesDropped++;
        continue;
      }
      link.push(message);
      this.dirty.add(link);
    }
    if (this.dirty.size > 0 && !this.flushScheduled) {
      // A microtask runs once the current callback is done: everything it sends (a whole Ready
      // cycle, or every Ready completed by one fsync) joins one frame per peer, and the frame
      // leaves at once. setImmediate would hold it for a whole event-loop iteration, and on a
      // busy member every hop of a write (forward, append, ack, commit) paid that delay.
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    for (const [peer, link] of this.links) {
      if (peers.get(peer) !== link.url) {
        this.links.delete(peer);
        this.dirty.delete(link);
        void link.close(peerCloseCodes.normal, 'peer removed');
      }
    }
    this.addresses.clear();
    for (const [peer, url] of peers) if (peer !== this.id) this.addresses.set(peer, url);
  }

  async close(): Promise<void> {
    if (this.lifecycle === 'closed') return;
    this.lifecycle = 'closed';
    this.dirty.clear();
    const closing: Promise<void>[] = [];
    for (const link of this.links.values()) closing.push(link.close(peerCloseCodes.goingAway, 'member closing'));
    this.links.clear();
    for (const socket of this.inbound) {
      closing.push(new Promise((resolve) => socket.once('close', () => resolve())));
      closeSocket(socket, peerCloseCodes.goingAway, 'member closing');
    }
    const server = this.server;
    this.server = null;
    if (server !== null) closing.push(new Promise((resolve) => server.close(() => resolve())));
    await Promise.all(closing);
    this.context.logger.info('peer transport closed', { id: this.id });
  }

  private linkTo(message: Message): PeerLink | null {
    if (message.from !== this.id || message.to === this.id) return null;
    const existing = this.links.get(message.to);
    if (existing !== undefined) return existing;
    const url = this.addresses.get(message.to);
    if (url === undefined) return null;
    const link = new PeerLink(this.context, message.to, url);
    this.links.set(message.to, link);
    return link;
  }

  private flush(): void {
    this.flushScheduled = false;
    const links = [...this.dirty];
    this.dirty.clear();
    for (const link of links) link.flush();
  }

  private accept(socket: WebSocket, remote: string): void {
    if (this.lifecycle !== 'started' || this.pendingHandshakes >= peerPendingHandshakesMax) {
      closeSocket(socket, peerCloseCodes.tryAgainLater, 'busy');
      return;
    }
    this.pendingHandshakes++;
    let counted = true;
    const settle = (): void => {
      if (counted) this.pendingHandshakes--;
      counted = false;
    };
    this.inbound.add(socket);
    socket.once('close', () => {
      settle();
      this.inbound.delete(socket);
    });
    acceptPeer(this.context, socket, remote, {
      onAuthenticated: (peer) => {
        settle();
        if (this.inbound.size > peerInboundConnectionsMax) return false;
        this.inboundFrom.set(peer, (this.inboundFrom.get(peer) ?? 0) + 1);
        return true;
      },
      onMessage: (message) => this.onMessage(message),
      onClosed: (peer) => {
        const open = (this.inboundFrom.get(peer) ?? 1) - 1;
        if (open > 0) {
          this.inboundFrom.set(peer, open);
          return;
        }
        this.inboundFrom.delete(peer);
        if (this.lifecycle === 'started') this.onPeerGone(peer);
      },
    });
  }
}
