/**
 * Goal: node data held as strings (small values) or arrays (large ones) comes back byte for
 * byte, every byte value included, through every path it travels: create and set, get,
 * snapshot and restore; and a held value never shares memory with what it was read from.
 * Method: values of every byte value at sizes around the threshold, through the module's
 * functions and through a real state machine.
 */
import { EntryType } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import { CoordinationStateMachine, encodeCommand } from '../../src';
import { dataBytes, dataLength, inlineDataBytesMax, nodeData, readData, writeData } from '../../src/state/node-data';

/** `length` bytes cycling through every byte value, starting at `first`. */
function allBytes(length: number, first = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (first + i) & 0xff;
  return bytes;
}

const sizes = [0, 1, 256, inlineDataBytesMax, inlineDataBytesMax + 1, 70_000];

describe('node data', () => {
  it('round-trips every byte value on both sides of the threshold, as copies', () => {
    for (const size of sizes) {
      const source = allBytes(size, 200);
      const held = nodeData(source);
      expect(typeof held, `size ${size}`).toBe(size <= inlineDataBytesMax ? 'string' : 'object');
      source.fill(1);
      expect(dataLength(held)).toBe(size);
      expect(Buffer.from(dataBytes(held)).equals(Buffer.from(allBytes(size, 200))), `size ${size}`).toBe(true);

      const target = Buffer.alloc(size + 10, 9);
      writeData(held, target, 5);
      expect(target.subarray(5, 5 + size).equals(Buffer.from(allBytes(size, 200)))).toBe(true);
      expect(target[4]).toBe(9);
      expect(target[5 + size]).toBe(9);

      const read = readData(target, 5, 5 + size);
      target.fill(0);
      expect(Buffer.from(dataBytes(read)).equals(Buffer.from(allBytes(size, 200))), `size ${size}`).toBe(true);
    }
  });

  it('a state machine keeps every byte through set, get, snapshot and restore', () => {
    const machine = new CoordinationStateMachine();
    let index = 0;
    const apply = (command: Parameters<typeof encodeCommand>[0]): void => {
      machine.apply({ index: ++index, term: 1, type: EntryType.Normal, data: encodeCommand(command) });
    };
    for (const [i, size] of sizes.entries()) {
      apply({ type: 'create', sessionId: null, time: 1, path: `/n${i}`, data: allBytes(size, i), mode: 'persistent' });
      apply({ type: 'set', sessionId: null, time: 2, path: `/n${i}`, data: allBytes(size, i + 1) });
    }
    const restored = new CoordinationStateMachine();
    restored.restore(machine.snapshotNow());
    for (const [i, size] of sizes.entries()) {
      for (const state of [machine, restored]) {
        const node = state.get(`/n${i}`);
        expect(node?.stat.dataLength).toBe(size);
        expect(Buffer.from(node?.data ?? []).equals(Buffer.from(allBytes(size, i + 1))), `size ${size}`).toBe(true);
      }
    }
    expect(restored.snapshotNow()).toEqual(machine.snapshotNow());
  });
});
