/**
 * What watchers receive.
 */
import type { WatchEventType, WatchKind } from '@keel/protocol';

/**
 * The type of a watch event: a change to a node (`created`, `deleted`, `dataChanged`,
 * `childrenChanged`) or `resyncNeeded`: events may have been missed (the member could not
 * replay them after a reconnect, or a slow consumer overflowed its queue), so re-read the
 * watched state. A watch stream goes on without a gap after `resyncNeeded`.
 */
export type WatchedEventType = WatchEventType | 'resyncNeeded';

/** One watch event. */
export interface WatchedEvent {
  readonly type: WatchedEventType;
  /** The node that changed (for `resyncNeeded`, the watched path). */
  readonly path: string;
  /** The revision of the change (for `resyncNeeded`, the member's revision). */
  readonly revision: number;
}

/** A one-shot watch callback, as ZooKeeper's `Watcher.process`. */
export type Watcher = (event: WatchedEvent) => void;

/** The one-shot watch kinds a read leaves. */
export type OneShotKind = Extract<WatchKind, 'data' | 'exists' | 'children'>;

/** The persistent watch kinds `watch()` registers. */
export type PersistentKind = Extract<WatchKind, 'persistent' | 'persistentRecursive'>;

/** Calls a user callback; a throw is handed to `report` so one bad watcher cannot stop dispatch. */
export function callSafely(watcher: Watcher, event: WatchedEvent, report: (error: unknown) => void): void {
  try {
    watcher(event);
  } catch (error) {
    report(error);
  }
}
