/**
 * How a ServiceProvider picks one instance (Curator's ProviderStrategy implementations).
 */
import type { ServiceInstance } from './service-instance';

/** Picks one of the available instances, or null when there are none. */
export interface ProviderStrategy<Payload = unknown> {
  getInstance(instances: readonly ServiceInstance<Payload>[]): ServiceInstance<Payload> | null;
}

/** A uniformly random instance (Curator's RandomStrategy). */
export class RandomStrategy<Payload = unknown> implements ProviderStrategy<Payload> {
  constructor(private readonly random: () => number = Math.random) {}

  getInstance(instances: readonly ServiceInstance<Payload>[]): ServiceInstance<Payload> | null {
    if (instances.length === 0) return null;
    return instances[Math.floor(this.random() * instances.length)] ?? null;
  }
}

/** Each instance in turn (Curator's RoundRobinStrategy). */
export class RoundRobinStrategy<Payload = unknown> implements ProviderStrategy<Payload> {
  private next = 0;

  getInstance(instances: readonly ServiceInstance<Payload>[]): ServiceInstance<Payload> | null {
    if (instances.length === 0) return null;
    const instance = instances[this.next % instances.length] ?? null;
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return instance;
  }
}

/**
 * The same instance for as long as it is available, else one from `fallback` (Curator's
 * StickyStrategy).
 */
export class StickyStrategy<Payload = unknown> implements ProviderStrategy<Payload> {
  private current: ServiceInstance<Payload> | null = null;

  constructor(private readonly fallback: ProviderStrategy<Payload> = new RandomStrategy<Payload>()) {}

  getInstance(instances: readonly ServiceInstance<Payload>[]): ServiceInstance<Payload> | null {
    const kept = this.current === null ? undefined : instances.find((instance) => instance.id === this.current?.id);
    this.current = kept ?? this.fallback.getInstance(instances);
    return this.current;
  }
}
