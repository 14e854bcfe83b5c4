/**
 * Where each watch resumes after a reconnect: the revision up to which it is known to have
 * received every event, kept per watch rather than client-wide.
 *
 * A member answers an `addWatch` with `sinceRevision` and then replays the missed events in the
 * same synchronous step, so until a frame sent after that replay arrives (any frame but a watch
 * event, or a watch event newer than the answer) the watch is complete only up to its last
 * replayed event; a connection lost in between must replay from there again. Once live on a
 * connection, a watch is complete up to the newest revision seen on it: a member sends a
 * change's events before any frame carrying a later revision.
 */

/** One watch's resume point; `through` is undefined until a member first confirmed the watch. */
export interface ResumePoint {
  through: number | undefined;
}

/** Creates the resume point of a new watch. */
export const newResumePoint = (): ResumePoint => ({ through: undefined });

/** The resume points of the watches registered on the current connection. */
export class ResumeTracker {
  private readonly live = new Set<ResumePoint>();
  // Watches whose replay may still be arriving, with the revision their addWatch answer carried.
  private readonly replaying = new Map<ResumePoint, number>();

  /** A member answered, at `revision`, an addWatch sent with `sinceRevision` (undefined: from now). */
  answered(point: ResumePoint, sinceRevision: number | undefined, revision: number): void {
    if (sinceRevision === undefined || revision <= sinceRevision) {
      this.goLive(point, revision);
      return;
    }
    point.through ??= sinceRevision;
    this.replaying.set(point, Math.max(this.replaying.get(point) ?? 0, revision));
  }

  /** A member registered the watch, with nothing to replay, in an answer at `revision`. */
  registered(point: ResumePoint, revision: number): void {
    this.goLive(point, revision);
  }

  /** A frame arrived on the current connection (call before dispatching it). */
  frame(type: string, revision: number): void {
    if (this.replaying.size === 0) return;
    for (const [point, until] of this.replaying) {
      if (type === 'watch' && revision <= until) continue;
      this.replaying.delete(point);
      this.goLive(point, until);
    }
  }

  /** An event at `revision` reached the watch: a replay has delivered everything before it. */
  delivered(point: ResumePoint, revision: number): void {
    if (this.replaying.has(point)) advance(point, revision - 1);
  }

  /** The current connection ended after frames up to `revision`. */
  disconnected(revision: number): void {
    for (const point of this.live) advance(point, revision);
    this.live.clear();
    this.replaying.clear();
  }

  /** The watch is gone (fired, refused or removed). */
  forget(point: ResumePoint): void {
    this.live.delete(point);
    this.replaying.delete(point);
  }

  private goLive(point: ResumePoint, revision: number): void {
    this.replaying.delete(point);
    advance(point, revision);
    this.live.add(point);
  }
}

function advance(point: ResumePoint, revision: number): void {
  if (point.through === undefined || revision > point.through) point.through = revision;
}
