/**
 * The leader's view of session liveness. Liveness is not replicated (DESIGN §3): the leader
 * records when it last heard from each session and expires a silent one by proposing a
 * `closeSession(expired)` command, which deletes its ephemerals on every member. Every member
 * also remembers which sessions it heard from since its last report, which a follower sends to
 * the leader (a `touchSessions` command) so a client served by a follower stays alive.
 */
import type { Session } from '../state/sessions';

/** What the tracker needs from its member. */
export interface LivenessHost {
  /** Whether this member leads; only the leader expires sessions. */
  isLeader(): boolean;
  /** The sessions of the replicated state. */
  sessions(): readonly Session[];
  /** Proposes the expiry of a session; resolves once applied (or rejects). */
  expire(sessionId: string): Promise<void>;
}

/** Tracks the last time each session was heard from and expires the silent ones. */
export class SessionLiveness {
  private readonly lastSeen = new Map<string, number>();
  private readonly expiring = new Set<string>();
  private heard = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: LivenessHost,
    private readonly checkEveryMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts the periodic check. */
  start(): void {
    this.timer ??= setInterval(() => this.check(), this.checkEveryMs);
    this.timer.unref();
  }

  /** Stops the periodic check. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The session was heard from (a request or a ping, here or, reported, on another member). */
  touch(sessionId: string): void {
    this.heard.add(sessionId);
    // Only the leader keeps clocks; a follower's would never be pruned (check runs on the leader).
    if (this.host.isLeader()) this.lastSeen.set(sessionId, this.now());
  }

  /** The sessions heard from since the previous call (what a follower reports to the leader). */
  takeHeard(): string[] {
    const heard = [...this.heard];
    this.heard = new Set();
    return heard;
  }

  /**
   * Gives every session a full timeout of grace, as a new leader must: it cannot know when the
   * previous leader last heard from them.
   */
  restartClocks(): void {
    this.lastSeen.clear();
  }

  /** Expires every session not heard from within its timeout; a no-op on a follower. */
  check(): void {
    if (!this.host.isLeader()) return;
    const now = this.now();
    const live = new Set<string>();
    for (const session of this.host.sessions()) {
      live.add(session.id);
      const seen = this.lastSeen.get(session.id);
      // A session this leader never heard from starts its clock now.
      if (seen === undefined) {
        this.lastSeen.set(session.id, now);
        continue;
      }
      if (now - seen <= session.timeoutMs || this.expiring.has(session.id)) continue;
      this.expiring.add(session.id);
      this.host
        .expire(session.id)
        .catch(() => {
          // Leadership moved or the member stops; the next leader restarts the clock anyway.
        })
        .finally(() => this.expiring.delete(session.id));
    }
    for (const id of this.lastSeen.keys()) if (!live.has(id)) this.lastSeen.delete(id);
  }
}
