/**
 * Low-level byte writing and reading for the peer codec: unsigned LEB128 varints up to
 * 2^53 - 1, raw bytes and length-prefixed UTF-8 strings.
 *
 * The writer never grows: encoders size a frame exactly first, then write into one buffer.
 * The reader checks every length against the bytes that remain before touching them, so a
 * huge or truncated length fails with `BAD_FRAME` instead of allocating or reading past the end.
 */
import { badFrame } from './errors';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A varint of a safe integer takes at most 8 bytes (8 * 7 = 56 bits >= 53). */
const varintBytesMax = 8;

/** Bytes an unsigned varint of `value` takes. `value` must be a non-negative safe integer. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  let size = 4;
  let rest = Math.floor(value / 0x10000000);
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 0x80);
  }
  return size;
}

/**
 * UTF-8 length of `text`, or -1 if it holds a lone surrogate. Lone surrogates are refused
 * because the encoder would silently replace them, and a decoded string must equal the sent one.
 */
export function utf8Size(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) size += 1;
    else if (unit < 0x800) size += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      size += 4;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return -1;
    else size += 3;
  }
  return size;
}

/** Writes into a buffer that was sized exactly beforehand. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  u8(value: number): void {
    this.bytes[this.pos++] = value;
  }

  varint(value: number): void {
    const bytes = this.bytes;
    let rest = value;
    // Above 2^31 bit operations would truncate, so the high part is peeled off arithmetically.
    while (rest >= 0x80000000) {
      bytes[this.pos++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    while (rest >= 0x80) {
      bytes[this.pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    bytes[this.pos++] = rest;
  }

  raw(data: Uint8Array): void {
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }

  /** Writes a string whose UTF-8 size the caller already computed (and prefixed). */
  utf8(text: string, size: number): void {
    if (size === text.length) {
      // All ASCII (one byte per UTF-16 unit): a plain loop beats TextEncoder for short ids.
      const bytes = this.bytes;
      let pos = this.pos;
      for (let i = 0; i < text.length; i++) bytes[pos++] = text.charCodeAt(i);
      this.pos = pos;
      return;
    }
    utf8Encoder.encodeInto(text, this.bytes.subarray(this.pos, this.pos + size));
    this.pos += size;
  }
}

/** Reads a frame from front to back, failing with `BAD_FRAME` on anything out of bounds. */
export class ByteReader {
  private readonly bytes: Uint8Array;
  pos = 0;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.bytes.length) throw badFrame('truncated');
    return this.bytes[this.pos++]!;
  }

  /** An unsigned varint; refuses values above 2^53 - 1 and non-minimal encodings. */
  varint(): number {
    const bytes = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < varintBytesMax; i++) {
      if (this.pos >= bytes.length) throw badFrame('truncated');
      const byte = bytes[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (byte === 0 && i > 0) throw badFrame('non-minimal varint');
        if (result > Number.MAX_SAFE_INTEGER) throw badFrame('integer out of range');
        return result;
      }
      scale *= 0x80;
    }
    throw badFrame('integer out of range');
  }

  /** A varint that must not exceed `max` (checked before the caller allocates anything). */
  count(max: number, what: string): number {
    const value = this.varint();
    if (value > max) throw badFrame(`${what} over limit (${value} > ${max})`);
    return value;
  }

  /**
   * `length` bytes as a view of the frame (no copy): the view keeps the frame alive and sees
   * any later change to it.
   */
  view(length: number): Uint8Array {
    if (length > this.bytes.length - this.pos) throw badFrame('truncated');
    const bytes = this.bytes;
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset + this.pos, length);
    this.pos += length;
    return view;
  }

  /** A length-prefixed UTF-8 string of at most `bytesMax` bytes; invalid UTF-8 is refused. */
  string(bytesMax: number, what: string): string {
    const length = this.count(bytesMax, `${what} length`);
    if (length > this.bytes.length - this.pos) throw badFrame('truncated');
    const bytes = this.bytes;
    const start = this.pos;
    const end = start + length;
    this.pos = end;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii && length <= 64) {
      let text = '';
      for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
      return text;
    }
    try {
      return utf8Decoder.decode(bytes.subarray(start, end));
    } catch (error) {
      throw badFrame(`${what} is not valid UTF-8`, error);
    }
  }
}
