/**
 * A consistent view of the node tree as it was at one revision, kept while the tree goes on
 * changing, so a snapshot can be serialised a slice at a time between applies.
 *
 * Copy-on-write, per path: the tree tells the capture before it changes a node (its fields as
 * they were, or that it did not exist) and whenever a child is added or removed. Children are
 * kept as a delta against the live map rather than copied, so the first create under a parent
 * with a million children costs O(1), not a copy of the map. The capture also remembers which
 * node objects it was told about: any other node reached through its parent's live children is
 * exactly as it was, children included, so a walk takes it as it is without building its path.
 */
import { join } from '@keel/protocol';
import type { TreeNode } from './data-tree';

/** Child names added and removed under one parent since the capture. */
interface ChildrenDelta {
  readonly added: Set<string>;
  readonly removed: Set<string>;
}

/** A node as of the capture, reached by a walk from the root. */
export interface CapturedNode {
  /** Its fields as of the capture. */
  readonly node: Readonly<TreeNode>;
  /**
   * The live node has not changed since the capture: `node` is it, and its children are those
   * it had then, so listing them needs no path.
   */
  readonly unchanged: boolean;
}

/**
 * The children of a captured directory: their names as of the capture (never none), sorted when
 * the tree had them sorted already, and the live children {@link TreeCapture.childOf} resolves
 * them in.
 */
export type CapturedChildren =
  | { readonly sorted: false; readonly names: string[]; readonly live: ReadonlyMap<string, TreeNode> }
  | { readonly sorted: true; readonly names: readonly string[]; readonly live: ReadonlyMap<string, TreeNode> };

/** The live children of a node that is gone: its captured children were all removed since. */
const gone: ReadonlyMap<string, TreeNode> = new Map();

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
  /** Every live node object changed or added since the capture. */
  private readonly touched = new Set<TreeNode>();
  private aborted = false;

  constructor(
    private readonly live: (path: string) => Readonly<TreeNode> | undefined,
    /** The tree's sorted listing of a children map, if a client listed it since it last changed. */
    private readonly listed: (children: ReadonlyMap<string, TreeNode>) => readonly string[] | undefined,
  ) {}

  /** Called before the node at `path` (or its absence, `undefined`) changes. */
  noteNode(path: string, node: TreeNode | undefined): void {
    if (!this.before.has(path)) this.before.set(path, node === undefined ? null : { ...node });
    if (node !== undefined) this.touched.add(node);
  }

  /** Called when `child` is added under `parent` as `name`. */
  noteChildAdded(parent: string, name: string, child: TreeNode): void {
    const delta = this.deltaOf(parent);
    // A name removed since the capture and now back was there at the capture.
    if (!delta.removed.delete(name)) delta.added.add(name);
    this.touched.add(child);
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

  /** The root as of the capture. */
  root(): CapturedNode {
    if (this.aborted) throw new CaptureAbortedError();
    const live = this.live('/');
    if (live !== undefined && !this.touched.has(live)) return { node: live, unchanged: true };
    const node = this.before.get('/') ?? live;
    if (node === undefined) throw new Error('TreeCapture: no root');
    return { node, unchanged: false };
  }

  /**
   * The child `name` of the directory at `parentPath`, one of the names {@link childrenOf}
   * listed for it, as of the capture; `live` is what that listing returned with the names.
   */
  childOf(parentPath: string, live: ReadonlyMap<string, TreeNode>, name: string): CapturedNode {
    if (this.aborted) throw new CaptureAbortedError();
    const current = live.get(name);
    if (current !== undefined && !this.touched.has(current)) return { node: current, unchanged: true };
    const path = join(parentPath, name);
    // Told about since the capture, so its fields then were recorded (removed names included).
    const before = this.before.get(path);
    if (before === undefined || before === null) throw new Error(`TreeCapture: captured child ${path} has no node`);
    return { node: before, unchanged: false };
  }

  /**
   * The children of the captured node at `path` as of the capture, or null when it had none.
   * The path is only read for a node changed since the capture.
   */
  childrenOf(path: string, captured: CapturedNode): CapturedChildren | null {
    if (this.aborted) throw new CaptureAbortedError();
    if (captured.unchanged) {
      const live = captured.node.children;
      if (live.size === 0) return null;
      const sorted = this.listed(live);
      return sorted === undefined
        ? { sorted: false, names: [...live.keys()], live }
        : { sorted: true, names: sorted, live };
    }
    const delta = this.children.get(path);
    const live = this.live(path)?.children ?? gone;
    const names: string[] = [];
    for (const name of live.keys()) if (delta === undefined || !delta.added.has(name)) names.push(name);
    if (delta !== undefined) names.push(...delta.removed);
    return names.length === 0 ? null : { sorted: false, names, live };
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
