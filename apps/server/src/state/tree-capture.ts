/**
 * A consistent view of the node tree as it was at one revision, kept while the tree goes on
 * changing, so a snapshot can be serialised a slice at a time between applies.
 *
 * Copy-on-write, per path: the tree tells the capture before it changes a node (its fields as
 * they were, or that it did not exist) and whenever a child name is added or removed. Children
 * are kept as a delta against the live set rather than copied, so the first create under a
 * parent with a million children costs O(1), not a copy of the set. Reading a path gives the
 * pre-image if there is one, else the live node, which has not changed since the capture.
 */
import type { TreeNode } from './data-tree';

/** Child names added and removed under one parent since the capture. */
interface ChildrenDelta {
  readonly added: Set<string>;
  readonly removed: Set<string>;
}

/** Thrown by reads of a capture the tree dropped (its state was replaced by a restore). */
export class CaptureAbortedError extends Error {
  readonly code = 'CAPTURE_ABORTED';
  constructor() {
    super('the tree was replaced while a snapshot was being taken');
    this.name = 'CaptureAbortedError';
  }
}

/** The tree as of one revision; see the module comment. */
export class TreeCapture {
  /** Fields of nodes changed since the capture, as they were (`null`: the path did not exist). */
  private readonly before = new Map<string, Readonly<TreeNode> | null>();
  private readonly children = new Map<string, ChildrenDelta>();
  private aborted = false;

  constructor(private readonly live: (path: string) => Readonly<TreeNode> | undefined) {}

  /** Called before the node at `path` (or its absence, `undefined`) changes. */
  noteNode(path: string, node: Readonly<TreeNode> | undefined): void {
    if (!this.before.has(path)) this.before.set(path, node === undefined ? null : { ...node });
  }

  /** Called when `name` is added under `parent`. */
  noteChildAdded(parent: string, name: string): void {
    const delta = this.deltaOf(parent);
    // A name removed since the capture and now back was there at the capture.
    if (!delta.removed.delete(name)) delta.added.add(name);
  }

  /** Called when `name` is removed from under `parent`. */
  noteChildRemoved(parent: string, name: string): void {
    const delta = this.deltaOf(parent);
    if (!delta.added.delete(name)) delta.removed.add(name);
  }

  /** Called when the whole tree is replaced: the capture can no longer be completed. */
  abort(): void {
    this.aborted = true;
  }

  /**
   * The node at `path` as of the capture. Its `children` field may be the live set: use
   * {@link childrenOf} for the names.
   */
  nodeAt(path: string): Readonly<TreeNode> | undefined {
    if (this.aborted) throw new CaptureAbortedError();
    const before = this.before.get(path);
    if (before !== undefined) return before ?? undefined;
    return this.live(path);
  }

  /** The child names of `path` as of the capture, in no particular order (see `SortedNames`). */
  childrenOf(path: string): string[] {
    if (this.aborted) throw new CaptureAbortedError();
    const delta = this.children.get(path);
    const names: string[] = [];
    for (const name of this.live(path)?.children ?? [])
      if (delta === undefined || !delta.added.has(name)) names.push(name);
    if (delta !== undefined) names.push(...delta.removed);
    return names;
  }

  private deltaOf(parent: string): ChildrenDelta {
    let delta = this.children.get(parent);
    if (delta === undefined) {
      delta = { added: new Set(), removed: new Set() };
      this.children.set(parent, delta);
    }
    return delta;
  }
}
