/**
 * The one place that speaks to `@keel/client`: every recipe reaches the client through these
 * helpers, so the recipes read as recipes and one file follows the client's API.
 */
import type { KeelClient, WatchedEventType, Watcher } from '@keel/client';
import type { CreateMode, Stat } from '@keel/protocol';
import type { ConnectionState } from '../connection/error-policy';

/** A one-shot watch left by a read: `fired` resolves once, with the event's type, when the watched node changes. */
export interface OneShotWatch {
  readonly fired: Promise<WatchedEventType>;
}

/** A watcher for one event, and the promise of that event's type. */
function firedOnce(): { watcher: Watcher; fired: Promise<WatchedEventType> } {
  let fire!: (type: WatchedEventType) => void;
  const fired = new Promise<WatchedEventType>((resolve) => {
    fire = resolve;
  });
  return { watcher: (event) => fire(event.type), fired };
}

/** A node's data and stat. */
export interface NodeSnapshot {
  readonly data: Uint8Array;
  readonly stat: Stat;
}

/** The client's current connection state. */
export function clientStateOf(client: KeelClient): ConnectionState {
  return client.state;
}

/** Calls `listener` on every connection state the client reports. */
export function onClientState(client: KeelClient, listener: (state: ConnectionState) => void): void {
  client.on('state', listener);
}

/** The client's current session id (null before the first session). */
export function sessionIdOf(client: KeelClient): string | null {
  return client.sessionId;
}

/** Creates a node; resolves to its actual path (with the sequence suffix, if any). */
export function createNode(
  client: KeelClient,
  path: string,
  data: Uint8Array,
  mode: CreateMode,
  ttlMs?: number,
): Promise<string> {
  return client.create(path, data, ttlMs === undefined ? { mode } : { mode, ttlMs });
}

/** Creates a node; resolves to its actual path and stat. */
export function createNodeWithStat(
  client: KeelClient,
  path: string,
  data: Uint8Array,
  mode: CreateMode,
): Promise<{ path: string; stat: Stat }> {
  return client.createWithStat(path, data, { mode });
}

/**
 * Creates a sequential node that leaves a turn watch on itself, registered with the answer (see
 * `KeelClient.create`'s `watchTurn`). A member older than the client refuses it: `BadArguments`.
 */
export async function createNodeWatchingTurn(
  client: KeelClient,
  path: string,
  data: Uint8Array,
  mode: CreateMode,
): Promise<{ path: string; stat: Stat } & OneShotWatch> {
  const { watcher, fired } = firedOnce();
  const created = await client.createWithStat(path, data, { mode, watchTurn: watcher });
  return { path: created.path, stat: created.stat, fired };
}

/** Reads a node (throws `NoNode`). */
export async function getNode(client: KeelClient, path: string): Promise<NodeSnapshot> {
  const { data, stat } = await client.get(path);
  return { data, stat };
}

/** Reads a node and leaves a one-shot data watch (throws `NoNode`, leaving no watch). */
export async function getNodeWatched(client: KeelClient, path: string): Promise<NodeSnapshot & OneShotWatch> {
  const { watcher, fired } = firedOnce();
  const { data, stat } = await client.get(path, { watch: watcher });
  return { data, stat, fired };
}

/** A node's stat, or null. */
export function existsNode(client: KeelClient, path: string): Promise<Stat | null> {
  return client.exists(path);
}

/** A node's stat, or null, leaving a one-shot exists watch (fires on create, delete or data change). */
export async function existsNodeWatched(
  client: KeelClient,
  path: string,
): Promise<{ stat: Stat | null } & OneShotWatch> {
  const { watcher, fired } = firedOnce();
  const stat = await client.exists(path, { watch: watcher });
  return { stat, fired };
}

/**
 * Leaves a turn watch on a sequential node (`KeelClient.watchTurn`): `fired` resolves with
 * `turn` once no sibling with a lower sequence number is left, `deleted`, or `resyncNeeded`.
 * Throws `NoNode`, and `BadArguments` from a member that does not know the watch.
 */
export async function watchTurn(client: KeelClient, path: string): Promise<OneShotWatch> {
  const { watcher, fired } = firedOnce();
  await client.watchTurn(path, watcher);
  return { fired };
}

/** The names of a node's children (unsorted). Throws `NoNode`. */
export async function childrenOf(client: KeelClient, path: string): Promise<string[]> {
  return client.children(path);
}

/** The names of a node's children, leaving a one-shot children watch. Throws `NoNode`. */
export async function childrenOfWatched(
  client: KeelClient,
  path: string,
): Promise<{ children: string[] } & OneShotWatch> {
  const { watcher, fired } = firedOnce();
  const children = await client.children(path, { watch: watcher });
  return { children, fired };
}

/** Replaces a node's data, optionally only at `version`. */
export function setNode(client: KeelClient, path: string, data: Uint8Array, version?: number): Promise<Stat> {
  return client.set(path, data, version === undefined ? {} : { version });
}

/** Deletes a node, optionally only at `version`. */
export async function deleteNode(client: KeelClient, path: string, version?: number): Promise<void> {
  await client.delete(path, version === undefined ? {} : { version });
}

/** One event of a persistent watch. */
export interface PersistentWatchEvent {
  readonly type: 'created' | 'deleted' | 'dataChanged' | 'childrenChanged' | 'resyncNeeded';
  readonly path: string;
}

/** A persistent watch: an async iterable of events until `close()`. */
export interface PersistentWatch extends AsyncIterable<PersistentWatchEvent> {
  /** Settles once the member registered the watch (rejects if it refused). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Watches a node (and, with `recursive`, everything below it) until closed. */
export function watchPersistent(client: KeelClient, path: string, recursive: boolean): PersistentWatch {
  const stream = client.watch(path, { recursive });
  return {
    ready: stream.ready,
    close: () => stream.close(),
    async *[Symbol.asyncIterator]() {
      for await (const event of stream) yield { type: event.type, path: event.path };
    },
  };
}
