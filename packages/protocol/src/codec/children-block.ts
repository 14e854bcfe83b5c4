/**
 * The child list of a `children` answer: `uint count | count × string`.
 *
 * Lists are about half of a typical read load and mostly repeat: a directory changes far less
 * often than it is listed. So both ends remember recent lists. The member keeps the encoding of
 * a frozen names array (its data tree shares one frozen array per directory until a child comes
 * or goes). The client keeps the names of recently decoded blocks and, when a block's bytes are
 * the same as one it decoded before under the same limits, hands out a copy of those names
 * instead of building every string again.
 */

import type { ProtocolLimits } from '../constants';
import { BadArgumentsError, TooLargeError } from '../errors';
import type { FrameReader } from './reader';
import { FrameWriter } from './writer';

// Short lists decode about as fast as they compare; only longer ones are worth remembering.
const rememberedNamesMin = 8;
// A block this large is rare and would pin a lot of memory.
const rememberedBytesMax = 64 * 1024;
// A miss compares against all of them (each stops at its first differing byte).
const rememberedBlocksMax = 16;

interface EncodedBlock {
  readonly limits: ProtocolLimits;
  readonly bytes: Uint8Array;
}

/** Encodings of frozen names arrays: a frozen array cannot change behind its entry. */
const encodedBlocks = new WeakMap<readonly string[], EncodedBlock>();

/** Writes a child list; a frozen array's encoding is made once and reused. */
export function writeChildren(writer: FrameWriter, children: readonly string[]): void {
  if (!Array.isArray(children)) throw new BadArgumentsError('children must be an array');
  if (children.length < rememberedNamesMin || !Object.isFrozen(children)) {
    writeNames(writer, children);
    return;
  }
  let block = encodedBlocks.get(children);
  if (block === undefined || block.limits !== writer.limits) {
    const own = new FrameWriter(writer.limits);
    writeNames(own, children);
    block = { limits: writer.limits, bytes: own.finish() };
    encodedBlocks.set(children, block);
  }
  writer.encoded(block.bytes);
}

function writeNames(writer: FrameWriter, children: readonly string[]): void {
  if (children.length > writer.limits.childrenMax) {
    throw new TooLargeError(`over ${writer.limits.childrenMax} children`);
  }
  writer.uint(children.length, 'children');
  for (const child of children) {
    if (typeof child !== 'string' || !isChildName(child, writer.limits.pathBytesMax)) {
      throw new BadArgumentsError(`bad child name ${JSON.stringify(child)}`);
    }
    writer.string(child, writer.limits.pathBytesMax, 'child name');
  }
}

interface DecodedBlock {
  readonly limits: ProtocolLimits;
  readonly bytes: Uint8Array;
  readonly names: readonly string[];
}

/** Recently decoded blocks, newest first: a frame holding one's bytes at the cursor decodes to its names. */
const decodedBlocks: DecodedBlock[] = [];

/**
 * Reads a child list. The caller owns the array it gets (a fresh one every time). A block
 * whose bytes at the cursor equal a remembered one's (under the same limits) decodes to that
 * block's names without reading them again: decoding depends only on those bytes and limits.
 */
export function readChildren(reader: FrameReader): string[] {
  for (const known of decodedBlocks) {
    if (known.limits === reader.limits && reader.startsWith(known.bytes)) {
      reader.advance(known.bytes.length);
      return known.names.slice();
    }
  }
  const start = reader.position;
  const count = reader.count(reader.limits.childrenMax, 'children');
  const names = readNames(reader, count);
  const bytes = reader.since(start);
  if (count >= rememberedNamesMin && bytes.length <= rememberedBytesMax) {
    // Not frozen: V8 copies a frozen array element by element (`slice` of 100 names took 3.5 µs
    // instead of 0.06), and these names never leave this module uncopied.
    decodedBlocks.unshift({ limits: reader.limits, bytes: bytes.slice(), names: names.slice() });
    if (decodedBlocks.length > rememberedBlocksMax) decodedBlocks.pop();
  }
  return names;
}

function readNames(reader: FrameReader, count: number): string[] {
  const children: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = reader.string(reader.limits.pathBytesMax, 'child name');
    if (!isChildName(name, reader.limits.pathBytesMax))
      throw new BadArgumentsError(`bad child name ${JSON.stringify(name.slice(0, 200))}`);
    children.push(name);
  }
  return children;
}

/**
 * Whether `name` is one valid path segment, i.e. `/name` passes `validatePath`. Checked in one
 * scan without building that path or a result: a children answer checks every name.
 */
function isChildName(name: string, pathBytesMax: number): boolean {
  if (name.length === 0 || name.length >= pathBytesMax || name === '.' || name === '..') return false;
  let bytes = 1;
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit === 0x2f || unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return false;
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = name.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      bytes += 4;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return false;
    else bytes += 3;
  }
  return bytes <= pathBytesMax;
}
