/**
 * The core's in-memory copy of the log: an optional snapshot followed by contiguous entries,
 * plus the indexes that say how far the log is committed, durable (`stableIndex`) and applied.
 *
 * Every entry after the snapshot stays in memory until the driver compacts; entries above
 * `offeredIndex` (and `pendingSnapshot`) still have to be handed to the driver, and entries
 * above `stableIndex` are not durable yet (a driver that pipelines its writes has entries
 * between the two: handed over, write in progress).
 */
import { bytesInMemory } from './snapshot-bytes';
import { type Entry, EntryType, type Snapshot, type SnapshotBytes, type SnapshotMeta } from './types';

export class RaftLog {
  /** Newest snapshot (durable or pending): what it covers. */
  snapshotMeta: SnapshotMeta | null;
  /** Its bytes, which the leader sends to followers that fell behind. */
  snapshotBytes: SnapshotBytes | null;
  /** A snapshot received from the leader that the driver has not persisted yet. */
  pendingSnapshot: Snapshot | null = null;
  snapshotIndex: number;
  snapshotTerm: number;
  private entries: Entry[];
  commit: number;
  applied: number;
  /** Every entry at or below this index is durable with its current content. */
  stableIndex: number;
  /** Every entry at or below this index was handed to the driver to persist (>= `stableIndex`). */
  offeredIndex: number;
  /** The commit index of the newest hard state (or snapshot) the driver has made durable. */
  durableCommit: number;

