/**
 * How a node is created (DESIGN §3).
 *
 * - `persistent`: lives until deleted.
 * - `ephemeral`: deleted when its session ends; cannot have children.
 * - `*_sequential`: the name gets the parent's counter as a ten-digit suffix.
 * - `container`: deleted by the server once its last child is gone (never while it has never had one).
 * - `*_ttl`: persistent, deleted after `ttlMs` without a change while it has no children.
 */
export const CreateMode = {
  persistent: 'persistent',
  ephemeral: 'ephemeral',
  persistentSequential: 'persistent_sequential',
  ephemeralSequential: 'ephemeral_sequential',
  container: 'container',
  persistentTtl: 'persistent_ttl',
  persistentSequentialTtl: 'persistent_sequential_ttl',
} as const;

/** One create mode. */
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

/** Every create mode, in wire order: the index is the mode's tag on the wire. */
export const createModes: readonly CreateMode[] = Object.freeze([
  'persistent',
  'ephemeral',
  'persistent_sequential',
  'ephemeral_sequential',
  'container',
  'persistent_ttl',
  'persistent_sequential_ttl',
]);

/** Whether a value is a create mode. */
export function isCreateMode(value: unknown): value is CreateMode {
  return typeof value === 'string' && (createModes as readonly string[]).includes(value);
}

/** Whether nodes of this mode are tied to the creating session. */
export function isEphemeralMode(mode: CreateMode): boolean {
  return mode === 'ephemeral' || mode === 'ephemeral_sequential';
}

/** Whether this mode appends a sequence number to the name. */
export function isSequentialMode(mode: CreateMode): boolean {
  return mode === 'persistent_sequential' || mode === 'ephemeral_sequential' || mode === 'persistent_sequential_ttl';
}

/** Whether this mode needs a `ttlMs`. */
export function isTtlMode(mode: CreateMode): boolean {
  return mode === 'persistent_ttl' || mode === 'persistent_sequential_ttl';
}

/** Whether this mode makes a container node. */
export function isContainerMode(mode: CreateMode): boolean {
  return mode === 'container';
}
