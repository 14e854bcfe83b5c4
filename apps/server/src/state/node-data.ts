/**
 * Node data as the tree holds it.
 *
 * Values of up to {@link inlineDataBytesMax} bytes are held as one-byte strings, one character
 * per byte (latin1, which maps every byte to itself and back). V8 keeps such a string in its
 * heap with 16 bytes beside the data, and its collector compacts them. A Uint8Array of its own
 * per value costs about 330 bytes more of resident memory (the array, its ArrayBuffer, and a
 * backing store allocated outside the heap) and three times as long to allocate: a million
 * 100-byte values took 507 B and 0.58 µs each as arrays, 171 B and 0.17 µs as strings. A shared
 * slab, as Buffer's pool does, would be as small, but one long-lived value could pin a slab of
 * values replaced long ago, and nothing could compact it.
 *
 * Larger values stay Uint8Arrays: there the overhead is a small share, and they stay outside
 * V8's heap, whose limit is fixed when the process starts.
 */

/** A node's data; see the module comment. */
export type NodeData = string | Uint8Array;

/** Largest value held as a string: Buffer's pool takes allocations below this size too. */
export const inlineDataBytesMax = 4096;

/** The data of a node created without any. */
export const emptyData: NodeData = '';

/** The data of a node, copied from `bytes`, which the caller may reuse or let go. */
export function nodeData(bytes: Uint8Array): NodeData {
  if (bytes.byteLength <= inlineDataBytesMax) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  // Not `slice`: on a Buffer that is a view, not a copy.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Bytes in `data`. */
export function dataLength(data: NodeData): number {
  return typeof data === 'string' ? data.length : data.byteLength;
}

/** `data` as bytes, for an answer; a held array is handed out as it is, so never mutate it. */
export function dataBytes(data: NodeData): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
}

/** Writes `data` into `target` at `offset`; the caller made room for {@link dataLength} bytes. */
export function writeData(data: NodeData, target: Buffer, offset: number): void {
  if (typeof data === 'string') target.write(data, offset, 'latin1');
  else target.set(data, offset);
}

/** The data of a node, read from `source` between `start` and `end` (a copy). */
export function readData(source: Buffer, start: number, end: number): NodeData {
  // The small case decodes straight from `source`: a restore reads a million of these.
  if (end - start <= inlineDataBytesMax) return source.toString('latin1', start, end);
  return nodeData(source.subarray(start, end));
}
