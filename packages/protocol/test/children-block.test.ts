// Goal: remembering child lists changes nothing a caller can see. A frozen list encodes to the
// same bytes as an unfrozen copy, every time; a decoded list is a fresh array the caller may
// mutate without touching the next decode; a block remembered under loose limits is still
// refused under strict ones; a different block of the same length decodes to its own names; a
// bad name in a long block is refused, on the first decode and on every later one. Nothing
// decoded (data, remembered names) changes when the frame's memory is reused afterwards.
// Method: encode and decode children answers with the public codec; patch frame bytes by hand.
import { describe, expect, it } from 'vitest';
import { type ChildrenResponse, decodeResponse, defaultLimits, encodeResponse } from '../src';
import { stat } from './fixtures';

function answer(children: readonly string[]): ChildrenResponse {
  return { type: 'children', xid: 7, revision: 9, children, stat: { ...stat, numChildren: children.length } };
}

const names = Array.from({ length: 40 }, (_, i) => `node-${String(i).padStart(10, '0')}`);

function decodedChildren(frame: Uint8Array, limits = defaultLimits): string[] {
  const decoded = decodeResponse(frame, limits);
  if (!decoded.ok) throw decoded.error;
  if (decoded.value.type !== 'children') throw new Error(`decoded a ${decoded.value.type}`);
  return decoded.value.children as string[];
}

describe('children lists, remembered', () => {
  it('a frozen list encodes to the bytes of an unfrozen copy, on every encode', () => {
    const frozen = Object.freeze([...names]);
    const plain = encodeResponse(answer([...names]));
    expect(encodeResponse(answer(frozen))).toEqual(plain);
    expect(encodeResponse(answer(frozen))).toEqual(plain);
    expect(encodeResponse({ ...answer(frozen), xid: 8 })).not.toEqual(plain);
  });

  it('a frozen list with a bad name is refused on every encode', () => {
    const bad = Object.freeze([...names.slice(0, 20), 'a/b', ...names.slice(20)]);
    expect(() => encodeResponse(answer(bad))).toThrow(/bad child name/);
    expect(() => encodeResponse(answer(bad))).toThrow(/bad child name/);
  });

  it('each decode returns its own array', () => {
    const frame = encodeResponse(answer(names));
    const decoded: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const children = decodedChildren(frame);
      expect(children).toEqual(names);
      expect(decoded).not.toContain(children);
      children.reverse();
      children.push('extra');
      decoded.push(children);
    }
  });

  it('a block of the same length with other bytes decodes to its own names', () => {
    decodedChildren(encodeResponse(answer(names)));
    const other = names.map((name) => name.replace('node', 'leaf'));
    expect(decodedChildren(encodeResponse(answer(other)))).toEqual(other);
    const swapped = [names[1], names[0], ...names.slice(2)] as string[];
    expect(decodedChildren(encodeResponse(answer(swapped)))).toEqual(swapped);
  });

  it('a block differing from a remembered one in any single character decodes to its own names', () => {
    // Blocks of every length modulo 4, so that the comparison's four-byte steps and its leftover
    // bytes both meet a difference; each character of the first and the last name is changed.
    for (let extra = 0; extra < 4; extra++) {
      const list = [`${names[0]}${'x'.repeat(extra)}`, ...names.slice(1)];
      for (const which of [0, list.length - 1]) {
        const name = list[which] as string;
        for (let at = 0; at < name.length; at++) {
          const changed = `${name.slice(0, at)}${name[at] === 'q' ? 'r' : 'q'}${name.slice(at + 1)}`;
          const variant = list.map((original, index) => (index === which ? changed : original));
          expect(decodedChildren(encodeResponse(answer(list)))).toEqual(list);
          expect(decodedChildren(encodeResponse(answer(variant)))).toEqual(variant);
        }
      }
    }
  });

  it('a block decoded under loose limits is still refused under strict ones', () => {
    const frame = encodeResponse(answer(names));
    decodedChildren(frame);
    // Each name is 15 bytes: "/name" is 16, over this limit, while the name alone is within it.
    const strict = decodeResponse(frame, { ...defaultLimits, pathBytesMax: 15 });
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.error.message).toMatch(/bad child name/);
  });

  it('a bad name in a long block is refused every time', () => {
    const frame = encodeResponse(answer(names));
    decodedChildren(frame);
    const patched = frame.slice();
    const at = findLast(patched, new TextEncoder().encode(names[30]));
    patched[at + 4] = 0x2f; // a "/" inside a child name
    for (let i = 0; i < 2; i++) {
      const decoded = decodeResponse(patched);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error.message).toMatch(/bad child name/);
    }
    expect(decodedChildren(frame)).toEqual(names);
  });

  it('keeps nothing that a reuse of the frame buffer could change', () => {
    const children = names.map((name) => name.replace('node', 'kept'));
    const frame = Buffer.from(encodeResponse(answer(children)));
    expect(decodedChildren(frame)).toEqual(children);
    frame.fill(0x41);
    expect(decodedChildren(Buffer.from(encodeResponse(answer(children))))).toEqual(children);

    const data = new Uint8Array([1, 2, 3, 4]);
    const get = Buffer.from(encodeResponse({ type: 'get', xid: 3, revision: 4, data, stat }));
    const decoded = decodeResponse(get);
    if (!decoded.ok || decoded.value.type !== 'get') throw new Error('not a get answer');
    get.fill(0);
    expect(decoded.value.data).toEqual(data);
  });
});

function findLast(frame: Uint8Array, part: Uint8Array): number {
  outer: for (let at = frame.length - part.length; at >= 0; at--) {
    for (let i = 0; i < part.length; i++) if (frame[at + i] !== part[i]) continue outer;
    return at;
  }
  throw new Error('part not in frame');
}
