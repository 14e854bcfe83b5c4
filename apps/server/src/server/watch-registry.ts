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

/** Whether a watch of `kind` fires once and is then gone (ZooKeeper's data, exists, children). */
export function isOneShot(kind: WatchKind): boolean {
  return oneShot.has(kind);
}

/** Whether a watch of `kind` on `watchedPath` sees `change` (its own path, or below it for recursive). */
export function watchSees(kind: WatchKind, watchedPath: string, change: ChangeEvent): boolean {
  if (change.path === watchedPath) return firesOn[kind].includes(change.type);
  return kind === 'persistentRecursive' && change.type !== 'childrenChanged' && isBelow(change.path, watchedPath);
}

function isBelow(path: string, ancestor: string): boolean {
  if (ancestor === '/') return path !== '/';
  return path.startsWith(ancestor) && path.charCodeAt(ancestor.length) === 47; // '/'
}

/** Watches by path, kind and owner. */
export class WatchRegistry<Owner> {
  private readonly byPath = new Map<string, Map<Owner, Set<WatchKind>>>();
  private readonly byOwner = new Map<Owner, Set<string>>();
  private readonly counts = new Map<Owner, number>();
  private total = 0;

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
    if (!kinds.has(kind)) {
      kinds.add(kind);
      this.count(owner, 1);
    }
    let paths = this.byOwner.get(owner);
    if (paths === undefined) {
      paths = new Set();
      this.byOwner.set(owner, paths);
    }
    paths.add(path);
  }

  /** Whether `owner` holds this watch. */
  has(owner: Owner, path: string, kind: WatchKind): boolean {
    return this.byPath.get(path)?.get(owner)?.has(kind) ?? false;
  }

  /** How many watches `owner` holds. */
  countOf(owner: Owner): number {
    return this.counts.get(owner) ?? 0;
  }

  /** Removes one watch; false if it was not registered. */
  remove(owner: Owner, path: string, kind: WatchKind): boolean {
    const kinds = this.byPath.get(path)?.get(owner);
    if (kinds === undefined || !this.drop(owner, kinds, kind)) return false;
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
    this.total -= this.counts.get(owner) ?? 0;
    this.counts.delete(owner);
  }

  /** How many watches are registered (for tests and limits). */
  get size(): number {
    return this.total;
  }

  /**
   * Calls `notify` for every registered watch, then removes the one-shot ones: for when the
   * member skipped over changes (a snapshot install) and every watcher must re-read.
   */
  invalidateAll(notify: (owner: Owner, path: string, kind: WatchKind) => void): void {
    for (const [path, owners] of [...this.byPath]) {
      for (const [owner, kinds] of [...owners]) {
        for (const kind of [...kinds]) {
          notify(owner, path, kind);
          if (oneShot.has(kind)) this.drop(owner, kinds, kind);
        }
        if (kinds.size === 0) this.forget(owner, path);
      }
    }
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
          if (oneShot.has(kind)) this.drop(owner, kinds, kind);
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

  private drop(owner: Owner, kinds: Set<WatchKind>, kind: WatchKind): boolean {
    if (!kinds.delete(kind)) return false;
    this.count(owner, -1);
    return true;
  }

  private count(owner: Owner, delta: number): void {
    const next = (this.counts.get(owner) ?? 0) + delta;
    if (next === 0) this.counts.delete(owner);
    else this.counts.set(owner, next);
    this.total += delta;
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
