/**
 * What watchers receive.
 */
import type { WatchEventType, WatchKind } from '@keel/protocol';

/**
 * The type of a watch event: a change to a node (`created`, `deleted`, `dataChanged`,
 * `childrenChanged`), a sequential node's `turn` (only a turn watch sees it), or
 * `resyncNeeded`: events may have been missed (the member could not replay them after a
 * reconnect, or a slow consumer overflowed its queue), so re-read the watched state. A watch
 * stream goes on without a gap after `resyncNeeded`.
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

/** An event of a watch stream (`watch()`): any type but `turn`, which only a turn watch sees. */
export interface StreamEvent extends WatchedEvent {
  readonly type: Exclude<WatchedEventType, 'turn'>;
}

/** A one-shot watch callback, as ZooKeeper's `Watcher.process`. */
export type Watcher = (event: WatchedEvent) => void;

/** The one-shot watch kinds: those a read leaves, and the turn watch. */
export type OneShotKind = Extract<WatchKind, 'data' | 'exists' | 'children' | 'turn'>;

/** Every one-shot watch kind. */
export const oneShotKinds: readonly OneShotKind[] = ['data', 'exists', 'children', 'turn'];

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
