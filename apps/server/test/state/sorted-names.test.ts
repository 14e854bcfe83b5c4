/**
 * Goal: a snapshot lists a directory's children in code-unit order, as one sort would, while a
 * large directory is sorted a run per writer step instead of in one event-loop turn; a small one
 * is sorted at once as before.
 * Method: compare `SortedNames` with the default sort for many sizes and run lengths (names with
 * surrogate pairs and characters above them included, where code-unit and code-point orders
 * differ); count the steps a real snapshot writer takes over a directory larger than one run
 * and check the order of the rows it wrote.
 */
import { describe, expect, it } from 'vitest';
import { decodeSnapshot } from '../../src/state/snapshot-format';
import { namesSortedAtOnce, SortedNames } from '../../src/state/sorted-names';
import { Harness } from './harness';

function drain(sorted: SortedNames): { prepares: number; names: string[] } {
  let prepares = 1;
  while (!sorted.prepare()) prepares++;
  const names: string[] = [];
  for (let name = sorted.next(); name !== undefined; name = sorted.next()) names.push(name);
  return { prepares, names };
}

/** Distinct names in a scrambled order, some beyond the Basic Multilingual Plane. */
function scrambled(count: number, seed: number): string[] {
  const names: string[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const flavour = state % 4;
    const base =
      flavour === 0
        ? `n${state % 1000}`
        : flavour === 1
          ? `\uff61${state % 97}`
          : flavour === 2
            ? `\u{1f600}${state % 89}`
            : `é${state % 53}`;
    names.push(`${base}-${i}`);
  }
  return names;
}

describe('SortedNames', () => {
  it('hands out the names in the order of one default sort, for any size and run length', () => {
    for (const count of [0, 1, 2, 3, 10, 100, 1000]) {
      for (const runLength of [1, 2, 3, 7, 64, namesSortedAtOnce]) {
        const names = scrambled(count, count * 31 + runLength);
        const expected = [...names].sort();
        const { prepares, names: got } = drain(new SortedNames([...names], runLength));
        expect(got).toEqual(expected);
        expect(prepares).toBe(Math.max(1, Math.ceil(count / runLength)));
      }
    }
  });

  it('hands out a presorted list as it is, at once, without changing it', () => {
    for (const names of [[], ['a'], Object.freeze([...scrambled(5_000, 7)].sort())]) {
      const { prepares, names: got } = drain(SortedNames.presorted(names));
      expect(prepares).toBe(1);
      expect(got).toEqual([...names]);
    }
  });

  it('refuses to hand out names before every run is sorted', () => {
    const sorted = new SortedNames(['b', 'a', 'c'], 2);
    expect(sorted.prepare()).toBe(false);
    expect(() => sorted.next()).toThrow(/runs left to sort/);
    expect(sorted.prepare()).toBe(true);
    expect([sorted.next(), sorted.next(), sorted.next(), sorted.next()]).toEqual(['a', 'b', 'c', undefined]);
    expect(() => new SortedNames([], 0)).toThrow(RangeError);
  });

  it('lets a snapshot writer sort a large directory a run per step, rows in code-unit order', () => {
    const h = new Harness();
    h.create('/big');
    h.create('/small');
    const count = 2 * namesSortedAtOnce + 5;
    for (const name of scrambled(count, 7)) h.create(`/big/${name}`);
    h.create('/small/b');
    h.create('/small/a');
    const reference = h.machine.snapshotNow();
    const writer = h.machine.beginSnapshot();
    let steps = 1;
    while (!writer.step(Number.POSITIVE_INFINITY)) steps++;
    const bytes = Buffer.concat(writer.finish());
    // The root and `/big` in the first step, then one step per run of `/big`'s three (the
    // third also writes the rows).
    expect(steps).toBe(3);
    expect(bytes.equals(Buffer.from(reference))).toBe(true);
    const paths = [...decodeSnapshot(bytes).nodes.keys()];
    const under = paths.filter((path) => path.startsWith('/big/'));
    expect(under.join('\n') === [...under].sort().join('\n')).toBe(true);
    expect(under).toHaveLength(count);
    expect(paths.slice(-3)).toEqual(['/small', '/small/a', '/small/b']);
  });
});