  constructor(snapshot: Snapshot | null, entries: readonly Entry[], commit: number) {
    this.snapshotMeta = snapshot?.meta ?? null;
    this.snapshotBytes = snapshot === null ? null : bytesInMemory(snapshot.data);
    this.snapshotIndex = snapshot?.meta.index ?? 0;
    this.snapshotTerm = snapshot?.meta.term ?? 0;
    let expected = this.snapshotIndex + 1;
    let previousTerm = this.snapshotTerm;
    for (const entry of entries) {
      if (entry.index !== expected) throw new Error(`initial log: expected index ${expected}, got ${entry.index}`);
      if (entry.term < previousTerm) throw new Error(`initial log: term goes back at index ${entry.index}`);
      expected++;
      previousTerm = entry.term;
    }
    this.entries = [...entries];
    if (commit > this.lastIndex()) throw new Error(`initial commit ${commit} beyond last index ${this.lastIndex()}`);
    this.commit = Math.max(commit, this.snapshotIndex);
    this.applied = this.snapshotIndex;
    this.stableIndex = this.lastIndex();
    this.offeredIndex = this.stableIndex;
    this.durableCommit = this.commit;
  }

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries[this.entries.length - 1]?.term ?? this.snapshotTerm;
  }

  /** Term of the entry at `index`, or undefined if compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapshotIndex - 1]?.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.snapshotIndex) return undefined;
    return this.entries[index - this.snapshotIndex - 1];
  }

  /** Entries in [from, to] limited by count and payload bytes (at least one if any exist). */
  slice(from: number, to: number, maxCount: number, maxBytes: number): Entry[] {
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = Math.max(from, this.firstIndex()); index <= Math.min(to, this.lastIndex()); index++) {
      const entry = this.entry(index);
      if (entry === undefined) break;
      if (out.length > 0 && (out.length >= maxCount || bytes + entry.data.length > maxBytes)) break;
      out.push(entry);
      bytes += entry.data.length;
    }
    return out;
  }

  /** §5.4.1: is a log ending at (index, term) at least as up-to-date as this one? */
  isUpToDate(index: number, term: number): boolean {
    const lastTerm = this.lastTerm();
    return term > lastTerm || (term === lastTerm && index >= this.lastIndex());
  }

  /** Appends entries that continue the log exactly (the leader's own proposals). */
  append(entry: Entry): void {
    if (entry.index !== this.lastIndex() + 1) throw new Error(`append: index ${entry.index} after ${this.lastIndex()}`);
    this.entries.push(entry);
  }

  /** Index of the first entry that is not already in the log with the same term, or 0. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (etcd's findConflictByTerm): every
   * entry between it and `index` has a larger term and therefore cannot match the other log.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let at = Math.min(index, this.lastIndex());
    for (;;) {
      const atTerm = this.term(at);
      if (atTerm === undefined) return { index: at, term: 0 };
      if (atTerm <= term || at <= this.snapshotIndex) return { index: at, term: atTerm };
      at--;
    }
  }

  /**
   * Writes `entries` (contiguous) over the log from their first conflicting index. The caller
   * has checked that the entry before them matches and that no committed entry conflicts.
   */
  truncateAndAppend(entries: readonly Entry[], conflict: number): void {
    const keep = conflict - this.snapshotIndex - 1;
    this.entries.length = Math.max(0, keep);
    this.stableIndex = Math.min(this.stableIndex, conflict - 1);
    this.offeredIndex = Math.min(this.offeredIndex, conflict - 1);
    for (const entry of entries) if (entry.index >= conflict) this.entries.push(entry);
  }

  /** Entries not handed to the driver yet. */
  unstableEntries(): Entry[] {
    return this.slice(this.offeredIndex + 1, this.lastIndex(), Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  }

  /**
   * Committed, not yet applied entries (up to `maxCount`); only durable ones unless
   * `beforeDurable` (commit means durable on a quorum, so the local copy need not be yet).
   */
  nextCommittedEntries(maxCount: number, beforeDurable: boolean): Entry[] {
    if (this.pendingSnapshot !== null) return [];
    const to = beforeDurable ? this.commit : Math.min(this.commit, this.stableIndex);
    const entries = this.slice(this.applied + 1, to, maxCount, Number.POSITIVE_INFINITY);
    // A membership change is handed out only once this member would still know it committed
    // after a crash: its configuration comes from the durable commit index at restart, and an
    // operator may act on an applied change (FOUND-BUGS #5: stop a removed member).
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      if (entry.type === EntryType.Config && entry.index > this.durableCommit) return entries.slice(0, i);
    }
    return entries;
  }

  /**
   * Marks the entries of a handled Ready durable. Entries overwritten since then are not:
   * only the newest entry that still matches (and, by log matching, all before it) counts.
   */
  stableTo(entries: readonly Entry[]): void {
    const newest = this.newestMatching(entries);
    this.stableIndex = Math.max(this.stableIndex, newest);
    this.offeredIndex = Math.max(this.offeredIndex, this.stableIndex);
  }

  /** Marks the entries of a Ready handed to the driver, whose write has not finished yet. */
  offeredTo(entries: readonly Entry[]): void {
    this.offeredIndex = Math.max(this.offeredIndex, this.newestMatching(entries));
  }

  /** Index of the newest of `entries` still in the log with the same term (0 if none). */
  private newestMatching(entries: readonly Entry[]): number {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      if (entry !== undefined && this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /** Marks a pending snapshot durable and applied (the driver restored it). */
  snapshotPersisted(snapshot: Snapshot): void {
    if (this.pendingSnapshot !== snapshot) return;
    this.pendingSnapshot = null;
    this.stableIndex = Math.max(this.stableIndex, snapshot.meta.index);
    this.offeredIndex = Math.max(this.offeredIndex, this.stableIndex);
    this.applied = Math.max(this.applied, snapshot.meta.index);
    this.durableCommit = Math.max(this.durableCommit, snapshot.meta.index);
  }

  /**
   * Installs a leader's snapshot. Entries after it survive only if this log has the
   * snapshot's last entry with the same term (then they continue the same history).
   */
  restore(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    if (this.matchTerm(index, term)) {
      this.entries = this.entries.slice(index - this.snapshotIndex);
    } else {
      this.entries = [];
      this.stableIndex = Math.min(this.stableIndex, index - 1);
      this.offeredIndex = Math.min(this.offeredIndex, index - 1);
    }
    this.snapshotMeta = snapshot.meta;
    this.snapshotBytes = bytesInMemory(snapshot.data);
    this.pendingSnapshot = snapshot;
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.commit = Math.max(this.commit, index);
  }

  /**
   * Drops entries up to a snapshot the driver took locally. With entries applied before they
   * are durable the snapshot may lie above `stableIndex`; that index then catches up when the
   * write of the entry at the snapshot's index completes (`stableTo` matches it by the snapshot's term).
   */
  compact(meta: SnapshotMeta, bytes: SnapshotBytes): void {
    const { index } = meta;
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.snapshotMeta = meta;
    this.snapshotBytes = bytes;
    this.snapshotIndex = index;
    this.snapshotTerm = meta.term;
  }
}
