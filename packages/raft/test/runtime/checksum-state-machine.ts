/**
 * A test state machine whose whole state is a digest of what it applied, in order: members
 * that applied the same entries in the same order have equal `digest()`s. It also remembers
 * which proposal ids (first 4 bytes of each payload) it applied, and counts restores.
 */
import { crc32 } from 'node:zlib';
import type { Entry } from '../../src/core/types';
import type { StateMachine } from '../../src/runtime/interfaces';

export class ChecksumStateMachine implements StateMachine<number> {
  count = 0;
  hash = 0;
  lastIndex = 0;
  ids = new Set<number>();
  restores = 0;

  apply(entry: Entry): number {
    this.count++;
    this.hash = crc32(entry.data, this.hash);
    this.lastIndex = entry.index;
    if (entry.data.length >= 4) {
      this.ids.add(new DataView(entry.data.buffer, entry.data.byteOffset, 4).getUint32(0));
    }
    return this.count;
  }

  snapshot(): Uint8Array {
    const state = { count: this.count, hash: this.hash, lastIndex: this.lastIndex, ids: [...this.ids] };
    return new TextEncoder().encode(JSON.stringify(state));
  }

  restore(data: Uint8Array): void {
    const state = JSON.parse(new TextDecoder().decode(data)) as {
      count: number;
      hash: number;
      lastIndex: number;
      ids: number[];
    };
    this.count = state.count;
    this.hash = state.hash;
    this.lastIndex = state.lastIndex;
    this.ids = new Set(state.ids);
    this.restores++;
  }

  digest(): string {
    return `${this.count}:${this.hash}:${this.lastIndex}`;
  }
}

/** A payload of `bytes` bytes (at least 4) starting with `id`. */
export function payload(id: number, bytes = 16): Uint8Array {
  const data = new Uint8Array(Math.max(4, bytes));
  new DataView(data.buffer).setUint32(0, id);
  for (let i = 4; i < data.length; i++) data[i] = (id + i) & 0xff;
  return data;
}
