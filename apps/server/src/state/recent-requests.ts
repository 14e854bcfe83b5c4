/**
 * The request ids the state machine applied most recently, so a command delivered twice (a
 * forwarded message duplicated on the way to the leader) is applied once. Part of the
 * replicated state: every member records the same ids in the same order and evicts the oldest
 * first, so the table, like the tree, is a pure function of the log.
 */
export class RecentRequests {
  private readonly ids = new Set<string>();

  constructor(private readonly max: number) {}

  /** Whether `id` was applied (within the window). */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Records an applied id, evicting the oldest beyond the bound. */
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size <= this.max) return;
    // A Set iterates in insertion order: the first id is the oldest.
    for (const oldest of this.ids) {
      this.ids.delete(oldest);
      break;
    }
  }

  /** The ids, oldest first (for snapshots). */
  list(): string[] {
    return [...this.ids];
  }

  /** Replaces the ids (oldest first), as a snapshot holds them. */
  replace(ids: readonly string[]): void {
    this.ids.clear();
    for (const id of ids) this.add(id);
  }
}
