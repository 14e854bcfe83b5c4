/**
 * The child names of one directory in code-unit order, sorted a run at a time, so that a
 * snapshot never sorts a large directory in one event-loop turn: sorting the 130,000 names of
 * the benchmark's create directory took 45-75 ms at once, a stall for every write passing
 * through that member. Each call to {@link SortedNames.prepare} sorts one run of at most
 * `runLength` names; once all are sorted, {@link SortedNames.next} merges them (a binary heap of
 * the runs' heads, compared as the default sort compares: by UTF-16 code unit). Names in one
 * directory are distinct, so the order is the same as one sort of the whole list.
 */

/** Names sorted at once (about half a millisecond); a larger directory is sorted in runs of this many. */
export const namesSortedAtOnce = 2048;

/** One directory's names, handed out in sorted order once {@link prepare} has returned true. */
export class SortedNames {
  private readonly runs: string[][] = [];
  private runsSorted = 0;
  /** Next position in each run. */
  private readonly positions: number[] = [];
  /** Indexes of the runs with names left, as a min-heap on each run's next name. */
  private readonly heap: number[] = [];

  constructor(names: string[], runLength = namesSortedAtOnce) {
    if (!(runLength >= 1)) throw new RangeError(`runLength must be at least 1, got ${runLength}`);
    if (names.length <= runLength) this.runs.push(names);
    else for (let at = 0; at < names.length; at += runLength) this.runs.push(names.slice(at, at + runLength));
  }

  /**
   * Names already in code-unit order, such as the tree's cached listing of a directory: handed
   * out as they are, never sorted or changed.
   */
  static presorted(names: readonly string[]): SortedNames {
    const sorted = new SortedNames([]);
    // Marked sorted, so `prepare` never sorts it in place: the array may be frozen.
    sorted.runs[0] = names as string[];
    sorted.runsSorted = 1;
    sorted.positions.push(0);
    if (names.length > 0) sorted.push(0);
    return sorted;
  }

  /** Sorts one more run; true once all are sorted (then it does nothing). */
  prepare(): boolean {
    if (this.runsSorted === this.runs.length) return true;
    // The default sort orders by UTF-16 code unit without calling back into JavaScript.
    this.runs[this.runsSorted]?.sort();
    this.runsSorted++;
    if (this.runsSorted < this.runs.length) return false;
    for (let run = 0; run < this.runs.length; run++) {
      this.positions.push(0);
      if ((this.runs[run]?.length ?? 0) > 0) this.push(run);
    }
    return true;
  }

  /** The next name in order, or undefined when none is left. Only after {@link prepare} returned true. */
  next(): string | undefined {
    if (this.runsSorted < this.runs.length) throw new Error('SortedNames: runs left to sort');
    const run = this.heap[0];
    if (run === undefined) return undefined;
    const names = this.runs[run] as string[];
    const position = this.positions[run] as number;
    this.positions[run] = position + 1;
    if (position + 1 < names.length) this.siftDown(0);
    else {
      const last = this.heap.pop() as number;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.siftDown(0);
      }
    }
    return names[position];
  }

  private head(run: number): string {
    return (this.runs[run] as string[])[this.positions[run] as number] as string;
  }

  private push(run: number): void {
    const heap = this.heap;
    heap.push(run);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.head(heap[parent] as number) <= this.head(run)) break;
      heap[at] = heap[parent] as number;
      at = parent;
    }
    heap[at] = run;
  }

  private siftDown(from: number): void {
    const heap = this.heap;
    const run = heap[from] as number;
    const name = this.head(run);
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && this.head(heap[right] as number) < this.head(heap[left] as number) ? right : left;
      if (name <= this.head(heap[child] as number)) break;
      heap[at] = heap[child] as number;
      at = child;
    }
    heap[at] = run;
  }
}
