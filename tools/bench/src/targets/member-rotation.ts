/**
 * Which member each new session starts on. Clients pick a member at random, so 8 sessions over
 * 3 members split 4/3/1 in one run and 2/3/3 in the next, and sessions on the leader do about
 * twice the work of those on followers: ratios between systems swung by ±50% from that alone.
 * Handing the members out in turn gives every run and every system the same even split; a
 * session still fails over to the others in its list.
 */

/** Hands out member positions 0, 1, …, count-1, 0, 1, … */
export class MemberRotation {
  private next = 0;

  constructor(private readonly count: number) {}

  /** The position the next session starts at. */
  take(): number {
    const position = this.next % Math.max(1, this.count);
    this.next += 1;
    return position;
  }
}

/** `items` starting at `start`, wrapping around. */
export function rotated<T>(items: readonly T[], start: number): T[] {
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * A random source whose first `count - 1` draws keep a Fisher-Yates shuffle of `count` items in
 * their given order (each draw picks the last remaining position), then plain `Math.random`.
 */
export function inOrderFirst(count: number): () => number {
  let keep = Math.max(0, count - 1);
  return () => {
    if (keep > 0) {
      keep -= 1;
      return 1 - Number.EPSILON;
    }
    return Math.random();
  };
}
