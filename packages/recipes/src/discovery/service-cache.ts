/**
 * The instances of one service, kept current by a watch (Curator's ServiceCache).
 */
import type { KeelClient } from '@keel/client';
import { join } from '@keel/protocol';
import { TreeCache } from '../cache/tree-cache';
import { QuietAfterClose } from '../internal/quiet-after-close';
import type { InstanceSerializer, ServiceInstance } from './service-instance';

/** Events of a {@link ServiceCache}. */
export interface ServiceCacheEvents {
  /** The set of instances changed (Curator's ServiceCacheListener.cacheChanged). */
  cacheChanged: [];
  /** An instance node could not be decoded or read. */
  error: [error: unknown];
}

/** A watch-driven list of one service's instances. */
export class ServiceCache<Payload = unknown> extends QuietAfterClose<ServiceCacheEvents> {
  private readonly cache: TreeCache;
  private readonly servicePath: string;
  private instances: ServiceInstance<Payload>[] = [];

  constructor(
    client: KeelClient,
    basePath: string,
    readonly name: string,
    private readonly serializer: InstanceSerializer<Payload>,
  ) {
    super();
    this.servicePath = join(basePath, name);
    this.cache = new TreeCache(client, this.servicePath, { maxDepth: 1 });
    this.cache.on('changed', () => {
      this.rebuild();
      this.emit('cacheChanged');
    });
    this.cache.on('error', (error) => this.emit('error', error));
  }

  /** Loads the instances and starts following them. */
  async start(): Promise<void> {
    await this.cache.start();
    this.rebuild();
  }

  /** The instances as last seen (Curator's getInstances). */
  getInstances(): ServiceInstance<Payload>[] {
    return [...this.instances];
  }

  async close(): Promise<void> {
    await this.cache.close();
  }

  // start() rebuilds the list when its load ends, which can be after close().
  protected isClosed(): boolean {
    return this.cache.state === 'closed';
  }

  private rebuild(): void {
    const instances: ServiceInstance<Payload>[] = [];
    for (const node of this.cache.getCurrentChildren(this.servicePath)?.values() ?? []) {
      try {
        instances.push(this.serializer.deserialize(node.data));
      } catch (error) {
        this.emit('error', error);
      }
    }
    this.instances = instances.sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  }
}
