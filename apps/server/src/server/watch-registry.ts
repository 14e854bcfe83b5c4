/**
 * The watches of one member: which owner (a client connection) watches which path with which
 * kind, and which owners a change event reaches. ZooKeeper's rules: one-shot watches (`data`,
 * `exists`, `children`) fire once and are gone; `persistent` sees every event on its path until
 * removed; `persistentRecursive` sees created / deleted / dataChanged on its path and every
 * path below it. An owner receives one event per change however many of its watches match,
 * because the client routes events to its watches by path and type itself.
 */
import type { NodeWatchEvent, WatchEventType, WatchKind } from '@keel/protocol';
import type { ChangeEvent } from '../state/results';

/** The event types each kind fires on, for a change at the watched path itself. */
const firesOn: Readonly<Record<WatchKind, readonly WatchEventType[]>> = {
  data: ['dataChanged', 'deleted'],
  exists: ['created', 'dataChanged', 'deleted'],
  children: ['childrenChanged', 'deleted'],
  persistent: ['created', 'deleted', 'dataChanged', 'childrenChanged'],
  persistentRecursive: ['created', 'deleted', 'dataChanged'],
};

const oneShot: ReadonlySet<WatchKind> = new Set<WatchKind>(['data', 'exists', 'children']);

/** Watches by path, kind and owner. */
export class WatchRegistry<Owner> {
  private readonly byPath = new Map<string, Map<Owner, Set<WatchKind>>>();
  private readonly byOwner = new Map<Owner, Set<string>>();

  /** Registers a watch; registering the same one twice leaves one. */
  add(owner: Owner, path: string, kind: WatchKind): void {
    let owners = this.byPath.get(path);
    if (owners === undefined) {
      owners = new Map();
      this.byPath.set(path, owners);
    }
    let kinds = owners.get(owner);
    if (kinds === undefined) {
      kinds = new Set();
      owners.set(owner, kinds);
    }
    kinds.add(kind);
    let paths = this.byOwner.get(owner);
    if (paths === undefined) {
      paths = new Set();
      this.byOwner.set(owner, paths);
    }
    paths.add(path);
  }

  /** Removes one watch; false if it was not registered. */
  remove(owner: Owner, path: string, kind: WatchKind): boolean {
    const kinds = this.byPath.get(path)?.get(owner);
    if (kinds === undefined || !kinds.delete(kind)) return false;
    if (kinds.size === 0) this.forget(owner, path);
    return true;
  }

  /** Removes every watch of `owner` (its connection closed). */
  removeAll(owner: Owner): void {
    for (const path of this.byOwner.get(owner) ?? []) {
      const owners = this.byPath.get(path);
      owners?.delete(owner);
      if (owners?.size === 0) this.byPath.delete(path);
    }
    this.byOwner.delete(owner);
  }

  /** How many watches are registered (for tests and limits). */
  get size(): number {
    let count = 0;
    for (const owners of this.byPath.values()) for (const kinds of owners.values()) count += kinds.size;
    return count;
  }

  /**
   * Calls `deliver` once for each owner a change reaches, in the order of `changes`, and removes
   * the one-shot watches that fired.
   */
  dispatch(changes: readonly ChangeEvent[], deliver: (owner: Owner, event: NodeWatchEvent) => void): void {
    for (const change of changes) {
      const reached = new Set<Owner>();
      for (const [owner, kinds] of this.byPath.get(change.path) ?? []) {
        let fired = false;
        for (const kind of kinds) {
          if (!firesOn[kind].includes(change.type)) continue;
          fired = true;
          if (oneShot.has(kind)) kinds.delete(kind);
        }
        if (kinds.size === 0) this.forget(owner, change.path);
        if (fired) reached.add(owner);
      }
      if (change.type !== 'childrenChanged') {
        for (const ancestor of ancestorsOf(change.path)) {
          for (const [owner, kinds] of this.byPath.get(ancestor) ?? []) {
            if (kinds.has('persistentRecursive')) reached.add(owner);
          }
        }
      }
      const event: NodeWatchEvent = { type: 'watch', event: change.type, path: change.path, revision: change.revision };
      for (const owner of reached) deliver(owner, event);
    }
  }

  private forget(owner: Owner, path: string): void {
    const owners = this.byPath.get(path);
    owners?.delete(owner);
    if (owners?.size === 0) this.byPath.delete(path);
    const paths = this.byOwner.get(owner);
    paths?.delete(path);
    if (paths?.size === 0) this.byOwner.delete(owner);
  }
}

/** The strict ancestors of an absolute path, nearest first, ending with `/`. */
function ancestorsOf(path: string): string[] {
  const ancestors: string[] = [];
  let end = path.lastIndexOf('/');
  while (end > 0) {
    ancestors.push(path.slice(0, end));
    end = path.lastIndexOf('/', end - 1);
  }
  if (path !== '/') ancestors.push('/');
  return ancestors;
}
