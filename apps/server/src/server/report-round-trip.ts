/**
 * Whether this member's session reports reach the leader. A follower keeps its clients' sessions
 * alive only through its `touchSessions` reports; a member whose outgoing links are cut (a
 * one-way partition) still hears the leader, so it keeps its leader and its clients, while the
 * leader, hearing none of its reports, expires their sessions. The reports are replicated
 * commands, so every member applies its own: a report not seen applied within `boundMs` (after
 * one re-send at half the bound, so a single lost message does not count) means this member is
 * cut off from the leader, and it closes its client connections so their clients fail over
 * before their sessions can expire, as a member that lost the leader does.
 *
 * A report is recognised by its session ids: any applied `touchSessions` naming a session of an
 * outstanding report settles it and every older one (the leader heard this member since).
 */
import { touchSessionsMax } from '../constants';
import { encodeCommand } from '../state/commands';

/** What the round-trip check needs from its member. */
export interface ReportHost {
  /** Whether this member leads (a leader hears its clients directly and reports nothing). */
  isLeader(): boolean;
  /** Whether the replicated state still holds the session. */
  hasSession(sessionId: string): boolean;
  /** Hands a command to the leader from this member (no answer awaited). */
  submit(data: Uint8Array): Promise<void>;
  /** This member's reports stopped reaching the leader: close the client connections. */
  cutOff(reason: string): void;
}

interface OutstandingReport {
  readonly sessionIds: readonly string[];
  readonly sentAt: number;
}

/** Sends this member's session reports and checks that they come back applied. */
export class ReportRoundTrip {
  private outstanding: OutstandingReport[] = [];
  // When the outstanding reports were last re-sent, if they were.
  private resentAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: ReportHost,
    /** How long a report may stay unapplied before this member counts itself cut off. */
    private readonly boundMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the periodic check. */
  start(): void {
    this.timer ??= setInterval(() => this.check(), Math.max(1, Math.floor(this.boundMs / 8)));
    this.timer.unref();
  }

  /** Stops the periodic check. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reports the sessions this member heard from to the leader. */
  report(sessionIds: readonly string[]): void {
    if (sessionIds.length === 0 || this.host.isLeader()) return;
    for (let start = 0; start < sessionIds.length; start += touchSessionsMax) {
      const chunk = sessionIds.slice(start, start + touchSessionsMax);
      const report: OutstandingReport = { sessionIds: chunk, sentAt: this.now() };
      this.outstanding.push(report);
      this.host.submit(encodeCommand({ type: 'touchSessions', sessionIds: chunk, time: Date.now() })).catch(() => {
        // No leader known: not this check's concern (a leaderless member closes its clients
        // itself, and the next leader gives every session a full timeout).
        this.outstanding = this.outstanding.filter((each) => each !== report);
      });
    }
  }

  /** On the apply path: a `touchSessions` naming `sessionIds` (those still open) was applied. */
  applied(sessionIds: readonly string[]): void {
    if (this.outstanding.length === 0 || sessionIds.length === 0) return;
    const named = new Set(sessionIds);
    for (let index = this.outstanding.length - 1; index >= 0; index--) {
      const report = this.outstanding[index];
      if (report === undefined || !report.sessionIds.some((id) => named.has(id))) continue;
      this.outstanding = this.outstanding.slice(index + 1);
      this.resentAt = null;
      return;
    }
  }

  /** The leader changed (or this member leads): reports sent to the previous one may be lost. */
  reset(): void {
    this.outstanding = [];
    this.resentAt = null;
  }

  /** Re-sends a late report once, and counts this member cut off when it stays unapplied. */
  check(): void {
    if (this.host.isLeader()) {
      this.reset();
      return;
    }
    // A report whose sessions all closed meanwhile comes back naming none of them.
    this.outstanding = this.outstanding.filter((report) => report.sessionIds.some((id) => this.host.hasSession(id)));
    const oldest = this.outstanding[0];
    if (oldest === undefined) {
      this.resentAt = null;
      return;
    }
    const now = this.now();
    const age = now - oldest.sentAt;
    if (age > this.boundMs && this.resentAt !== null && now - this.resentAt > this.boundMs / 2) {
      this.reset();
      this.host.cutOff(`no session report of this member reached the leader within ${this.boundMs} ms`);
      return;
    }
    if (age > this.boundMs / 2 && this.resentAt === null) {
      this.resentAt = now;
      const ids = new Set<string>();
      for (const report of this.outstanding) for (const id of report.sessionIds) ids.add(id);
      this.report([...ids].filter((id) => this.host.hasSession(id)));
    }
  }
}
