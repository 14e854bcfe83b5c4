/**
 * The floor's wire: WebSocket connections on loopback carrying one byte of kind, then a 32-bit
 * number (an entry index or a client's sequence number). Just enough to move a write through
 * three processes; nothing is checked.
 */
import WebSocket from 'ws';

/** What a floor message is. */
export const FloorKind = {
  /** Client to leader: [kind][u32 sequence][u8 hands the lock over][payload]. */
  write: 1,
  /** Leader to follower: [kind][u32 index][the client's write]. */
  append: 2,
  /** Follower to leader, once the append is durable: [kind][u32 index]. */
  ack: 3,
  /** Leader to follower once an index is committed: [kind][u32 index]. */
  commit: 4,
  /** Leader to client: [kind][u32 sequence]. */
  answer: 5,
  /** Leader to every other client when a hand-over write is committed: [kind]. */
  turn: 6,
  /** Runner to member: [kind]; the member answers [kind][f64 CPU microseconds used so far]. */
  cpu: 7,
} as const;

/** A floor write is this long, about a Keel create of a 100-byte node. */
export const floorWriteBytes = 150;

/** A `[kind][u32]` message. */
export function numbered(kind: number, value: number): Buffer {
  const message = Buffer.allocUnsafe(5);
  message[0] = kind;
  message.writeUInt32LE(value >>> 0, 1);
  return message;
}

/** A client's write of {@link floorWriteBytes}; `handOver` makes the leader send a turn to the other clients. */
export function floorWrite(sequence: number, handOver: boolean): Buffer {
  const message = Buffer.alloc(floorWriteBytes, 7);
  message[0] = FloorKind.write;
  message.writeUInt32LE(sequence >>> 0, 1);
  message[5] = handOver ? 1 : 0;
  return message;
}

/** Opens a WebSocket to a floor process on 127.0.0.1. */
export function connectFloor(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}
