/**
 * The leader's bookkeeping for ReadIndex: reads waiting for the leader's first commit in its
 * term, and reads waiting for a quorum to confirm leadership with a heartbeat round.
 *
 * Rounds are numbered; a heartbeat carries the newest round number at the time it is sent, so
 * a voter answering round r confirms every round <= r. A read of round r is served once a
 * majority (the leader included) has confirmed some round >= r.
 */
import { hasQuorum } from './quorum';
import type { NodeId } from './types';

/** One read request; `from` is the follower that forwarded it, or null for a local read. */
export interface PendingRead {
  readonly context: string;
  readonly from: NodeId | null;
}

/** A read that has its index and waits for its round to be confirmed. */
export interface RoundRead extends PendingRead {
  readonly index: number;
  readonly round: number;
}

export class ReadOnly {
  /** Newest round issued; heartbeats carry it. */
  round = 0;
  private readonly waitingForCommit: PendingRead[] = [];
  private readonly inRound: RoundRead[] = [];
  private readonly acked = new Map<NodeId, number>();

  get pendingCount(): number {
    return this.waitingForCommit.length + this.inRound.length;
  }

  waitForCommit(read: PendingRead): void {
    this.waitingForCommit.push(read);
  }

  takeWaitingForCommit(): PendingRead[] {
    return this.waitingForCommit.splice(0, this.waitingForCommit.length);
  }

  /** Starts a new round for `reads` at commit index `index`; returns the round number. */
  startRound(reads: readonly PendingRead[], index: number): number {
    this.round++;
    for (const read of reads) this.inRound.push({ ...read, index, round: this.round });
    return this.round;
  }

  /** Starts a round that carries no reads (a lease-renewing heartbeat); returns its number. */
  nextRound(): number {
    this.round++;
    return this.round;
  }

  /** The newest round `from` has confirmed in this leadership (0 if none). */
  ackedRound(from: NodeId): number {
    return this.acked.get(from) ?? 0;
  }

  ack(from: NodeId, round: number): void {
    if (round > this.round) return;
    if (round > (this.acked.get(from) ?? 0)) this.acked.set(from, round);
  }

  /** Removes and returns the reads whose round a quorum of `voters` has confirmed. */
  takeConfirmed(voters: readonly NodeId[], self: NodeId): RoundRead[] {
    let count = 0;
    for (const read of this.inRound) {
      const confirmed = hasQuorum(voters, (id) => id === self || (this.acked.get(id) ?? 0) >= read.round);
      if (!confirmed) break;
      count++;
    }
    return this.inRound.splice(0, count);
  }

  /** Removes and returns every pending read (leadership is lost). */
  takeAll(): PendingRead[] {
    const all: PendingRead[] = [...this.waitingForCommit, ...this.inRound];
    this.waitingForCommit.length = 0;
    this.inRound.length = 0;
    this.acked.clear();
    return all;
  }
}
