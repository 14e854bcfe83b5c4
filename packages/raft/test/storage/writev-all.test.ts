// Goal: writevAll writes every byte in order even when the system takes only part of a call
// (a signal, a full disk quota), resuming in the middle of a piece.
// Method: a file handle that takes at most 5 bytes per call (a real file takes every byte, so a
// short write cannot be made to happen on one) records what lands where.
import type { FileHandle } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { writevAll } from '../../src/storage/atomic-file';

describe('writevAll', () => {
  it('resumes after short writes, inside a piece and across empty ones', async () => {
    const file = new Uint8Array(40);
    let calls = 0;
    const handle = {
      writev: async (buffers: Uint8Array[], position: number) => {
        calls++;
        let bytesWritten = 0;
        for (const buffer of buffers) {
          const take = Math.min(buffer.byteLength, 5 - bytesWritten);
          file.set(buffer.subarray(0, take), position + bytesWritten);
          bytesWritten += take;
          if (bytesWritten === 5) break;
        }
        return { bytesWritten, buffers };
      },
    } as unknown as FileHandle;
    const bytes = Uint8Array.from({ length: 23 }, (_, i) => i + 1);
    await writevAll(handle, [bytes.subarray(0, 7), new Uint8Array(0), bytes.subarray(7, 8), bytes.subarray(8)], 10);
    expect(file.subarray(10, 33)).toEqual(bytes);
    expect(file.subarray(0, 10).every((byte) => byte === 0)).toBe(true);
    expect(file.subarray(33).every((byte) => byte === 0)).toBe(true);
    expect(calls).toBe(5);
  });
});
