/**
 * The bounded window of append messages sent to one follower in replicate state and not yet
 * acknowledged. Each slot holds the last index an append carried; an acknowledgement of index
 * `i` frees every slot at or below `i`.
 */
export class Inflights {
  private readonly lastIndexes: number[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`inflight capacity must be >= 1, got ${capacity}`);
  }

  get count(): number {
    return this.lastIndexes.length;
  }

  full(): boolean {
    return this.lastIndexes.length >= this.capacity;
  }

  /** Records an append whose last entry is `lastIndex`; indexes must ascend. */
  add(lastIndex: number): void {
    if (this.full()) throw new Error('inflights: add to a full window');
    const previous = this.lastIndexes[this.lastIndexes.length - 1];
    if (previous !== undefined && lastIndex <= previous) {
      throw new Error(`inflights: index ${lastIndex} does not ascend after ${previous}`);
    }
    this.lastIndexes.push(lastIndex);
  }

  /** Frees every append whose last index is at or below `index`. */
  freeLE(index: number): void {
    let freed = 0;
    while (freed < this.lastIndexes.length && (this.lastIndexes[freed] ?? 0) <= index) freed++;
    if (freed > 0) this.lastIndexes.splice(0, freed);
  }

  /** Frees the oldest slot, so a leader whose acknowledgements were lost can probe again. */
  freeFirstOne(): void {
    this.lastIndexes.shift();
  }

  reset(): void {
    this.lastIndexes.length = 0;
  }
}
