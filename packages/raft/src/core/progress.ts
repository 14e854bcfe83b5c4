/**
 * The leader's view of one peer's log (etcd's tracker.Progress, simplified):
 *
 * - `probe`: the leader does not know where the follower's log matches; it sends one append
 *   at a time and waits for an answer (or the next heartbeat response) before sending again.
 * - `replicate`: the follower is known to match up to `match`; appends are pipelined
 *   optimistically from `next`, bounded by the inflight window.
 * - `snapshot`: the follower needs entries the leader compacted; a snapshot is being sent in
 *   chunks and appends are paused until it is acknowledged.
 */
import { Inflights } from './inflights';
import type { Entry } from './types';

/** Replication state of one peer. */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** Mutable replication progress of one peer, owned by the leader. */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and no answer has arrived since. */
  probeSent = false;
  /** The highest commit index a `commit` message told (appends carry it too, untracked). */
  commitSent = 0;
  /** Heard from since the last check-quorum round. */
  recentActive: boolean;
  learner: boolean;
  readonly inflights: Inflights;
  /** In snapshot state: the snapshot being sent and the offset of the chunk awaiting an ack. */
  snapshotIndex = 0;
  snapshotTerm = 0;
  snapshotOffset = 0;

  constructor(next: number, inflightCapacity: number, learner: boolean, recentActive: boolean) {
    this.next = next;
    this.recentActive = recentActive;
    this.inflights = new Inflights(inflightCapacity);
    this.learner = learner;
  }

  becomeProbe(): void {
    // After a snapshot the follower holds at least the snapshot, so probing starts past it.
    const floor = this.state === 'snapshot' ? Math.max(this.match, this.snapshotIndex) : this.match;
    this.resetState('probe');
    this.next = floor + 1;
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number, term: number): void {
    this.resetState('snapshot');
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.snapshotOffset = 0;
  }

  /** Records an acknowledgement up to `index`; returns true if `match` moved forward. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      this.probeSent = false;
      updated = true;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * Handles a rejection of the append whose previous index was `rejected`; `matchHint` is
   * the highest index the leader believes might still match. Returns false for stale
   * rejections, which must not move `next` backwards again.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.state === 'snapshot') return false;
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** True when no append should be sent now. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  /** Accounts for an append carrying `entries` just sent to this peer. */
  sentEntries(entries: readonly Entry[]): void {
    const last = entries[entries.length - 1];
    if (this.state === 'replicate') {
      if (last !== undefined) {
        this.next = last.index + 1;
        this.inflights.add(last.index);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  private resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.inflights.reset();
    this.snapshotIndex = 0;
    this.snapshotTerm = 0;
    this.snapshotOffset = 0;
  }
}
