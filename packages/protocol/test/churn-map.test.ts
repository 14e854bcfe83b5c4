// Goal: ChurnMap behaves as the Map it replaces on hot paths (get, has, set, delete, size, keys,
// values, clear), for integer keys (xids) and string keys (request ids), through heavy churn.
// Method: the same random sequence of operations on a ChurnMap and on a Map, compared after
// every step; values are objects, as the callers store.
import { describe, expect, it } from 'vitest';
import { ChurnMap } from '../src/churn-map';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('ChurnMap', () => {
  it.each([
    ['integer keys', (n: number) => n],
    ['string keys', (n: number) => `m1.boot.${n}`],
  ] as const)('matches a Map through churn with %s', (_name, keyOf) => {
    const next = random(7);
    const churn = new ChurnMap<string | number, { n: number }>();
    const map = new Map<string | number, { n: number }>();
    let counter = 0;
    for (let step = 0; step < 20_000; step++) {
      const roll = next();
      if (roll < 0.5) {
        const key = keyOf(counter++);
        const value = { n: step };
        churn.set(key, value);
        map.set(key, value);
      } else if (roll < 0.9) {
        const key = keyOf(Math.floor(next() * counter));
        expect(churn.delete(key)).toBe(map.delete(key));
      } else if (roll < 0.999) {
        const key = keyOf(Math.floor(next() * counter));
        expect(churn.get(key)).toBe(map.get(key));
        expect(churn.has(key)).toBe(map.has(key));
      } else {
        churn.clear();
        map.clear();
      }
      expect(churn.size).toBe(map.size);
    }
    expect(churn.keys()).toEqual([...map.keys()].map(String));
    expect(churn.values()).toEqual([...map.values()]);
  });

  it('overwrites a key without counting it twice, and refuses undefined as a value', () => {
    const churn = new ChurnMap<string, number>();
    churn.set('__proto__', 1);
    churn.set('__proto__', 2);
    expect(churn.size).toBe(1);
    expect(churn.get('__proto__')).toBe(2);
    expect(churn.get('toString')).toBeUndefined();
    expect(() => churn.set('a', undefined as unknown as number)).toThrow(TypeError);
    expect(churn.size).toBe(1);
  });
});
