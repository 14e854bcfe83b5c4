/**
 * Picks an instance of one service for a caller (Curator's ServiceProvider): a ServiceCache,
 * a strategy, and down-instance notes.
 */
import { type DownInstancePolicy, DownInstances } from './down-instances';
import { type ProviderStrategy, RoundRobinStrategy } from './provider-strategies';
import type { ServiceCache } from './service-cache';
import type { ServiceInstance } from './service-instance';

/** Options of a {@link ServiceProvider}. */
export interface ServiceProviderOptions<Payload> {
  /** Default: round robin (Curator's default). */
  readonly strategy?: ProviderStrategy<Payload>;
  readonly downInstancePolicy?: DownInstancePolicy;
}

/** Picks instances of one service. */
export class ServiceProvider<Payload = unknown> {
  private readonly strategy: ProviderStrategy<Payload>;
  private readonly down: DownInstances;

  constructor(
    private readonly cache: ServiceCache<Payload>,
    options: ServiceProviderOptions<Payload> = {},
  ) {
    this.strategy = options.strategy ?? new RoundRobinStrategy<Payload>();
    this.down = new DownInstances(options.downInstancePolicy);
  }

  /** Starts the cache behind the provider. */
  start(): Promise<void> {
    return this.cache.start();
  }

  /** One instance by the strategy, leaving out instances noted down; null when none is up. */
  getInstance(): ServiceInstance<Payload> | null {
    return this.strategy.getInstance(this.getAllInstances());
  }

  /** Every instance not noted down. */
  getAllInstances(): ServiceInstance<Payload>[] {
    return this.cache.getInstances().filter((instance) => !this.down.isDown(instance));
  }

  /** Notes that calling `instance` failed; past the policy's threshold it is left out for a while. */
  noteError(instance: ServiceInstance<Payload>): void {
    this.down.add(instance);
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}
