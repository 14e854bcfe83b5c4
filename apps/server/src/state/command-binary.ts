/**
 * The binary layout of the commands every client write turns into (create, set, delete): the
 * hot path of the log. Each is encoded once on the member that takes the request and decoded
 * on every member at apply; JSON with base64 data cost a JSON parse, a base64 decode and a
 * canonical-base64 check per entry per member. The other commands stay JSON (rare, and a
 * multi's operations are a tree).
 *
 * Layout (integers little-endian): `0x02` (the format tag; a JSON command starts with `{`),
 * type (1 create, 2 set, 3 delete), a flags byte saying which optional fields follow, `time`
 * (float64, an integer), then in this order when flagged: `sessionId`, `requestId`, `owner`
 * (strings), `sequence` (float64); then `path` (string); then per type: create: mode (uint8,
 * see {@link binaryModes}), `ttlMs` (float64, flagged), data; set: `expectedVersion` (int32,
 * flagged), data; delete: `expectedVersion` (int32, flagged). A string is a uint16 byte
 * length and UTF-8; data is a uint32 byte length and the bytes. Nothing may follow.
 *
 * This module only lays bytes out and reads them back; `commands.ts` validates every field,
 * as it does for JSON.
 */
import type { CreateMode } from '@keel/protocol';

/** First byte of a binary command. */
export const binaryCommandTag = 0x02;

/** Create modes by their byte in the binary layout. Append only: logs on disk hold these numbers. */
export const binaryModes: readonly CreateMode[] = [
  'persistent',
  'ephemeral',
  'persistent_sequential',
  'ephemeral_sequential',
  'container',
  'persistent_ttl',
  'persistent_sequential_ttl',
];

/** Command types by their byte. */
export const binaryTypes = { create: 1, set: 2, delete: 3 } as const;

/** Which optional fields are present. */
export const binaryFlags = {
  sessionId: 1,
  requestId: 2,
  owner: 4,
  sequence: 8,
  expectedVersion: 16,
  ttlMs: 32,
} as const;

/** Longest string the layout can hold (uint16 length). */
export const binaryStringBytesMax = 0xffff;

/** Writes a binary command into a buffer sized exactly beforehand. */
export class BinaryCommandWriter {
  private readonly buffer: Buffer;
  private offset = 0;

  constructor(bytes: number) {
    this.buffer = Buffer.allocUnsafe(bytes);
  }

  /** Bytes `value` takes as a string field. */
  static stringBytes(value: string): number {
    return 2 + Buffer.byteLength(value, 'utf8');
  }

  u8(value: number): void {
    this.buffer[this.offset] = value;
    this.offset += 1;
  }

  i32(value: number): void {
    this.buffer.writeInt32LE(value, this.offset);
    this.offset += 4;
  }

  f64(value: number): void {
    this.buffer.writeDoubleLE(value, this.offset);
    this.offset += 8;
  }

  string(value: string): void {
    const length = this.buffer.write(value, this.offset + 2, 'utf8');
    this.buffer.writeUInt16LE(length, this.offset);
    this.offset += 2 + length;
  }

  bytes(value: Uint8Array): void {
    this.buffer.writeUInt32LE(value.byteLength, this.offset);
    this.buffer.set(value, this.offset + 4);
    this.offset += 4 + value.byteLength;
  }

  /** The encoded command; asserts that the size computed beforehand was exact. */
  finish(): Uint8Array {
    if (this.offset !== this.buffer.length) {
      throw new Error(`binary command: wrote ${this.offset} bytes into ${this.buffer.length}`);
    }
    return new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }
}

/** Thrown by {@link BinaryCommandReader} when a field runs past the end or is not UTF-8. */
export class TruncatedCommandError extends Error {
  constructor(what: string) {
    super(`binary command: ${what}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the fields of a binary command in order. */
export class BinaryCommandReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(private readonly payload: Uint8Array) {
    this.view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  }

  /** True once every byte was read. */
  get done(): boolean {
    return this.offset === this.payload.byteLength;
  }

  u8(): number {
    this.need(1, 'byte');
    const value = this.view.getUint8(this.offset);
    this.offset += 1;
    return value;
  }

  i32(): number {
    this.need(4, 'int32');
    const value = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f64(): number {
    this.need(8, 'float64');
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  string(): string {
    this.need(2, 'string length');
    const length = this.view.getUint16(this.offset, true);
    this.offset += 2;
    this.need(length, 'string');
    const start = this.offset;
    this.offset += length;
    try {
      return utf8.decode(this.payload.subarray(start, start + length));
    } catch {
      throw new TruncatedCommandError('string is not UTF-8');
    }
  }

  /**
   * A view of the payload, not a copy: what keeps node data copies it (the tree holds its own,
   * `node-data.ts`), so a decoded command costs no allocation for its data, and no entry's (or
   * peer frame's) buffer is kept alive by a node.
   */
  bytes(): Uint8Array {
    this.need(4, 'data length');
    const length = this.view.getUint32(this.offset, true);
    this.offset += 4;
    this.need(length, 'data');
    const view = this.payload.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  private need(bytes: number, what: string): void {
    if (this.offset + bytes > this.payload.byteLength) throw new TruncatedCommandError(`${what} runs past the end`);
  }
}
