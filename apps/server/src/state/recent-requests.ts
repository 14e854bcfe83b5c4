/**
 * The request ids the state machine applied most recently, so a command delivered twice (a
 * forwarded message duplicated on the way to the leader) is applied once. Part of the
 * replicated state: every member records the same ids in the same order and evicts the oldest
 * first, so the table, like the tree, is a pure function of the log.
 */
export class RecentRequests {
  private readonly ids = new Set<string>();
  // Insertion order, as a ring: evicting from a Set's front walks over the holes its earlier
  // deletions left, which grew to a measurable cost on a busy leader.
  private readonly order: string[] = [];
  private oldest = 0;

  constructor(private readonly max: number) {}

  /** Whether `id` was applied (within the window). */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Records an applied id, evicting the oldest beyond the bound. */
  add(id: string): void {
    if (this.max <= 0 || this.ids.has(id)) return;
    this.ids.add(id);
    if (this.order.length < this.max) {
      this.order.push(id);
      return;
    }
    const evicted = this.order[this.oldest];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.order[this.oldest] = id;
    this.oldest = (this.oldest + 1) % this.max;
  }

  /** The ids, oldest first (for snapshots). */
  list(): string[] {
    return [...this.order.slice(this.oldest), ...this.order.slice(0, this.oldest)];
  }

  /** Replaces the ids (oldest first), as a snapshot holds them. */
  replace(ids: readonly string[]): void {
    this.ids.clear();
    this.order.length = 0;
    this.oldest = 0;
    for (const id of ids) this.add(id);
  }
}
