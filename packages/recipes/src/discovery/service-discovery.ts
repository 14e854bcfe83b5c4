/**
 * Service registration and lookup (Curator's ServiceDiscovery): instances live at
 * `<basePath>/<service name>/<instance id>` as JSON. `DYNAMIC` instances are ephemeral nodes
 * kept by a PersistentNode, so they are registered again after their session ends, and vanish
 * when their process dies (within the session timeout).
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, join, validatePath } from '@keel/protocol';
import { RecipeError } from '../errors';
import { childrenOf, getNode, setNode } from '../internal/client-ops';
import { Lifecycle, type LifecycleState } from '../internal/lifecycle';
import { createWithParents, deleteQuietly } from '../internal/nodes';
import { retrying } from '../internal/retry';
import { PersistentNode } from '../nodes/persistent-node';
import { ServiceCache } from './service-cache';
import { type InstanceSerializer, jsonInstanceSerializer, type ServiceInstance } from './service-instance';
import { ServiceProvider, type ServiceProviderOptions } from './service-provider';

/** Options of a {@link ServiceDiscovery}. */
export interface ServiceDiscoveryOptions<Payload> {
  /** Where services live (e.g. `/services`). */
  readonly basePath: string;
  /** Registered at `start()` (Curator's thisInstance). */
  readonly thisInstance?: ServiceInstance<Payload>;
  /** Default: JSON. */
  readonly serializer?: InstanceSerializer<Payload>;
}

/**
 * ```ts
 * const discovery = new ServiceDiscovery(client, { basePath: '/services' });
 * await discovery.start();
 * await discovery.registerService(serviceInstance({ name: 'api', address: '10.0.0.5', port: 8080 }));
 * const provider = discovery.serviceProvider('api');
 * await provider.start();
 * const target = provider.getInstance();
 * ```
 */
export class ServiceDiscovery<Payload = unknown> {
  readonly basePath: string;
  private readonly lifecycle = new Lifecycle('ServiceDiscovery');
  private readonly serializer: InstanceSerializer<Payload>;
  private readonly registered = new Map<string, { instance: ServiceInstance<Payload>; node: PersistentNode | null }>();
  private readonly closeables = new Set<{ close(): Promise<void> }>();

  constructor(
    private readonly client: KeelClient,
    private readonly options: ServiceDiscoveryOptions<Payload>,
  ) {
    const check = validatePath(options.basePath);
    if (!check.ok) throw check.error;
    this.basePath = options.basePath;
    this.serializer = options.serializer ?? jsonInstanceSerializer<Payload>();
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Starts, registering `thisInstance` if given. */
  async start(): Promise<void> {
    this.lifecycle.start();
    if (this.options.thisInstance !== undefined) await this.registerService(this.options.thisInstance);
  }

  /** Registers an instance; resolves once its node exists. */
  async registerService(instance: ServiceInstance<Payload>): Promise<void> {
    this.lifecycle.assertStarted();
    const key = this.keyOf(instance);
    if (this.registered.has(key)) return this.updateService(instance);
    const path = this.pathOf(instance);
    const data = this.serializer.serialize(instance);
    if (instance.serviceType === 'DYNAMIC') {
      const node = new PersistentNode(this.client, path, data, { mode: 'ephemeral' });
      this.registered.set(key, { instance, node });
      node.start();
      await node.waitForInitialCreate();
      return;
    }
    this.registered.set(key, { instance, node: null });
    try {
      await retrying(this.client, () => createWithParents(this.client, path, data, 'persistent'));
    } catch (error) {
      if (!isKeelError(error, 'NodeExists')) throw error;
      await retrying(this.client, () => setNode(this.client, path, data));
    }
  }

  /** Changes a registered instance's data. */
  async updateService(instance: ServiceInstance<Payload>): Promise<void> {
    this.lifecycle.assertStarted();
    const entry = this.registered.get(this.keyOf(instance));
    if (entry === undefined)
      throw new RecipeError('NotHeld', `instance ${instance.name}/${instance.id} is not registered here`);
    entry.instance = instance;
    const data = this.serializer.serialize(instance);
    if (entry.node !== null) await entry.node.setData(data);
    else await retrying(this.client, () => setNode(this.client, this.pathOf(instance), data));
  }

  /** Removes a registered instance. */
  async unregisterService(instance: ServiceInstance<Payload>): Promise<void> {
    const key = this.keyOf(instance);
    const entry = this.registered.get(key);
    this.registered.delete(key);
    if (entry?.node != null) await entry.node.close();
    else await deleteQuietly(this.client, this.pathOf(instance));
  }

  /** The names of every service (Curator's queryForNames). */
  async queryForNames(): Promise<string[]> {
    return this.childrenOrNone(this.basePath);
  }

  /** Every instance of a service, read now (Curator's queryForInstances). */
  async queryForInstances(name: string): Promise<ServiceInstance<Payload>[]> {
    const instances: ServiceInstance<Payload>[] = [];
    for (const id of (await this.childrenOrNone(join(this.basePath, name))).sort()) {
      const instance = await this.queryForInstance(name, id);
      if (instance !== null) instances.push(instance);
    }
    return instances;
  }

  /** One instance, or null (Curator's queryForInstance). */
  async queryForInstance(name: string, id: string): Promise<ServiceInstance<Payload> | null> {
    try {
      const { data } = await retrying(this.client, () => getNode(this.client, join(this.basePath, name, id)));
      return this.serializer.deserialize(data);
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return null;
      throw error;
    }
  }

  /** A watch-driven cache of one service's instances (call `start()` on it); closed with this discovery. */
  serviceCache(name: string): ServiceCache<Payload> {
    const cache = new ServiceCache<Payload>(this.client, this.basePath, name, this.serializer);
    this.closeables.add(cache);
    return cache;
  }

  /** A provider of one service's instances (call `start()` on it); closed with this discovery. */
  serviceProvider(name: string, options: ServiceProviderOptions<Payload> = {}): ServiceProvider<Payload> {
    const provider = new ServiceProvider<Payload>(this.serviceCache(name), options);
    this.closeables.add(provider);
    return provider;
  }

  /**
   * Closes caches and providers and unregisters the `DYNAMIC` instances registered here;
   * `STATIC` and `PERMANENT` ones outlive this process until `unregisterService`.
   */
  async close(): Promise<void> {
    if (!this.lifecycle.close()) return;
    for (const closeable of this.closeables) await closeable.close().catch(() => undefined);
    for (const { instance } of [...this.registered.values()]) {
      if (instance.serviceType === 'DYNAMIC') await this.unregisterService(instance).catch(() => undefined);
    }
  }

  private keyOf(instance: ServiceInstance<Payload>): string {
    return `${instance.name}/${instance.id}`;
  }

  private pathOf(instance: ServiceInstance<Payload>): string {
    return join(this.basePath, instance.name, instance.id);
  }

  private async childrenOrNone(path: string): Promise<string[]> {
    try {
      return await retrying(this.client, () => childrenOf(this.client, path));
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return [];
      throw error;
    }
  }
}
