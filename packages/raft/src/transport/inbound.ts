/**
 * The inbound side of one peer connection: authenticate the dialling peer, then decode its
 * frames and deliver the messages addressed from it to us. Anything malformed closes the
 * connection with a reason; nothing here may throw into `ws` or crash the process.
 */
import type WebSocket from 'ws';
import { decodeBatch } from '../codec/decode';
import { CodecError } from '../codec/errors';
import type { Message, NodeId } from '../core/types';
import { peerCloseCodes } from './close-codes';
import { type TransportContext, toBytes } from './context';
import {
  decodeAuth,
  encodeHello,
  encodeWelcome,
  handshakeFrameBytesMax,
  newNonce,
  proof,
  proofsEqual,
} from './handshake';
import { closeSocket } from './peer-link';

/** Hooks the transport gives each inbound connection. */
export interface InboundHooks {
  /** Called once the peer proved it knows the secret; false refuses it (too many connections). */
  readonly onAuthenticated: (peer: NodeId) => boolean;
  readonly onMessage: (message: Message) => void;
  /** Called when the connection closes, if the peer had authenticated. */
  readonly onClosed: (peer: NodeId) => void;
}

/** Runs the server side of the handshake on `socket`, then receives frames from it. */
export function acceptPeer(context: TransportContext, socket: WebSocket, remote: string, hooks: InboundHooks): void {
  const { logger, stats } = context;
  const serverNonce = newNonce();
  let peer: NodeId | null = null;
  let finished = false;

  const refuse = (code: number, reason: string, fields: Record<string, unknown> = {}): void => {
    if (finished) return;
    finished = true;
    logger.warn('closing inbound peer connection', { remote, peer, code, reason, ...fields });
    closeSocket(socket, code, reason);
  };

  const deadline = setTimeout(() => {
    stats.handshakesFailed++;
    refuse(peerCloseCodes.handshakeFailed, 'handshake timeout');
  }, context.handshakeTimeoutMs);
  deadline.unref();

  socket.on('error', (error) => logger.debug('inbound peer socket error', { remote, peer, error: error.message }));
  socket.on('close', () => {
    clearTimeout(deadline);
    if (peer !== null) hooks.onClosed(peer);
  });

  socket.on('message', (data, isBinary) => {
    if (finished) return;
    if (!isBinary) {
      if (peer === null) stats.handshakesFailed++;
      else stats.framesRejected++;
      return refuse(peerCloseCodes.unsupportedData, 'binary frames only');
    }
    const bytes = toBytes(data);
    if (peer === null) {
      // Before authentication only a small `auth` frame is acceptable; data is not even decoded.
      const auth = bytes.length <= handshakeFrameBytesMax ? decodeAuth(bytes) : null;
      if (auth === null) {
        stats.handshakesFailed++;
        return refuse(peerCloseCodes.handshakeFailed, 'expected auth');
      }
      if (auth.serverId !== context.id) {
        stats.handshakesFailed++;
        return refuse(peerCloseCodes.handshakeFailed, 'wrong member', { dialed: auth.serverId });
      }
      if (auth.clientId === context.id) {
        stats.handshakesFailed++;
        return refuse(peerCloseCodes.handshakeFailed, 'peer uses our id');
      }
      const input = { serverNonce, clientNonce: auth.clientNonce, clientId: auth.clientId, serverId: context.id };
      if (!proofsEqual(auth.proof, proof(context.secret, 'client', input))) {
        stats.handshakesFailed++;
        return refuse(peerCloseCodes.handshakeFailed, 'bad proof', { claimed: auth.clientId });
      }
      clearTimeout(deadline);
      if (!hooks.onAuthenticated(auth.clientId)) {
        return refuse(peerCloseCodes.tryAgainLater, 'too many peer connections');
      }
      peer = auth.clientId;
      stats.inboundConnections++;
      socket.send(encodeWelcome(proof(context.secret, 'server', input)), { binary: true });
      logger.info('peer connected', { remote, peer });
      return;
    }
    let messages: Message[];
    try {
      messages = decodeBatch(bytes, { frameBytesMax: context.frameBytesMax });
    } catch (error) {
      stats.framesRejected++;
      const reason = error instanceof CodecError ? error.reason : 'undecodable';
      return refuse(peerCloseCodes.protocolError, reason.slice(0, 100));
    }
    stats.framesReceived++;
    let misaddressed = 0;
    for (const message of messages) {
      if (message.from !== peer || message.to !== context.id) {
        misaddressed++;
        continue;
      }
      stats.messagesReceived++;
      try {
        hooks.onMessage(message);
      } catch (error) {
        // The receiver's failure is its own; the connection and the other messages go on.
        logger.error('onMessage threw', { peer, type: message.type, error: String(error) });
      }
    }
    if (misaddressed > 0) {
      stats.messagesRejected += misaddressed;
      logger.warn('dropped messages not from the authenticated peer or not to us', { peer, count: misaddressed });
    }
  });

  socket.send(encodeHello({ serverNonce, serverId: context.id }), { binary: true });
}
