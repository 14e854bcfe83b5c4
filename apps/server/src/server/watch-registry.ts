/**
 * The watches of one member: which owner (a client connection) watches which path with which
 * kind, and which owners a change event reaches. ZooKeeper's rules: one-shot watches (`data`,
 * `exists`, `children`) fire once and are gone; `persistent` sees every event on its path until
 * removed; `persistentRecursive` sees created / deleted / dataChanged on its path and every
 * path below it. An owner receives one event per change however many of its watches match,
 * because the client routes events to its watches by path and type itself. A `turn` watch (one
 * shot) fires `deleted` with its node, or `turn` when a sibling's deletion leaves its node the
 * lowest sequence number of the directory.
 */
import { join, type NodeWatchEvent, parentOf, type WatchEventType, type WatchKind } from '@keel/protocol';
import type { ChangeEvent } from '../state/results';

/** The event types each kind fires on, for a change at the watched path itself. */
const firesOn: Readonly<Record<WatchKind, readonly WatchEventType[]>> = {
  data: ['dataChanged', 'deleted'],
  exists: ['created', 'dataChanged', 'deleted'],
  children: ['childrenChanged', 'deleted'],
  persistent: ['created', 'deleted', 'dataChanged', 'childrenChanged'],
  persistentRecursive: ['created', 'deleted', 'dataChanged'],
  turn: ['deleted'],
};

const oneShot: ReadonlySet<WatchKind> = new Set<WatchKind>(['data', 'exists', 'children', 'turn']);

/** Whether a watch of `kind` fires once and is then gone (ZooKeeper's data, exists, children, and turn). */
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
  /** How many `turn` watches wait under each directory: only a deletion there asks `turnOf`. */
  private readonly turnsByParent = new Map<string, number>();
  /** How many `persistentRecursive` watches exist: without any, a change looks at no ancestor. */
  private recursive = 0;
  private total = 0;

  constructor(
    /** The child of a directory whose turn it is (the member's state after the change), or null. */
    private readonly turnOf: (parentPath: string) => string | null = () => null,
  ) {}

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
      if (kind === 'turn') this.countTurn(path, 1);
      else if (kind === 'persistentRecursive') this.recursive++;
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
    if (kinds === undefined || !this.drop(owner, path, kinds, kind)) return false;
    if (kinds.size === 0) this.forget(owner, path);
    return true;
  }

  /** Removes every watch of `owner` (its connection closed). */
  removeAll(owner: Owner): void {
    for (const path of this.byOwner.get(owner) ?? []) {
      const owners = this.byPath.get(path);
      const kinds = owners?.get(owner);
      if (kinds?.has('turn') === true) this.countTurn(path, -1);
      if (kinds?.has('persistentRecursive') === true) this.recursive--;
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
          if (oneShot.has(kind)) this.drop(owner, path, kinds, kind);
        }
        if (kinds.size === 0) this.forget(owner, path);
      }
    }
  }

  /**
   * Calls `deliver` once for each owner a change reaches, in the order of `changes`, and removes
   * the one-shot watches that fired. A deletion under waiting `turn` watches is followed by the
   * `turn` event of the node whose turn it now is, if that node is watched.
   */
  dispatch(changes: readonly ChangeEvent[], deliver: (owner: Owner, event: NodeWatchEvent) => void): void {
    for (const change of changes) {
      // Most changes reach nobody: no set, no event and no ancestor list unless one does.
      let reached: Set<Owner> | null = null;
      const owners = this.byPath.get(change.path);
      if (owners !== undefined) {
        for (const [owner, kinds] of owners) {
          let fired = false;
          for (const kind of kinds) {
            if (!firesOn[kind].includes(change.type)) continue;
            fired = true;
            if (oneShot.has(kind)) this.drop(owner, change.path, kinds, kind);
          }
          if (kinds.size === 0) this.forget(owner, change.path);
          if (!fired) continue;
          reached ??= new Set();
          reached.add(owner);
        }
      }
      if (this.recursive > 0 && change.type !== 'childrenChanged') {
        for (const ancestor of ancestorsOf(change.path)) {
          for (const [owner, kinds] of this.byPath.get(ancestor) ?? []) {
            if (!kinds.has('persistentRecursive')) continue;
            reached ??= new Set();
            reached.add(owner);
          }
        }
      }
      if (reached !== null) {
        const event: NodeWatchEvent = {
          type: 'watch',
          event: change.type,
          path: change.path,
          revision: change.revision,
        };
        for (const owner of reached) deliver(owner, event);
      }
      if (change.type === 'deleted' && this.turnsByParent.size > 0)
        this.fireTurn(change.path, change.revision, deliver);
    }
  }

  // Only a deletion can make a node the lowest of its directory: later siblings get higher numbers.
  // Without any turn watch (the common case) a deletion does not even compute its parent.
  private fireTurn(deleted: string, revision: number, deliver: (owner: Owner, event: NodeWatchEvent) => void): void {
    const parent = parentOf(deleted);
    if (parent === null || !this.turnsByParent.has(parent)) return;
    const holder = this.turnOf(parent);
    if (holder === null) return;
    const path = join(parent, holder);
    const owners = this.byPath.get(path);
    if (owners === undefined) return;
    const event: NodeWatchEvent = { type: 'watch', event: 'turn', path, revision };
    for (const [owner, kinds] of [...owners]) {
      if (!this.drop(owner, path, kinds, 'turn')) continue;
      if (kinds.size === 0) this.forget(owner, path);
      deliver(owner, event);
    }
  }

  private drop(owner: Owner, path: string, kinds: Set<WatchKind>, kind: WatchKind): boolean {
    if (!kinds.delete(kind)) return false;
    this.count(owner, -1);
    if (kind === 'turn') this.countTurn(path, -1);
    else if (kind === 'persistentRecursive') this.recursive--;
    return true;
  }

  private countTurn(path: string, delta: number): void {
    const parent = parentOf(path);
    if (parent === null) return;
    const next = (this.turnsByParent.get(parent) ?? 0) + delta;
    if (next === 0) this.turnsByParent.delete(parent);
    else this.turnsByParent.set(parent, next);
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
