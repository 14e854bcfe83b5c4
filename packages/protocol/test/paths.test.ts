// Goal: the path rules of DESIGN §3 accept exactly the valid paths and name the reason for
// every refusal; the path helpers agree with them.
// Method: tables of valid paths and of invalid paths with the expected problem.
import { describe, expect, it } from 'vitest';
import {
  assertValidPath,
  BadArgumentsError,
  basename,
  isSelfOrDescendant,
  isValidPath,
  join,
  type PathProblem,
  parentOf,
  pathBytesMax,
  segmentsOf,
  sequenceOf,
  sequentialPath,
  validateCreatePath,
  validatePath,
} from '../src';

const valid = [
  '/',
  '/a',
  '/a/b/c',
  '/zookeeper',
  '/a.b',
  '/...',
  '/.a',
  '/a..',
  '/with space',
  '/lock-',
  '/ünïcødé/名前/😀',
  '/a:b@c=d',
  `/${'x'.repeat(pathBytesMax - 1)}`,
  `/${'é'.repeat((pathBytesMax - 1) / 2 - 0.5)}`,
];

const invalid: ReadonlyArray<readonly [unknown, PathProblem]> = [
  [undefined, 'notString'],
  [42, 'notString'],
  [['/a'], 'notString'],
  ['', 'empty'],
  ['a', 'notAbsolute'],
  ['a/b', 'notAbsolute'],
  ['./a', 'notAbsolute'],
  ['/a/', 'trailingSlash'],
  ['/a/b/', 'trailingSlash'],
  ['//', 'emptySegment'],
  ['//a', 'emptySegment'],
  ['/a//b', 'emptySegment'],
  ['/.', 'dotSegment'],
  ['/..', 'dotSegment'],
  ['/a/./b', 'dotSegment'],
  ['/a/..', 'dotSegment'],
  ['/a\u0000b', 'controlCharacter'],
  ['/a\nb', 'controlCharacter'],
  ['/a\tb', 'controlCharacter'],
  ['/a\u007f', 'controlCharacter'],
  ['/a\u0085', 'controlCharacter'],
  ['/a\ud800', 'invalidUnicode'],
  ['/a\udc00b', 'invalidUnicode'],
  ['/a\ud800\ud800', 'invalidUnicode'],
  [`/${'x'.repeat(pathBytesMax)}`, 'tooLong'],
  // Within the limit in UTF-16 units but over it in UTF-8 bytes.
  [`/${'é'.repeat(pathBytesMax / 2)}`, 'tooLong'],
];

describe('paths - validatePath', () => {
  it.each(valid.map((path) => [path.length > 40 ? `${path.slice(0, 40)}...` : path, path]))(
    'accepts %s',
    (_label, path) => {
      expect(validatePath(path)).toEqual({ ok: true, path });
      expect(isValidPath(path)).toBe(true);
      expect(() => assertValidPath(path)).not.toThrow();
    },
  );

  it.each(invalid.map(([path, problem]) => [JSON.stringify(path)?.slice(0, 40) ?? 'undefined', problem, path]))(
    'refuses %s: %s',
    (_label, problem, path) => {
      const check = validatePath(path);
      expect(check.ok).toBe(false);
      if (check.ok) return;
      expect(check.problem).toBe(problem);
      expect(check.error).toBeInstanceOf(BadArgumentsError);
      expect(check.error.code).toBe('BadArguments');
      expect(isValidPath(path)).toBe(false);
      expect(() => assertValidPath(path)).toThrow(BadArgumentsError);
    },
  );

  it('takes a custom length limit', () => {
    expect(validatePath('/abcd', 5).ok).toBe(true);
    expect(validatePath('/abcde', 5)).toMatchObject({ ok: false, problem: 'tooLong' });
  });
});

describe('paths - validateCreatePath', () => {
  it('lets a sequential path end in a slash, as ZooKeeper does, and only a sequential one', () => {
    expect(validateCreatePath('/queue/', 'persistent_sequential')).toEqual({ ok: true, path: '/queue/' });
    expect(validateCreatePath('/queue/', 'ephemeral_sequential').ok).toBe(true);
    expect(validateCreatePath('/', 'persistent_sequential').ok).toBe(true);
    expect(validateCreatePath('/queue/', 'persistent')).toMatchObject({ ok: false, problem: 'trailingSlash' });
    expect(validateCreatePath('/queue/', 'ephemeral')).toMatchObject({ ok: false, problem: 'trailingSlash' });
  });

  it('checks the rest of a sequential path as the path the node will get', () => {
    expect(validateCreatePath('/a//', 'persistent_sequential')).toMatchObject({ ok: false, problem: 'emptySegment' });
    expect(validateCreatePath('/a/b\u0001', 'persistent_sequential')).toMatchObject({
      ok: false,
      problem: 'controlCharacter',
    });
    expect(validateCreatePath('a/', 'persistent_sequential')).toMatchObject({ ok: false, problem: 'notAbsolute' });
    // The ten digits count toward the limit.
    expect(validateCreatePath('/abcd', 'persistent_sequential', 15).ok).toBe(true);
    expect(validateCreatePath('/abcde', 'persistent_sequential', 15)).toMatchObject({ ok: false, problem: 'tooLong' });
    expect(validateCreatePath(7, 'persistent_sequential')).toMatchObject({ ok: false, problem: 'notString' });
  });
});

describe('paths - helpers', () => {
  it.each([
    ['/', null, '', []],
    ['/a', '/', 'a', ['a']],
    ['/a/b', '/a', 'b', ['a', 'b']],
    ['/a/b/lock-0000000001', '/a/b', 'lock-0000000001', ['a', 'b', 'lock-0000000001']],
  ] as const)('%s: parent %s, basename %s', (path, parent, name, segments) => {
    expect(parentOf(path)).toBe(parent);
    expect(basename(path)).toBe(name);
    expect(segmentsOf(path)).toEqual(segments);
    if (parent !== null) expect(join(parent, name)).toBe(path);
  });

  it('joins several names', () => {
    expect(join('/', 'a', 'b/c')).toBe('/a/b/c');
    expect(join('/a', '', 'b')).toBe('/a/b');
    expect(join('/a')).toBe('/a');
  });

  it('knows the scope of a recursive watch', () => {
    expect(isSelfOrDescendant('/a', '/a')).toBe(true);
    expect(isSelfOrDescendant('/a/b/c', '/a')).toBe(true);
    expect(isSelfOrDescendant('/ab', '/a')).toBe(false);
    expect(isSelfOrDescendant('/', '/a')).toBe(false);
    expect(isSelfOrDescendant('/x', '/')).toBe(true);
  });

  it('names sequential nodes with ten zero-padded digits', () => {
    expect(sequentialPath('/locks/lock-', 0)).toBe('/locks/lock-0000000000');
    expect(sequentialPath('/q/', 42)).toBe('/q/0000000042');
    expect(sequentialPath('/n', 9_999_999_999)).toBe('/n9999999999');
    for (const counter of [-1, 1.5, 10_000_000_000, Number.NaN]) {
      expect(() => sequentialPath('/n', counter)).toThrow(BadArgumentsError);
    }
  });

  it('reads sequence numbers back', () => {
    expect(sequenceOf('lock-0000000042')).toBe(42);
    expect(sequenceOf('/locks/lock-9999999999')).toBe(9_999_999_999);
    expect(sequenceOf('0000000000')).toBe(0);
    expect(sequenceOf('lock-000000042')).toBeNull();
    expect(sequenceOf('lock-00000000x2')).toBeNull();
    expect(sequenceOf('short')).toBeNull();
  });
});
