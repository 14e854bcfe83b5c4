/**
 * A local copy of a subtree, kept current by one persistent recursive watch (Curator's
 * TreeCache / CuratorCache).
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, isSelfOrDescendant, join, segmentsOf, validatePath } from '@keel/protocol';
import { treeCacheDepthMaxDefault } from '../constants';
import { childrenOf, getNode, type NodeSnapshot, type PersistentWatch, watchPersistent } from '../internal/client-ops';
import { Lifecycle, type LifecycleState } from '../internal/lifecycle';
import { QuietAfterClose } from '../internal/quiet-after-close';
import { retrying } from '../internal/retry';

/** Options of a {@link TreeCache}. */
export interface TreeCacheOptions {
  /** Deepest level kept: 0 is the root alone, 1 the root and its children (default 64). */
  readonly maxDepth?: number;
}

/** Events of a {@link TreeCache} (Curator's TreeCacheEvent types). */
export interface TreeCacheEvents {
  nodeAdded: [path: string, node: NodeSnapshot];
  nodeUpdated: [path: string, node: NodeSnapshot];
  nodeRemoved: [path: string, node: NodeSnapshot];
  /** The first full load is in. */
  initialized: [];
  /** Any change, after the specific event (handy to recompute a view). */
  changed: [];
  /** Reading failed; the cache reads again at the next event. */
  error: [error: unknown];
}

/**
 * ```ts
 * const cache = new TreeCache(client, '/services', { maxDepth: 2 });
 * cache.on('nodeAdded', (path) => console.log('added', path));
 * await cache.start();
 * ```
 */
export class TreeCache extends QuietAfterClose<TreeCacheEvents> {
  private readonly lifecycle = new Lifecycle('TreeCache');
  private readonly nodes = new Map<string, NodeSnapshot>();
  private readonly maxDepth: number;
  private readonly rootDepth: number;
  private watch: PersistentWatch | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: KeelClient,
    readonly path: string,
    options: TreeCacheOptions = {},
  ) {
    super();
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    this.maxDepth = options.maxDepth ?? treeCacheDepthMaxDefault;
    this.rootDepth = segmentsOf(path).length;
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /**
   * Registers the watch and loads the tree; resolves once the first full load is in. Rejects if
   * that load fails, unless the cache was closed meanwhile (then it resolves, as NodeCache does).
   */
  async start(): Promise<void> {
    this.lifecycle.start();
    const watch = watchPersistent(this.client, this.path, true);
    this.watch = watch;
    try {
      await watch.ready;
      await this.load(this.path);
    } catch (error) {
      // A load that failed because the cache (and perhaps its client) closed meanwhile is no
      // failure of start(): NodeCache resolves quietly in the same case.
      if (this.lifecycle.state === 'closed') return;
      throw error;
    }
    // close() ran during the first load: it stopped the watch and returned without waiting for
    // this load, so nothing may be announced or followed after it.
    if (this.lifecycle.state !== 'started') return;
    this.emit('initialized');
    this.loop = this.follow(watch);
  }

  /** A node as last read, or null (Curator's getCurrentData). */
  getCurrentData(path: string): NodeSnapshot | null {
    return this.nodes.get(path) ?? null;
  }

  /** The cached children of a node, by name (Curator's getCurrentChildren); null if the node is not cached. */
  getCurrentChildren(path: string): Map<string, NodeSnapshot> | null {
    if (!this.nodes.has(path)) return null;
    const children = new Map<string, NodeSnapshot>();
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const [candidate, node] of this.nodes) {
      if (candidate.startsWith(prefix) && !candidate.slice(prefix.length).includes('/'))
        children.set(candidate.slice(prefix.length), node);
    }
    return children;
  }

  /** Every cached node by path. */
  entries(): ReadonlyMap<string, NodeSnapshot> {
    return this.nodes;
  }

  /** Stops following the tree. */
  async close(): Promise<void> {
    if (!this.lifecycle.close()) return;
    await this.watch?.close();
    await this.loop;
  }

  protected isClosed(): boolean {
    return this.lifecycle.state === 'closed';
  }

  private depthOf(path: string): number {
    return segmentsOf(path).length - this.rootDepth;
  }

  private async follow(watch: PersistentWatch): Promise<void> {
    try {
      for await (const event of watch) {
        if (this.lifecycle.state !== 'started') return;
        try {
          if (event.type === 'resyncNeeded') await this.load(this.path);
          else if (event.type === 'deleted') this.removeTree(event.path);
          else if (event.type === 'created') await this.load(event.path);
          else if (event.type === 'dataChanged') await this.refreshOne(event.path);
        } catch (error) {
          this.emit('error', error);
        }
      }
    } catch (error) {
      if (this.lifecycle.state !== 'closed') this.emit('error', error);
    }
  }

  /** Reads `path` and its subtree again; drops cached nodes that are gone. */
  private async load(path: string): Promise<void> {
    if (this.depthOf(path) > this.maxDepth || this.lifecycle.state === 'closed') return;
    const node = await this.read(path);
    if (node === null) {
      this.removeTree(path);
      return;
    }
    this.put(path, node);
    if (this.depthOf(path) === this.maxDepth) return;
    let names: string[];
    try {
      names = await retrying(this.client, () => childrenOf(this.client, path));
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return this.removeTree(path);
      throw error;
    }
    const present = new Set(names.map((name) => join(path, name)));
    for (const cached of [...(this.getCurrentChildren(path)?.keys() ?? [])]) {
      const child = join(path, cached);
      if (!present.has(child)) this.removeTree(child);
    }
    for (const child of present) await this.load(child);
  }

  private async refreshOne(path: string): Promise<void> {
    if (this.depthOf(path) > this.maxDepth) return;
    const node = await this.read(path);
    if (node === null) this.removeTree(path);
    else this.put(path, node);
  }

  private async read(path: string): Promise<NodeSnapshot | null> {
    try {
      return await retrying(this.client, () => getNode(this.client, path));
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return null;
      throw error;
    }
  }

  private put(path: string, node: NodeSnapshot): void {
    const before = this.nodes.get(path);
    if (
      before !== undefined &&
      before.stat.createdRevision === node.stat.createdRevision &&
      before.stat.modifiedRevision === node.stat.modifiedRevision
    )
      return;
    this.nodes.set(path, node);
    if (this.lifecycle.state !== 'started') return;
    if (before === undefined) this.emit('nodeAdded', path, node);
    else this.emit('nodeUpdated', path, node);
    this.emit('changed');
  }

  private removeTree(path: string): void {
    let removed = false;
    for (const [candidate, node] of [...this.nodes]) {
      if (!isSelfOrDescendant(candidate, path)) continue;
      this.nodes.delete(candidate);
      removed = true;
      if (this.lifecycle.state === 'started') this.emit('nodeRemoved', candidate, node);
    }
    if (removed && this.lifecycle.state === 'started') this.emit('changed');
  }
}
