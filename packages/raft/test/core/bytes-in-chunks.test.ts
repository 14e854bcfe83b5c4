// Goal: a snapshot held as chunks reads like the same bytes joined: any range, within a chunk,
// across chunks and empty ones, at the end and past it.
// Method: seeded bytes cut at fixed places; every read compared with the joined bytes.
import { describe, expect, it } from 'vitest';
import { bytesInChunks } from '../../src/core/snapshot-bytes';

const whole = Uint8Array.from({ length: 1_000 }, (_, i) => (i * 31) % 251);
const cuts = [0, 0, 10, 10, 11, 400, 999, 1_000, 1_000];
const chunks = cuts.slice(1).map((end, i) => whole.subarray(cuts[i], end));

describe('bytesInChunks', () => {
  it('reads every range as the joined bytes would give it', () => {
    const bytes = bytesInChunks(chunks);
    expect(bytes.byteLength).toBe(whole.byteLength);
    for (const offset of [0, 5, 9, 10, 11, 399, 400, 998, 999, 1_000]) {
      for (const length of [1, 2, 100, 600, 2_000]) {
        expect(bytes.read(offset, length), `${offset}+${length}`).toEqual(whole.subarray(offset, offset + length));
      }
    }
  });

  it('serves a read inside one chunk as a view of it, not a copy', () => {
    const read = bytesInChunks(chunks).read(20, 50);
    expect(read?.buffer).toBe(whole.buffer);
  });

  it('holds nothing when given no chunks', () => {
    const bytes = bytesInChunks([]);
    expect(bytes.byteLength).toBe(0);
    expect(bytes.read(0, 10)).toEqual(new Uint8Array(0));
  });
});
