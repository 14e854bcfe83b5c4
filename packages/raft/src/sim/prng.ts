/**
 * Seeded pseudo-random numbers for the simulator. Every choice a run makes comes from one
 * of these, so a seed replays the whole run bit for bit.
 */

/**
 * mulberry32: a tiny seeded generator of floats in [0, 1), good enough to drive simulations
 * and fuzzers reproducibly (not for secrets).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded generator (mulberry32) with the helpers the simulator needs. */
export class Prng {
  private readonly generate: () => number;

  constructor(seed: number) {
    // Mixing the seed first keeps neighbouring seeds (1, 2, 3 ...) from starting alike.
    this.generate = mulberry32(mix32(seed >>> 0) || 0x9e3779b9);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.generate();
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element; throws on an empty list (a simulator bug). */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Prng.pick on an empty list');
    return item;
  }

  /** A copy of `items` in random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }

  /** An independent generator derived from this one, for a separate concern (e.g. one node). */
  fork(): Prng {
    return new Prng(Math.floor(this.next() * 4294967296));
  }
}

function mix32(x: number): number {
  let h = x ^ 0xdeadbeef;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over a string, continuing from `hash`; used for trace hashes, not for safety. */
export function fnv1a(text: string, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
