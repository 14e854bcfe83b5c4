/**
 * A local copy of one node, kept current by a persistent watch (Curator's NodeCache).
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, validatePath } from '@keel/protocol';
import { getNode, type NodeSnapshot, type PersistentWatch, watchPersistent } from '../internal/client-ops';
import { Lifecycle, type LifecycleState } from '../internal/lifecycle';
import { QuietAfterClose } from '../internal/quiet-after-close';
import { retrying } from '../internal/retry';

/** Events of a {@link NodeCache}. */
export interface NodeCacheEvents {
  /** The node was created, changed or deleted (Curator's NodeCacheListener.nodeChanged). */
  nodeChanged: [current: NodeSnapshot | null];
  /** Reading the node failed; the cache reads again at the next event. */
  error: [error: unknown];
}

/**
 * ```ts
 * const cache = new NodeCache(client, '/config/feature-flags');
 * cache.on('nodeChanged', (node) => apply(node?.data));
 * await cache.start();
 * ```
 */
export class NodeCache extends QuietAfterClose<NodeCacheEvents> {
  private readonly lifecycle = new Lifecycle('NodeCache');
  private current: NodeSnapshot | null = null;
  private watch: PersistentWatch | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: KeelClient,
    readonly path: string,
  ) {
    super();
    const check = validatePath(path);
    if (!check.ok) throw check.error;
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Registers the watch and reads the node; resolves once the first read is in. */
  async start(): Promise<void> {
    this.lifecycle.start();
    const watch = watchPersistent(this.client, this.path, false);
    this.watch = watch;
    await watch.ready;
    await this.refresh();
    this.loop = this.follow(watch);
  }

  /** The node as last read, or null when it does not exist (Curator's getCurrentData). */
  getCurrentData(): NodeSnapshot | null {
    return this.current;
  }

  /** Stops following the node. */
  async close(): Promise<void> {
    if (!this.lifecycle.close()) return;
    await this.watch?.close();
    await this.loop;
  }

  protected isClosed(): boolean {
    return this.lifecycle.state === 'closed';
  }

  private async follow(watch: PersistentWatch): Promise<void> {
    try {
      for await (const event of watch) {
        if (event.type !== 'childrenChanged') await this.refresh();
      }
    } catch (error) {
      if (this.lifecycle.state !== 'closed') this.emit('error', error);
    }
  }

  /** Reads the node again; emits `nodeChanged` when it differs from the copy. */
  private async refresh(): Promise<void> {
    let next: NodeSnapshot | null;
    try {
      next = await retrying(this.client, () => getNode(this.client, this.path));
    } catch (error) {
      if (!isKeelError(error, 'NoNode')) {
        this.emit('error', error);
        return;
      }
      next = null;
    }
    const before = this.current;
    const same =
      before === next ||
      (before !== null &&
        next !== null &&
        before.stat.createdRevision === next.stat.createdRevision &&
        before.stat.modifiedRevision === next.stat.modifiedRevision);
    this.current = next;
    if (!same && this.lifecycle.state === 'started') this.emit('nodeChanged', next);
  }
}
