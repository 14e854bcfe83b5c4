import type { SnapshotBytes } from './types';

/** A snapshot's bytes served from the copy in memory (until the driver offers its stored file). */
export function bytesInMemory(data: Uint8Array): SnapshotBytes {
  return {
    byteLength: data.byteLength,
    read: (offset, length) => data.subarray(offset, offset + length),
  };
}
