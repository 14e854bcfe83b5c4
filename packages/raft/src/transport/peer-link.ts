/**
 * The outbound side of one peer: a lazily opened, authenticated WebSocket used only to send
 * to that peer (replies come back on the peer's own outbound link).
 *
 * States: `idle` (no socket; the next message opens one) -> `connecting` (socket and
 * handshake in progress; a small bounded queue holds messages) -> `open` (messages go out in
 * one frame per flush) -> on failure `backoff` (messages are dropped: Raft retransmits) ->
 * `idle` again after a capped, jittered, exponentially growing delay. `closed` is final.
 */
import WebSocket from 'ws';
import { encodeFrames } from '../codec/encode';
import { peerCloseGraceMs } from '../constants';
import type { Message, NodeId } from '../core/types';
import { reconnectDelayMs } from './backoff';
import { peerCloseCodes } from './close-codes';
import { type TransportContext, toBytes } from './context';
import {
  decodeHello,
  decodeWelcome,
  encodeAuth,
  handshakeFrameBytesMax,
  newNonce,
  proof,
  proofsEqual,
} from './handshake';

type LinkState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

/**
 * A client's frames must be masked (RFC 6455 §5.3), which protects proxies from frames a
 * browser script chose; a link between members carries no such script, and `ws` skips the
 * XOR over every payload byte when the mask is zero.
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

export class PeerLink {
  readonly peer: NodeId;
  readonly url: string;
  private readonly context: TransportContext;
  private state: LinkState = 'idle';
  private socket: WebSocket | null = null;
  private pending: Message[] = [];
  /** Failed attempts since the last successful handshake. */
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private closedSocket: Promise<void> = Promise.resolve();

  constructor(context: TransportContext, peer: NodeId, url: string) {
    this.context = context;
    this.peer = peer;
    this.url = url;
  }

  /** Adds a message for the next flush, or drops it if the peer is known to be down. */
  push(message: Message): void {
    const { stats } = this.context;
    if (this.state === 'backoff' || this.state === 'closed') {
      stats.messagesDropped++;
      return;
    }
    if (this.state !== 'open' && this.pending.length >= this.context.connectQueueMessagesMax) {
      stats.messagesDropped++;
      return;
    }
    this.pending.push(message);
  }

  /** Sends what is pending (one frame, unless limits split it), or starts connecting. */
  flush(): void {
    if (this.pending.length === 0) return;
    if (this.state === 'idle') {
      this.connect();
      return;
    }
    const socket = this.socket;
    if (this.state !== 'open' || socket === null) return;
    const messages = this.pending;
    this.pending = [];
    const { stats, logger } = this.context;
    if (socket.readyState !== WebSocket.OPEN) {
      // Closing under us; its close event is about to move the link to backoff.
      stats.messagesDropped += messages.length;
      return;
    }
    const { frames, messageCounts, rejected } = encodeFrames(messages, { frameBytesMax: this.context.frameBytesMax });
    for (const { message, error } of rejected) {
      stats.messagesDropped++;
      logger.error('peer message cannot be encoded; dropped', {
        peer: this.peer,
        type: message.type,
        reason: error.reason,
      });
    }
    let sentMessages = messages.length - rejected.length;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      // Frames are never queued without bound: a peer that does not read loses messages.
      if (socket.bufferedAmount + frame.length > this.context.bufferedBytesMax) {
        stats.messagesDropped += sentMessages;
        logger.warn('peer socket is full; dropping frames', { peer: this.peer, buffered: socket.bufferedAmount });
        return;
      }
      const count = messageCounts[i]!;
      socket.send(frame, { binary: true });
      stats.framesSent++;
      stats.messagesSent += count;
      sentMessages -= count;
    }
  }

  /** Closes the link for good; resolves once its socket (if any) is closed. */
  close(code: number, reason: string): Promise<void> {
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.context.stats.messagesDropped += this.pending.length;
      this.pending = [];
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      if (this.socket !== null) closeSocket(this.socket, code, reason);
    }
    return this.closedSocket;
  }

  private connect(): void {
    const context = this.context;
    const logger = context.logger;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, {
        maxPayload: handshakeFrameBytesMax,
        perMessageDeflate: false,
        handshakeTimeout: context.handshakeTimeoutMs,
        generateMask: zeroMask,
      });
    } catch (error) {
      logger.error('bad peer address', { peer: this.peer, url: this.url, error: String(error) });
      this.fail();
      return;
    }
    this.state = 'connecting';
    this.socket = socket;
    this.closedSocket = new Promise((resolve) => socket.once('close', () => resolve()));
    const clientNonce = newNonce();
    let step: 'hello' | 'welcome' | 'done' = 'hello';
    let expectedServerProof: Uint8Array | null = null;
    const refuse = (reason: string): void => {
      if (step === 'done') return;
      context.stats.handshakesFailed++;
      logger.warn('peer handshake failed', { peer: this.peer, reason });
      step = 'done';
      closeSocket(socket, peerCloseCodes.handshakeFailed, reason);
    };
    const deadline = setTimeout(() => refuse('handshake timeout'), context.handshakeTimeoutMs);
    deadline.unref();

    socket.on('message', (data, isBinary) => {
      if (this.socket !== socket || (step === 'done' && this.state !== 'open')) return;
      if (!isBinary) return refuse('text frame');
      const bytes = toBytes(data);
      if (step === 'hello') {
        const hello = decodeHello(bytes);
        if (hello === null) return refuse('bad hello');
        if (hello.serverId !== this.peer) return refuse(`dialed ${this.peer} but reached ${hello.serverId}`);
        const input = { serverNonce: hello.serverNonce, clientNonce, clientId: context.id, serverId: this.peer };
        expectedServerProof = proof(context.secret, 'server', input);
        const auth = {
          clientNonce,
          clientId: context.id,
          serverId: this.peer,
          proof: proof(context.secret, 'client', input),
        };
        socket.send(encodeAuth(auth), { binary: true });
        step = 'welcome';
        return;
      }
      if (step === 'welcome') {
        const serverProof = decodeWelcome(bytes);
        if (serverProof === null || expectedServerProof === null || !proofsEqual(serverProof, expectedServerProof)) {
          return refuse('bad welcome');
        }
        clearTimeout(deadline);
        step = 'done';
        this.state = 'open';
        this.failures = 0;
        context.stats.outboundConnections++;
        logger.info('connected to peer', { peer: this.peer, url: this.url });
        this.flush();
        return;
      }
      // The server never sends data on our outbound link.
      context.stats.framesRejected++;
      logger.warn('peer sent data on our outbound link', { peer: this.peer });
      closeSocket(socket, peerCloseCodes.protocolError, 'unexpected frame');
    });
    socket.on('error', (error) => {
      logger.debug('peer socket error', { peer: this.peer, error: error.message });
    });
    socket.on('close', (code, reason) => {
      clearTimeout(deadline);
      if (this.socket !== socket) return;
      this.socket = null;
      if (code === peerCloseCodes.handshakeFailed && step !== 'done') {
        context.stats.handshakesFailed++;
        logger.warn('peer refused our handshake', { peer: this.peer, reason: reason.toString() });
      } else {
        logger.debug('peer connection closed', { peer: this.peer, code, reason: reason.toString() });
      }
      this.fail();
    });
  }

  /** The connection failed or ended: drop what waited and back off before the next attempt. */
  private fail(): void {
    if (this.state === 'closed') return;
    this.context.stats.messagesDropped += this.pending.length;
    this.pending = [];
    this.failures++;
    this.state = 'backoff';
    const { reconnectDelayMinMs, reconnectDelayMaxMs, random } = this.context;
    const delay = reconnectDelayMs(this.failures, reconnectDelayMinMs, reconnectDelayMaxMs, random);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.state === 'backoff') this.state = 'idle';
    }, delay);
    this.timer.unref();
  }
}

/** Starts a clean close; a socket that does not finish it in time is terminated. */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  if (socket.readyState === WebSocket.CONNECTING) {
    // close() on a connecting socket aborts the HTTP request, which is what we want here.
    socket.terminate();
    return;
  }
  socket.close(code, reason);
  const timer = setTimeout(() => socket.terminate(), peerCloseGraceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
