/**
 * One instance of a service (Curator's ServiceInstance), stored as JSON in its node.
 */
import { RecipeError } from '../errors';
import { utf8 } from '../internal/nodes';

/**
 * How an instance's node lives (Curator's ServiceType): `DYNAMIC` nodes are ephemeral (gone with
 * the session), `STATIC` and `PERMANENT` ones persistent.
 */
export type ServiceType = 'DYNAMIC' | 'STATIC' | 'PERMANENT';

/** One instance of a service; the field names are Curator's JSON serializer's. */
export interface ServiceInstance<Payload = unknown> {
  readonly name: string;
  readonly id: string;
  readonly address?: string;
  readonly port?: number;
  readonly sslPort?: number;
  readonly payload?: Payload;
  /** Milliseconds since the Unix epoch when the instance was built. */
  readonly registrationTimeUTC: number;
  readonly serviceType: ServiceType;
  /** A URI template such as `{scheme}://{address}:{port}/api`. */
  readonly uriSpec?: string;
}

/** What {@link serviceInstance} needs; the rest gets defaults. */
export type ServiceInstanceInit<Payload> = Pick<ServiceInstance<Payload>, 'name'> &
  Partial<Omit<ServiceInstance<Payload>, 'name'>>;

/** Builds an instance (Curator's ServiceInstanceBuilder): a random id, now, `DYNAMIC`. */
export function serviceInstance<Payload = unknown>(init: ServiceInstanceInit<Payload>): ServiceInstance<Payload> {
  if (init.name.length === 0 || init.name.includes('/')) throw new RangeError(`bad service name ${init.name}`);
  const id = init.id ?? globalThis.crypto.randomUUID();
  if (id.length === 0 || id.includes('/')) throw new RangeError(`bad instance id ${id}`);
  return {
    ...init,
    id,
    registrationTimeUTC: init.registrationTimeUTC ?? Date.now(),
    serviceType: init.serviceType ?? 'DYNAMIC',
  };
}

/** Turns instances into node data and back (Curator's InstanceSerializer). */
export interface InstanceSerializer<Payload> {
  serialize(instance: ServiceInstance<Payload>): Uint8Array;
  deserialize(data: Uint8Array): ServiceInstance<Payload>;
}

/** The JSON serializer (Curator's JsonInstanceSerializer). */
export function jsonInstanceSerializer<Payload = unknown>(): InstanceSerializer<Payload> {
  return {
    serialize: (instance) => utf8.encode(JSON.stringify(instance)),
    deserialize: (data) => {
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(data));
      } catch (error) {
        throw new RecipeError('BadData', 'service instance data is not JSON', { cause: error });
      }
      if (!isInstanceLike(value)) throw new RecipeError('BadData', 'service instance data lacks name or id');
      return value as ServiceInstance<Payload>;
    },
  };
}

function isInstanceLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.name === 'string' && typeof record.id === 'string';
}

/** Fills `{scheme}`, `{name}`, `{id}`, `{address}`, `{port}`, `{ssl-port}` of the instance's uriSpec. */
export function buildUriSpec(instance: ServiceInstance<unknown>): string | null {
  if (instance.uriSpec === undefined) return null;
  const scheme = instance.sslPort !== undefined ? 'https' : 'http';
  const values: Record<string, string> = {
    scheme,
    name: instance.name,
    id: instance.id,
    address: instance.address ?? '',
    port: String(instance.sslPort ?? instance.port ?? ''),
    'ssl-port': String(instance.sslPort ?? ''),
  };
  return instance.uriSpec.replace(/\{([a-z-]+)\}/g, (whole, key: string) => values[key] ?? whole);
}
