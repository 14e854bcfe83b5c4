/**
 * The primitives of the binary snapshot format (`snapshot-format.ts`): `uint`, an unsigned
 * LEB128 varint of a safe integer; `string`, a `uint` byte length and UTF-8; `bytes`, a `uint`
 * length and the bytes.
 *
 * The writer fills fixed-size chunks rather than one growing buffer: a snapshot of a million
 * nodes is hundreds of megabytes, and regrowing would copy it over and over. The reader checks
 * every length against the end and throws {@link CorruptSnapshotError}.
 */
import { dataLength, type NodeData, readData, writeData } from './node-data';

/** A snapshot that cannot be decoded; the state it was meant to replace stays as it was. */
export class CorruptSnapshotError extends Error {
  readonly code = 'CORRUPT_SNAPSHOT';
  constructor(detail: string) {
    super(`corrupt snapshot: ${detail}`);
    this.name = 'CorruptSnapshotError';
  }
}

/** Bytes of a chunk, unless one field needs more. */
const chunkBytes = 256 * 1024;
/** Most bytes of a `uint` holding a safe integer (53 bits in 7-bit groups). */
export const uintBytesMax = 8;

/** Appends fields to a list of filled chunks; {@link take} hands the chunks written so far. */
export class SnapshotByteWriter {
  private chunk = Buffer.allocUnsafe(chunkBytes);
  private offset = 0;
  private readonly filled: Buffer[] = [];

  /**
   * Makes room for at least `bytes` more in the current chunk. Call before the fields of a row
   * (with an upper bound of their size): the field writers themselves do not check.
   */
  reserve(bytes: number): void {
    if (this.offset + bytes <= this.chunk.length) return;
    if (this.offset > 0) this.filled.push(this.chunk.subarray(0, this.offset));
    this.chunk = Buffer.allocUnsafe(Math.max(chunkBytes, bytes));
    this.offset = 0;
  }

  u8(value: number): void {
    this.chunk[this.offset++] = value;
  }

  uint(value: number): void {
    const chunk = this.chunk;
    let at = this.offset;
    let rest = value;
    // Division, not shifts: shifts truncate to 32 bits, and times and revisions exceed that.
    while (rest >= 0x80) {
      chunk[at++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    chunk[at++] = rest;
    this.offset = at;
  }

  /** At most {@link stringBytesBound} bytes. */
  string(value: string): void {
    // The length goes first but is known only once the bytes are written. Under 43 UTF-16
    // units a string is at most 126 bytes, a one-byte length; a longer one is written a whole
    // varint's width ahead and moved back behind its length.
    if (value.length < 43) {
      const length = this.chunk.write(value, this.offset + 1, 'utf8');
      this.chunk[this.offset] = length;
      this.offset += 1 + length;
      return;
    }
    const start = this.offset + uintBytesMax;
    const length = this.chunk.write(value, start, 'utf8');
    this.uint(length);
    this.chunk.copy(this.chunk, this.offset, start, start + length);
    this.offset += length;
  }

  /** A node's data, as `bytes`. */
  data(value: NodeData): void {
    const length = dataLength(value);
    this.uint(length);
    writeData(value, this.chunk, this.offset);
    this.offset += length;
  }

  /** Every byte written since the last call, as chunks in order. */
  take(): Buffer[] {
    if (this.offset > 0) {
      this.filled.push(this.chunk.subarray(0, this.offset));
      this.chunk = this.chunk.subarray(this.offset);
      this.offset = 0;
    }
    return this.filled.splice(0);
  }
}

/** An upper bound of the bytes {@link SnapshotByteWriter.string} writes for `value`. */
export function stringBytesBound(value: string): number {
  // Every UTF-16 unit is at most 3 UTF-8 bytes.
  return uintBytesMax + 3 * value.length;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads fields in order from the bytes of a snapshot, checking every bound. */
export class SnapshotByteReader {
  private offset: number;
  /** The same bytes, for Buffer's latin1 decoder. */
  private readonly buffer: Buffer;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.offset = start;
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** True once every byte was read. */
  get done(): boolean {
    return this.offset === this.bytes.length;
  }

  u8(what: string): number {
    if (this.offset >= this.bytes.length) throw new CorruptSnapshotError(`${what} runs past the end`);
    return this.bytes[this.offset++]!;
  }

  uint(what: string): number {
    const bytes = this.bytes;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < uintBytesMax; i++) {
      if (this.offset >= bytes.length) throw new CorruptSnapshotError(`${what} runs past the end`);
      const byte = bytes[this.offset++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) break;
        return value;
      }
      scale *= 0x80;
    }
    throw new CorruptSnapshotError(`${what} is not a count`);
  }

  string(what: string): string {
    const length = this.uint(`${what} length`);
    const start = this.offset;
    const end = this.take(length, what);
    const bytes = this.bytes;
    // Names are nearly always ASCII, which needs no UTF-8 check.
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return this.buffer.toString('latin1', start, end);
    try {
      return utf8.decode(bytes.subarray(start, end));
    } catch {
      throw new CorruptSnapshotError(`${what} is not UTF-8`);
    }
  }

  /** A node's data (`bytes`), copied: it must not keep the whole snapshot's buffer alive. */
  data(what: string): NodeData {
    const length = this.uint(`${what} length`);
    const start = this.offset;
    return readData(this.buffer, start, this.take(length, what));
  }

  private take(length: number, what: string): number {
    const end = this.offset + length;
    if (end > this.bytes.length) throw new CorruptSnapshotError(`${what} runs past the end`);
    this.offset = end;
    return end;
  }
}
