/**
 * A simulated disk for one member: what the driver persisted from `Ready`, split into the
 * durable part (survives a crash) and the written-but-not-yet-synced part (may not).
 *
 * Writes are kept as an ordered list of operations until the simulated fsync completes.
 * A crash keeps a random prefix of that list, as an append-only file would: a snapshot
 * install and a hard state write are atomic (all or nothing), an entries write may be torn
 * between entries. Order is preserved because the `Ready` contract persists snapshot, then
 * entries, then hard state.
 */
import type { RaftInitialState } from '../core/raft';
import type { Entry, HardState, Snapshot } from '../core/types';
import type { Prng } from './prng';

/** One buffered write. */
export type DiskWrite =
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState };

/** The contents of a disk: a snapshot, the log after it and the hard state. */
export class DiskImage {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** Entries after the snapshot, contiguous and ascending. */
  entries: Entry[];

  constructor(initial: RaftInitialState) {
    this.hardState = initial.hardState;
    this.snapshot = initial.snapshot;
    this.entries = initial.entries.slice();
  }

  clone(): DiskImage {
    return new DiskImage({ hardState: this.hardState, snapshot: this.snapshot, entries: this.entries });
  }

  /** Index of the entry just before `entries[0]`. */
  get offset(): number {
    return this.snapshot?.meta.index ?? 0;
  }

  get lastIndex(): number {
    return this.offset + this.entries.length;
  }

  /** The term at `index`, from the log or the snapshot; undefined when not held. */
  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    if (this.snapshot !== null && index === this.snapshot.meta.index) return this.snapshot.meta.term;
    return this.entries[index - this.offset - 1]?.term;
  }

  entryAt(index: number): Entry | undefined {
    return this.entries[index - this.offset - 1];
  }

  /** True when this disk holds (index, term) in its log or its snapshot covers index. */
  covers(index: number, term: number): boolean {
    if (this.snapshot !== null && index <= this.snapshot.meta.index) return true;
    return this.termAt(index) === term;
  }

  apply(write: DiskWrite): void {
    switch (write.kind) {
      case 'snapshot':
        this.installSnapshot(write.snapshot);
        return;
      case 'entries':
        this.append(write.entries);
        return;
      case 'hardState':
        this.hardState = write.hardState;
        return;
    }
  }

  /** Stores a snapshot; keeps the log after it only if the log agrees at its index. */
  installSnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    const keep = this.termAt(index) === term && index <= this.lastIndex;
    const rest = keep ? this.entries.slice(index - this.offset) : [];
    this.snapshot = snapshot;
    this.entries = rest;
  }

  /** Appends, replacing any stored suffix from the first new index on. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.offset) {
      // Entries the snapshot already covers are dropped; the core should never send them.
      const skip = this.offset + 1 - first.index;
      this.append(entries.slice(skip));
      return;
    }
    if (first.index > this.lastIndex + 1) {
      throw new Error(`disk: gap, appending ${first.index} after ${this.lastIndex}`);
    }
    this.entries.length = first.index - this.offset - 1;
    for (const entry of entries) this.entries.push(entry);
  }
}

/** A member's disk: durable image plus writes waiting for fsync. */
export class SimDisk {
  /** What survives a crash. */
  durable: DiskImage;
  /** What the member sees: durable plus pending writes. */
  private pending: DiskWrite[] = [];

  constructor(initial: RaftInitialState) {
    this.durable = new DiskImage(initial);
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  write(write: DiskWrite): void {
    this.pending.push(write);
  }

  /** The fsync completed: every pending write is durable. */
  sync(): void {
    for (const write of this.pending) this.durable.apply(write);
    this.pending = [];
  }

  /** Compaction by the driver: an atomic, synced snapshot write that drops the covered log. */
  saveSnapshot(snapshot: Snapshot): void {
    if (this.pending.length > 0) throw new Error('disk: compaction with unsynced writes');
    this.durable.installSnapshot(snapshot);
  }

  /**
   * Power loss: a random prefix of the pending writes reaches the platter, the last one
   * possibly torn between entries. Returns how many entries were lost for the statistics.
   */
  crash(random: Prng, tornWrites: boolean): number {
    const writes = this.pending;
    this.pending = [];
    if (!tornWrites) return countEntries(writes);
    const kept = random.int(0, writes.length);
    for (let i = 0; i < kept; i++) this.durable.apply(writes[i] as DiskWrite);
    const torn = writes[kept];
    let lost = countEntries(writes.slice(kept + 1));
    if (torn !== undefined) {
      if (torn.kind === 'entries') {
        const prefix = random.int(0, torn.entries.length);
        this.durable.append(torn.entries.slice(0, prefix));
        lost += torn.entries.length - prefix;
      }
      // Snapshots and hard states are written atomically: the torn one is simply lost.
    }
    return lost;
  }

  /** Durable plus pending writes: the log as the member itself sees it. */
  view(): DiskImage {
    const image = this.durable.clone();
    for (const write of this.pending) image.apply(write);
    return image;
  }

  /** The state a restarted member starts from. */
  load(): RaftInitialState {
    return {
      hardState: this.durable.hardState,
      snapshot: this.durable.snapshot,
      entries: this.durable.entries.slice(),
    };
  }
}

function countEntries(writes: readonly DiskWrite[]): number {
  let n = 0;
  for (const w of writes) if (w.kind === 'entries') n += w.entries.length;
  return n;
}
