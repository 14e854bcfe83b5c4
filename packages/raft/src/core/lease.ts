/**
 * The leader side of lease reads: when each numbered heartbeat round was first sent, in the
 * leader's ticks. A quorum acknowledging round r proves that a quorum of voters heard from
 * this leader no earlier than `sentAt(r)`; each of them then refuses to vote for anyone else
 * for `electionTicks` of its own ticks (see `Raft` on leases). The lease is measured from the
 * send, never from the arrival of the acknowledgement.
 */

/** Send times of recent heartbeat rounds, oldest first. */
export class LeaderLease {
  private readonly sent: { readonly round: number; readonly at: number }[] = [];

  /** Records that round `round` was sent at tick `at`; keeps the first send of a round. */
  recordSent(round: number, at: number, keepTicks: number): void {
    const last = this.sent[this.sent.length - 1];
    if (last === undefined || last.round < round) this.sent.push({ round, at });
    // Rounds sent longer ago than a lease lasts can never make one valid again.
    while (this.sent.length > 0 && (this.sent[0]?.at ?? 0) < at - keepTicks) this.sent.shift();
  }

  /** The tick at which `round` was first sent, if it is still remembered. */
  sentAt(round: number): number | undefined {
    for (const entry of this.sent) if (entry.round === round) return entry.at;
    return undefined;
  }

  clear(): void {
    this.sent.length = 0;
  }
}
