import type { SnapshotBytes } from './types';

/** A snapshot's bytes served from the copy in memory (until the driver offers its stored file). */
export function bytesInMemory(data: Uint8Array): SnapshotBytes {
  return {
    byteLength: data.byteLength,
    read: (offset, length) => data.subarray(offset, offset + length),
  };
}

/**
 * A snapshot's bytes held as chunks in order, served without joining them: a read within one
 * chunk is a view of it, one across chunks a copy of just that range.
 */
export function bytesInChunks(chunks: readonly Uint8Array[]): SnapshotBytes {
  const starts: number[] = [];
  let byteLength = 0;
  for (const chunk of chunks) {
    starts.push(byteLength);
    byteLength += chunk.byteLength;
  }
  /** The last chunk starting at or before `offset` (empty chunks are skipped by `read`). */
  const chunkAt = (offset: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  return {
    byteLength,
    read: (offset, length) => {
      const end = Math.min(byteLength, offset + length);
      if (offset >= end) return new Uint8Array(0);
      let index = chunkAt(offset);
      const first = chunks[index] as Uint8Array;
      const start = starts[index] as number;
      if (end <= start + first.byteLength) return first.subarray(offset - start, end - start);
      const out = new Uint8Array(end - offset);
      for (let at = offset; at < end; index++) {
        const chunk = chunks[index] as Uint8Array;
        const from = at - (starts[index] as number);
        const take = Math.min(chunk.byteLength - from, end - at);
        if (take <= 0) continue;
        out.set(chunk.subarray(from, from + take), at - offset);
        at += take;
      }
      return out;
    },
  };
}
