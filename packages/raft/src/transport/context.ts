/**
 * What the parts of one transport share: its identity, secret, resolved limits, logger and
 * counters. Built once by `WsTransport`.
 */
import type { NodeId } from '../core/types';
import type { MutableStats, TransportLogger } from './options';

export interface TransportContext {
  readonly id: NodeId;
  readonly secret: Uint8Array;
  readonly logger: TransportLogger;
  readonly stats: MutableStats;
  readonly frameBytesMax: number;
  readonly bufferedBytesMax: number;
  readonly connectQueueMessagesMax: number;
  readonly handshakeTimeoutMs: number;
  readonly reconnectDelayMinMs: number;
  readonly reconnectDelayMaxMs: number;
  readonly random: () => number;
}

/** ws hands a message over as one Buffer, an ArrayBuffer or fragments, by `binaryType`. */
export function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
