/**
 * How long a service was unavailable after a fault, judged by the writes that succeeded: the
 * longest stretch after the fault without a success, counting only writes SENT after the
 * fault. A write sent before it may be answered just after it (the old leader committed it in
 * time) and proves nothing about the service afterwards; counting such answers once let a
 * run report a 1.6 ms failover for a cluster whose new leader took far longer. A stretch still
 * open when the run ends counts too.
 */
export class UnavailabilityTracker {
  private faultAt: number | undefined;
  private lastSuccess = 0;
  private longest = 0;

  /** The fault happened at `at` (microseconds, the same clock as the writes'). */
  fault(at: number): void {
    this.faultAt = at;
  }

  /** A write sent at `sentAt` succeeded at `doneAt`. */
  success(sentAt: number, doneAt: number): void {
    const faultAt = this.faultAt;
    if (faultAt === undefined || sentAt < faultAt) return;
    this.longest = Math.max(this.longest, doneAt - Math.max(this.lastSuccess, faultAt));
    this.lastSuccess = doneAt;
  }

  /**
   * The longest stretch without a success after the fault, in microseconds, including the one
   * open at `end`; undefined if no write sent after the fault succeeded.
   */
  result(end: number): number | undefined {
    const faultAt = this.faultAt;
    if (faultAt === undefined || this.lastSuccess < faultAt) return undefined;
    return Math.max(this.longest, end - this.lastSuccess);
  }
}
