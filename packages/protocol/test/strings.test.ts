// Goal: strings go on the wire as exactly their UTF-8 bytes whether or not they take the
// codec's ASCII shortcut, and the decoder's shortcut accepts and refuses what strict UTF-8
// decoding does.
// Method: encode children answers whose names are ASCII, non-ASCII at either end, and at and
// around the shortcut's length bound; compare each name's bytes in the frame with
// TextEncoder's, decode back; hand-patch a name's last byte to a stray continuation byte.
// Child names: the codec's one-scan check accepts exactly the names whose "/name" passes
// validatePath (and name has no "/"), over a table of edge cases (dots, slashes, controls, surrogates, length).
import { describe, expect, it } from 'vitest';
import { type ChildrenResponse, decodeResponse, defaultLimits, encodeResponse, validatePath } from '../src';

const stat = {
  version: 0,
  childrenVersion: 3,
  createdRevision: 1,
  modifiedRevision: 1,
  childrenRevision: 4,
  createdAt: 1,
  modifiedAt: 1,
  ephemeralOwner: null,
  dataLength: 0,
  numChildren: 3,
};

function answer(children: string[]): ChildrenResponse {
  return { type: 'children', xid: 7, revision: 9, children, stat: { ...stat, numChildren: children.length } };
}

function contains(frame: Uint8Array, part: Uint8Array): boolean {
  outer: for (let at = 0; at + part.length <= frame.length; at++) {
    for (let i = 0; i < part.length; i++) if (frame[at + i] !== part[i]) continue outer;
    return true;
  }
  return false;
}

describe('string fields', () => {
  const names = [
    'c0',
    'x'.repeat(63),
    'y'.repeat(64),
    'z'.repeat(65),
    'ascii-then-é',
    'é-then-ascii',
    '😀',
    `${'a'.repeat(63)}ü`,
  ];

  it.each(names)('%s: UTF-8 bytes on the wire, unchanged after a round trip', (name) => {
    const frame = encodeResponse(answer([name]));
    const utf8 = new TextEncoder().encode(name);
    expect(contains(frame, utf8)).toBe(true);
    expect(decodeResponse(frame)).toEqual({ ok: true, value: answer([name]) });
  });

  it('refuses a name that is ASCII up to a stray continuation byte', () => {
    const frame = encodeResponse(answer(['abcz']));
    const at = frame.lastIndexOf('z'.charCodeAt(0));
    const bad = frame.slice();
    bad[at] = 0x80;
    const decoded = decodeResponse(bad);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.message).toMatch(/malformed UTF-8/);
  });

  const limit = defaultLimits.pathBytesMax;
  const candidates = [
    'a',
    '.',
    '..',
    '...',
    '.a',
    'a.',
    'a/b',
    '/a',
    'a/',
    'a\u0000',
    'a\u001f',
    'a\u007f',
    'a\u009f',
    'a\u00a0',
    '\ud800',
    'a\udc00',
    '\ud83d\ude00',
    'x'.repeat(limit - 1),
    'x'.repeat(limit),
    `${'x'.repeat(limit - 2)}é`,
    `${'x'.repeat(limit - 3)}é`,
  ];

  it.each(candidates.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    'child name %s: accepted exactly when it is one valid path segment',
    (_shown, name) => {
      const valid = !name.includes('/') && validatePath(`/${name}`).ok;
      const encode = (): Uint8Array => encodeResponse(answer([name]));
      if (valid) expect(decodeResponse(encode())).toEqual({ ok: true, value: answer([name]) });
      else expect(encode).toThrow(/bad child name/);
    },
  );
});
