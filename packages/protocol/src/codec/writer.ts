/**
 * Appends the primitive fields of the binary format to a growing buffer.
 *
 * Primitives: `u8`; `uint`, an unsigned LEB128 varint of a safe integer (at most 8 bytes);
 * `bool`, one byte 0 or 1; `bytes`, a uint length then the bytes; `string`, UTF-8 `bytes`.
 * Every method checks its value and limit and throws a typed Keel error (BadArguments or
 * TooLarge) on a bad one, so an encoder never produces a frame the decoder would refuse.
 */
import type { ProtocolLimits } from '../constants';
import { BadArgumentsError, TooLargeError } from '../errors';
import { validatePath } from '../paths';
import { encodeUtf8, isWellFormed } from '../utf8';

/**
 * Writers borrow a scratch buffer and hand it back at `finish()`, which copies the frame out.
 * A buffer of its own per frame, grown by doubling from 256 bytes, cost every answer an
 * allocation outside the heap and every 5 KB child list five more and their copies. A writer
 * that throws keeps its scratch (it is garbage). A child block is written by a second writer
 * while the frame's is open, so the pool is a stack, not one buffer.
 */
const scratchPool: Uint8Array[] = [];
const scratchBytes = 16 * 1024;
/** Larger scratch buffers (a frame grew them) are not kept. */
const scratchBytesMax = 256 * 1024;
/** Scratch buffers kept; two writers are open at once at most (a frame and a child block). */
const scratchPoolMax = 4;

/** A growable output buffer with checked field writers. */
export class FrameWriter {
  private buffer = scratchPool.pop() ?? new Uint8Array(scratchBytes);
  private length = 0;
  private borrowed = true;

  constructor(readonly limits: ProtocolLimits) {}

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed > this.limits.frameBytesMax) {
      throw new TooLargeError(`frame over ${this.limits.frameBytesMax} bytes`);
    }
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(Math.min(size, Math.max(needed, this.limits.frameBytesMax)));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** The frame written so far (a copy the caller owns). */
  finish(): Uint8Array {
    const frame = this.buffer.slice(0, this.length);
    if (this.borrowed) {
      this.borrowed = false;
      if (this.buffer.length <= scratchBytesMax && scratchPool.length < scratchPoolMax) scratchPool.push(this.buffer);
      // Writing on after finish() must never touch a buffer another writer now holds.
      this.buffer = frame;
    }
    return frame;
  }

  /** Fields another writer with the same limits already encoded and checked, copied as they are. */
  encoded(fields: Uint8Array): void {
    this.reserve(fields.length);
    this.buffer.set(fields, this.length);
    this.length += fields.length;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  uint(value: number, field: string): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new BadArgumentsError(`${field} must be a non-negative safe integer, got ${String(value)}`);
    }
    this.reserve(uintLength(value));
    let rest = value;
    // Division, not bit shifts: shifts truncate to 32 bits and revisions may grow past that.
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }

  optionalUint(value: number | undefined, field: string): void {
    this.bool(value !== undefined, field);
    if (value !== undefined) this.uint(value, field);
  }

  bool(value: boolean, field: string): void {
    if (typeof value !== 'boolean') throw new BadArgumentsError(`${field} must be a boolean`);
    this.u8(value ? 1 : 0);
  }

  bytes(value: Uint8Array, bytesMax: number, field: string): void {
    if (!(value instanceof Uint8Array)) throw new BadArgumentsError(`${field} must be a Uint8Array`);
    if (value.length > bytesMax) throw new TooLargeError(`${field} is ${value.length} bytes, over ${bytesMax}`);
    this.uint(value.length, field);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  string(value: string, bytesMax: number, field: string): void {
    if (typeof value !== 'string') throw new BadArgumentsError(`${field} must be a string`);
    // Paths and child names are nearly always ASCII: copied byte for byte, they skip a
    // TextEncoder call and its allocation (a 100-name children answer made 100 of each).
    if (value.length <= bytesMax && isAscii(value)) {
      this.uint(value.length, field);
      this.reserve(value.length);
      const buffer = this.buffer;
      let at = this.length;
      for (let i = 0; i < value.length; i++) buffer[at++] = value.charCodeAt(i);
      this.length = at;
      return;
    }
    if (!isWellFormed(value)) throw new BadArgumentsError(`${field} contains a lone surrogate`);
    this.bytes(encodeUtf8(value), bytesMax, field);
  }

  optionalString(value: string | null | undefined, bytesMax: number, field: string): void {
    const present = value !== undefined && value !== null;
    this.bool(present, field);
    if (present) this.string(value, bytesMax, field);
  }

  /** An identifier: a non-empty string (session id, member id, ...). */
  identifier(value: string, bytesMax: number, field: string): void {
    if (value === '') throw new BadArgumentsError(`${field} must not be empty`);
    this.string(value, bytesMax, field);
  }

  path(value: string): void {
    const check = validatePath(value, this.limits.pathBytesMax);
    if (!check.ok) throw check.error;
    this.string(value, this.limits.pathBytesMax, 'path');
  }

  /** One of a fixed list of names, written as its index. */
  tag<T extends string>(value: T, names: readonly T[], field: string): void {
    const index = names.indexOf(value);
    if (index < 0) throw new BadArgumentsError(`${field} is not one of ${names.join(', ')}: ${String(value)}`);
    this.u8(index);
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

function uintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}
