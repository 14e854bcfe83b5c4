/**
 * A member's bounded window of recent changes, so a watch re-registered after a reconnect can be
 * given every event it missed (DESIGN §3). It holds the change events of the last
 * `revisionsMax` revisions, and at most `eventsMax` events however few revisions that is (one
 * session close may delete many nodes). Nothing here is replicated: each member fills its
 * window from the entries it applies, and empties it when a snapshot replaces its state.
 */
import type { WatchKind } from '@keel/protocol';
import type { ChangeEvent } from '../state/results';
import { isOneShot, watchSees } from './watch-registry';

/** The changes of one revision. */
interface RevisionChanges {
  readonly revision: number;
  readonly changes: readonly ChangeEvent[];
}

/** The recent changes of one member, oldest first. */
export class ChangeWindow {
  private entries: RevisionChanges[] = [];
  private head = 0;
  private events = 0;
  /** Every change with a revision after this one is in the window. */
  private complete = 0;

  constructor(
    /** Most revisions (log indexes) the window reaches back. */
    private readonly revisionsMax: number,
    /** Most change events it holds. */
    private readonly eventsMax: number,
  ) {
    if (!(Number.isSafeInteger(revisionsMax) && revisionsMax >= 0)) {
      throw new RangeError(`revisionsMax must be a non-negative integer, got ${revisionsMax}`);
    }
    if (!(Number.isSafeInteger(eventsMax) && eventsMax >= 0)) {
      throw new RangeError(`eventsMax must be a non-negative integer, got ${eventsMax}`);
    }
  }

  /** The revision after which the window holds every change (it holds none at or before it). */
  get completeAfter(): number {
    return this.complete;
  }

  /** How many change events the window holds. */
  get size(): number {
    return this.events;
  }

  /** Records the changes of the entry applied at `revision` (entries come in log order). */
  record(revision: number, changes: readonly ChangeEvent[]): void {
    if (changes.length > 0) {
      this.entries.push({ revision, changes });
      this.events += changes.length;
    }
    this.trim(revision - this.revisionsMax);
    while (this.events > this.eventsMax && this.head < this.entries.length) {
      this.trim(this.entries[this.head]!.revision);
    }
  }

  /** Forgets everything: the state jumped to `revision` without its changes (a snapshot). */
  reset(revision: number): void {
    this.entries = [];
    this.head = 0;
    this.events = 0;
    this.complete = revision;
  }

  /** Whether the window holds every change after `revision`. */
  reaches(revision: number): boolean {
    return revision >= this.complete;
  }

  /**
   * The events after `revision` a watch of `kind` on `path` would have seen, in order; a
   * one-shot kind sees at most one (it would have fired once and been gone). The caller checks
   * {@link reaches} first.
   */
  missed(path: string, kind: WatchKind, revision: number): ChangeEvent[] {
    const seen: ChangeEvent[] = [];
    for (let i = this.firstAfter(revision); i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      for (const change of entry.changes) {
        if (!watchSees(kind, path, change)) continue;
        seen.push(change);
        if (isOneShot(kind)) return seen;
      }
    }
    return seen;
  }

  // Entries are in revision order: binary search for the first one after `revision`.
  private firstAfter(revision: number): number {
    let low = this.head;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]!.revision <= revision) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  // Drops the entries at or before `revision`; afterwards the window is complete after it.
  private trim(revision: number): void {
    if (revision <= this.complete) return;
    this.complete = revision;
    while (this.head < this.entries.length && this.entries[this.head]!.revision <= revision) {
      this.events -= this.entries[this.head]!.changes.length;
      this.head++;
    }
    // Compact the array once the dropped prefix dominates, so memory follows the window.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
