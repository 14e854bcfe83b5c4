/**
 * The driver interface: what a workload may ask of any system. One {@link Session} is one client
 * connection with its session (ZooKeeper session, Keel session, or an etcd client with a lease
 * for its ephemeral keys). Paths are ZooKeeper-style (`/bench/a`); the etcd driver uses them as
 * keys and turns "children" into a keys-only prefix range.
 */

/** How a node is created. */
export type NodeMode = 'persistent' | 'ephemeral' | 'ephemeralSequential';

/** A registered data watch: the driver calls `onEvent` each time the watched node changes. */
export interface DataWatch {
  /** Resolves once the watch is armed again after its last event (one-shot watches are re-armed by the driver). */
  armed(): Promise<void>;
  close(): Promise<void>;
}

/** One client session against one cluster. */
export interface Session {
  /** Creates a node; returns its path (with the sequence suffix for sequential modes). */
  create(path: string, data: Uint8Array, mode?: NodeMode): Promise<string>;
  /** Replaces a node's data (any version). */
  set(path: string, data: Uint8Array): Promise<void>;
  /** Reads a node's data: served by the connected member, or linearizable (Keel ReadIndex, ZooKeeper sync + read, etcd quorum range). */
  get(path: string, linearizable: boolean): Promise<Uint8Array>;
  /** Names of a node's children. */
  children(path: string): Promise<readonly string[]>;
  /** Deletes a node (any version). */
  delete(path: string): Promise<void>;
  /**
   * Whether `path` exists; when it does, `onGone` is called once when it is deleted (or
   * changes). Used by the sequential-ephemeral lock recipe to watch its predecessor.
   */
  existsWatch(path: string, onChange: () => void): Promise<boolean>;
  /** Watches a node's data; `onEvent` receives the monotonic time (µs) the event arrived. */
  watchData(path: string, onEvent: (atMicros: number) => void): Promise<DataWatch>;
  /** Ends the session (its ephemeral nodes go) and the connection. */
  close(): Promise<void>;
}

/** A held lock. */
export interface HeldLock {
  release(): Promise<void>;
}

/** A distributed mutex bound to one session and one lock path. */
export interface Mutex {
  /** Waits until the lock is held. */
  acquire(): Promise<HeldLock>;
}

/** A system the harness can drive: opens sessions on a running cluster. */
export interface TargetDriver {
  readonly name: 'keel' | 'zookeeper' | 'etcd';
  /** Opens one session on the cluster. */
  connect(): Promise<Session>;
  /** The system's usual mutex recipe over `session`. */
  mutex(session: Session, lockPath: string): Mutex;
  /** What the mutex recipe is, for the report. */
  readonly mutexRecipe: string;
}
