/**
 * ZooKeeper's one-shot watches on the client side: callbacks by kind and path, fired once by the
 * first matching event, then forgotten. The routing mirrors the member's: `data` fires on
 * dataChanged and deleted, `exists` on created, dataChanged and deleted, `children` on
 * childrenChanged and deleted, `turn` on turn and deleted. The member sends one event per change
 * however many of the connection's watches it fires; this table fans it out to every callback
 * it concerns.
 */
import type { NodeWatchEvent } from '@keel/protocol';
import { newResumePoint, type ResumePoint, type ResumeTracker } from './resume-points';
import { callSafely, type OneShotKind, oneShotKinds, type WatchedEvent, type Watcher } from './watch-event';

const kindsFiredBy: Readonly<Record<NodeWatchEvent['event'], readonly OneShotKind[]>> = {
  created: ['exists'],
  dataChanged: ['data', 'exists'],
  deleted: ['data', 'exists', 'children', 'turn'],
  childrenChanged: ['children'],
  turn: ['turn'],
};

/** The one-shot watches of a client. */
export class OneShotWatches {
  private readonly watchers: Record<OneShotKind, Map<string, Set<Watcher>>> = {
    data: new Map(),
    exists: new Map(),
    children: new Map(),
    turn: new Map(),
  };

  // Where each waiting kind and path resumes on a new connection (`resume-points.ts`).
  private readonly resumePoints = new Map<string, ResumePoint>();

  constructor(
    private readonly report: (error: unknown) => void,
    private readonly resumes: ResumeTracker,
    /** The newest revision seen on the current connection. */
    private readonly revision: () => number,
  ) {}

  /**
   * Adds a callback, as the answer of the read that registered it on the member is dispatched;
   * the same callback on the same kind and path is kept once (ZooKeeper's rule).
   */
  add(kind: OneShotKind, path: string, watcher: Watcher): void {
    let set = this.watchers[kind].get(path);
    if (set === undefined) {
      set = new Set();
      this.watchers[kind].set(path, set);
    }
    set.add(watcher);
    this.resumes.registered(this.resumePointOf(kind, path), this.revision());
  }

  /** The resume point of a waiting kind and path. */
  resumePointOf(kind: OneShotKind, path: string): ResumePoint {
    const key = `${kind}\u0000${path}`;
    let point = this.resumePoints.get(key);
    if (point === undefined) {
      point = newResumePoint();
      this.resumePoints.set(key, point);
    }
    return point;
  }

  private spend(kind: OneShotKind, path: string): void {
    this.watchers[kind].delete(path);
    const key = `${kind}\u0000${path}`;
    const point = this.resumePoints.get(key);
    if (point === undefined) return;
    this.resumes.forget(point);
    this.resumePoints.delete(key);
  }

  /** Fires and forgets the callbacks a change event reaches. */
  dispatch(event: NodeWatchEvent): void {
    const fired = new Set<Watcher>();
    for (const kind of kindsFiredBy[event.event]) {
      const set = this.watchers[kind].get(event.path);
      if (set === undefined) continue;
      this.spend(kind, event.path);
      for (const watcher of set) fired.add(watcher);
    }
    const watched: WatchedEvent = { type: event.event, path: event.path, revision: event.revision };
    for (const watcher of fired) callSafely(watcher, watched, this.report);
  }

  /** Fires and forgets the callbacks of one kind and path with `resyncNeeded`. */
  resync(kind: OneShotKind, path: string, revision: number): void {
    const set = this.watchers[kind].get(path);
    if (set === undefined) return;
    this.spend(kind, path);
    const event: WatchedEvent = { type: 'resyncNeeded', path, revision };
    for (const watcher of set) callSafely(watcher, event, this.report);
  }

  /** Every kind and path with a waiting callback, to register again on a new connection. */
  registrations(): { kind: OneShotKind; path: string }[] {
    const all: { kind: OneShotKind; path: string }[] = [];
    for (const kind of oneShotKinds) {
      for (const path of this.watchers[kind].keys()) all.push({ kind, path });
    }
    return all;
  }

  /** How many callbacks wait. */
  get size(): number {
    let count = 0;
    for (const kind of oneShotKinds) {
      for (const set of this.watchers[kind].values()) count += set.size;
    }
    return count;
  }
}
