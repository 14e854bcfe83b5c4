// Goal: the checker accepts histories that have a linearization and rejects those that do not.
// Method: small hand-written register histories whose verdict is argued in each test name.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../src/history';
import { checkHistory, checkKey } from '../src/linearizability';
import { cas, read, write } from './ops';

const verdict = (ops: Operation[]) => checkKey('k', ops).verdict;

describe('linearizable histories', () => {
  it('accepts an empty history and a read of the absent initial value', () => {
    expect(verdict([])).toBe('linearizable');
    expect(verdict([read(1, null, 0, 1)])).toBe('linearizable');
  });

  it('accepts a sequential history', () => {
    expect(verdict([write(1, 'a', 0, 1), read(2, 'a', 2, 3), cas(1, 'a', 'b', 4, 5), read(2, 'b', 6, 7)])).toBe(
      'linearizable',
    );
  });

  it('accepts concurrent writes with overlapping reads in either order', () => {
    const ops = [
      write(1, 'a', 0, 10),
      write(2, 'b', 1, 9),
      read(3, 'b', 2, 4),
      read(4, 'a', 5, 8),
      read(3, 'a', 11, 12),
    ];
    expect(verdict(ops)).toBe('linearizable');
  });

  it('accepts a read concurrent with a write seeing either value', () => {
    const before = write(1, 'a', 0, 1);
    expect(verdict([before, write(2, 'b', 2, 6), read(3, 'a', 3, 5)])).toBe('linearizable');
    expect(verdict([before, write(2, 'b', 2, 6), read(3, 'b', 3, 5)])).toBe('linearizable');
  });

  it('accepts an unknown-outcome write that later shows up in a read', () => {
    expect(verdict([write(1, 'a', 0, 1), write(2, 'b', 2, null), read(3, 'b', 100, 101)])).toBe('linearizable');
  });

  it('accepts an unknown-outcome write that never shows up', () => {
    expect(verdict([write(1, 'a', 0, 1), write(2, 'b', 2, null), read(3, 'a', 100, 101)])).toBe('linearizable');
  });

  it('ignores failed operations', () => {
    expect(verdict([write(1, 'a', 0, 1), cas(2, 'x', 'b', 2, 3, 'fail'), read(3, 'a', 4, 5)])).toBe('linearizable');
  });
});

describe('non-linearizable histories', () => {
  it('rejects a stale read after a completed write', () => {
    const result = checkKey('k', [write(1, 'a', 0, 1), write(1, 'b', 2, 3), read(2, 'a', 4, 5)]);
    expect(result.verdict).toBe('not-linearizable');
    expect(result.linearizable).toBe(false);
    expect(result.explanation?.blocked).toMatchObject({ type: 'read', value: 'a' });
    expect(result.explanation?.prefix.map((op) => op.value)).toEqual(['a', 'b']);
    expect(result.explanation?.state).toBe('b');
  });

  it('rejects a read of a value never written', () => {
    expect(verdict([write(1, 'a', 0, 1), read(2, 'zzz', 2, 3)])).toBe('not-linearizable');
  });

  it('rejects two sequential reads seeing new then old', () => {
    const ops = [write(1, 'a', 0, 1), write(2, 'b', 2, 20), read(3, 'b', 3, 4), read(3, 'a', 5, 6)];
    expect(verdict(ops)).toBe('not-linearizable');
  });

  it('rejects a cas that succeeded from a value that could not have been current', () => {
    const ops = [write(1, 'a', 0, 1), write(1, 'b', 2, 3), cas(2, 'a', 'c', 4, 5)];
    expect(verdict(ops)).toBe('not-linearizable');
  });

  it('rejects a read that an unknown-outcome write invoked later could not explain', () => {
    expect(verdict([write(1, 'a', 0, 1), read(2, 'b', 2, 3), write(3, 'b', 4, null)])).toBe('not-linearizable');
  });
});

describe('checkHistory', () => {
  it('checks keys independently and fails the history if any key fails', () => {
    const ops = [write(1, 'a', 0, 1, 'x'), read(2, 'a', 2, 3, 'x'), write(1, 'a', 0, 1, 'y'), read(2, 'b', 2, 3, 'y')];
    const result = checkHistory(ops);
    expect(result.verdict).toBe('not-linearizable');
    expect(result.keys.map((k) => [k.key, k.verdict])).toEqual([
      ['x', 'linearizable'],
      ['y', 'not-linearizable'],
    ]);
  });

  it('reports unknown when the step budget runs out', () => {
    // Many mutually concurrent writes and a read no order can satisfy: the search must try many orders.
    const ops: Operation[] = [];
    for (let p = 0; p < 12; p++) ops.push(write(p, p, 0, 100));
    ops.push(read(99, 'never', 0, 100));
    expect(checkKey('k', ops, { stepsMax: 50 }).verdict).toBe('unknown');
    expect(checkKey('k', ops).verdict).toBe('not-linearizable');
  });
});
