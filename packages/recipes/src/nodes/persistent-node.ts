/**
 * A node that stays present as long as the recipe runs (Curator's PersistentNode /
 * PersistentEphemeralNode): created at start, created again when it is deleted or its session
 * ends, deleted at close.
 */
import type { KeelClient } from '@keel/client';
import { type CreateMode, isKeelError, isSequentialMode, parentOf, validatePath } from '@keel/protocol';
import { EventEmitter } from 'eventemitter3';
import { ConnectionTracker } from '../connection/connection-tracker';
import { Deadline, sleep } from '../internal/abort';
import { createNode, existsNodeWatched, sessionIdOf, setNode } from '../internal/client-ops';
import { Lifecycle, type LifecycleState } from '../internal/lifecycle';
import { deleteQuietly, ensurePath } from '../internal/nodes';
import { createProtectedSequential } from '../internal/protected-create';
import { backoffMs, retrying } from '../internal/retry';
import { wakeOnWatchOrState } from '../locks/lock-internals';

/** Options of a {@link PersistentNode}. */
export interface PersistentNodeOptions {
  /** How the node is created (default `ephemeral`). TTL modes are not supported. */
  readonly mode?: Exclude<CreateMode, 'persistent_ttl' | 'persistent_sequential_ttl' | 'container'>;
  /** For sequential modes: find a node whose create answer was lost (default true). */
  readonly useProtection?: boolean;
}

/** Events of a {@link PersistentNode}. */
export interface PersistentNodeEvents {
  /** The node was (re)created at `path`. */
  created: [path: string];
  /** Creating the node failed; it is tried again. */
  error: [error: unknown];
}

/**
 * ```ts
 * const node = new PersistentNode(client, '/workers/worker-1', 'ready', { mode: 'ephemeral' });
 * node.start();
 * await node.waitForInitialCreate({ timeoutMs: 5_000 });
 * ```
 */
export class PersistentNode extends EventEmitter<PersistentNodeEvents> {
  private readonly lifecycle = new Lifecycle('PersistentNode');
  private readonly stopped = new AbortController();
  private readonly tracker: ConnectionTracker;
  private readonly mode: NonNullable<PersistentNodeOptions['mode']>;
  private readonly useProtection: boolean;
  private data: Uint8Array;
  private actualPath: string | null = null;
  private epoch = -1;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: KeelClient,
    /** The node's path (for sequential modes: the prefix). */
    readonly path: string,
    data: Uint8Array | string = new Uint8Array(0),
    options: PersistentNodeOptions = {},
  ) {
    super();
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    this.mode = options.mode ?? 'ephemeral';
    this.useProtection = options.useProtection ?? true;
    this.data = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.tracker = ConnectionTracker.of(client);
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Starts keeping the node present. */
  start(): void {
    this.lifecycle.start();
    this.loop = this.run();
  }

  /** The node's current path (with its sequence suffix), or null while it does not exist. */
  getActualPath(): string | null {
    return this.actualPath;
  }

  /** The data the node is kept with. */
  getData(): Uint8Array {
    return this.data;
  }

  /** Waits for the first creation; resolves false if `timeoutMs` passed or `close()` ran first. */
  async waitForInitialCreate(options: { readonly timeoutMs?: number } = {}): Promise<boolean> {
    this.lifecycle.assertStarted();
    if (this.actualPath !== null) return true;
    const deadline = new Deadline(options.timeoutMs);
    try {
      return await new Promise<boolean>((resolve) => {
        const onCreated = () => {
          deadline.signal.removeEventListener('abort', onGiveUp);
          this.stopped.signal.removeEventListener('abort', onGiveUp);
          resolve(true);
        };
        const onGiveUp = () => {
          this.off('created', onCreated);
          deadline.signal.removeEventListener('abort', onGiveUp);
          this.stopped.signal.removeEventListener('abort', onGiveUp);
          resolve(false);
        };
        this.once('created', onCreated);
        deadline.signal.addEventListener('abort', onGiveUp, { once: true });
        this.stopped.signal.addEventListener('abort', onGiveUp, { once: true });
      });
    } finally {
      deadline.dispose();
    }
  }

  /** Changes the node's data (now, and for every re-creation); resolves once the node has it. */
  async setData(data: Uint8Array | string): Promise<void> {
    this.lifecycle.assertStarted();
    this.data = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const path = this.actualPath;
    if (path === null) {
      // Being (re)created: the creation writes the new data; resolve once it has.
      await new Promise<void>((resolve) => {
        const done = () => {
          this.off('created', done);
          this.stopped.signal.removeEventListener('abort', done);
          resolve();
        };
        this.once('created', done);
        this.stopped.signal.addEventListener('abort', done, { once: true });
      });
      return;
    }
    try {
      await retrying(this.client, () => setNode(this.client, path, this.data));
    } catch (error) {
      // Gone: the loop creates it again with the new data.
      if (!isKeelError(error, 'NoNode')) throw error;
    }
  }

  /** Stops and deletes the node. */
  async close(): Promise<void> {
    if (!this.lifecycle.close()) return;
    this.stopped.abort();
    await this.loop?.catch(() => undefined);
    const path = this.actualPath;
    this.actualPath = null;
    if (path !== null && this.tracker.state !== 'closed') await deleteQuietly(this.client, path).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const stop = this.stopped.signal;
    for (let failures = 0; !stop.aborted; ) {
      try {
        await this.step(stop);
        failures = 0;
      } catch (error) {
        if (stop.aborted) return;
        this.emit('error', error);
        await sleep(backoffMs(failures++), stop).catch(() => undefined);
      }
    }
  }

  private async step(stop: AbortSignal): Promise<void> {
    if (!this.tracker.isConnected) await this.tracker.waitConnected(stop);
    const ephemeral = this.mode === 'ephemeral' || this.mode === 'ephemeral_sequential';
    if (ephemeral && this.epoch !== this.tracker.epoch) this.actualPath = null;
    if (this.actualPath === null) {
      const data = this.data;
      const created = await this.create(stop);
      if (created === null) return;
      this.actualPath = created;
      this.epoch = this.tracker.epoch;
      // setData() during the create changed only the copy: write it now.
      if (this.data !== data) await retrying(this.client, () => setNode(this.client, created, this.data), stop);
      // Created after close() ran: close() deletes it once this loop ends; nobody is told of it.
      if (stop.aborted) return;
      this.emit('created', created);
    }
    const { stat, fired } = await retrying(
      this.client,
      () => existsNodeWatched(this.client, this.actualPath as string),
      stop,
    );
    if (stat === null || (ephemeral && stat.ephemeralOwner !== sessionIdOf(this.client))) {
      this.actualPath = null;
      return;
    }
    await wakeOnWatchOrState(this.tracker, fired, stop);
  }

  /** Creates the node; null when a node of an ended session still holds the path (wait for it to go). */
  private async create(stop: AbortSignal): Promise<string | null> {
    const parent = parentOf(this.path) ?? '/';
    if (isSequentialMode(this.mode)) {
      if (this.useProtection) {
        const name = this.path.slice(parent === '/' ? 1 : parent.length + 1);
        return (
          await createProtectedSequential(this.client, parent, name, this.data, stop, {
            mode: this.mode,
            parentMode: 'persistent',
          })
        ).path;
      }
      await ensurePath(this.client, parent, 'persistent', stop);
      return retrying(this.client, () => createNode(this.client, this.path, this.data, this.mode), stop);
    }
    try {
      await ensurePath(this.client, parent, 'persistent', stop);
      return await retrying(this.client, () => createNode(this.client, this.path, this.data, this.mode), stop);
    } catch (error) {
      if (!isKeelError(error, 'NodeExists')) throw error;
    }
    // Someone holds the path: ours from a lost answer (adopt it), or another session's (wait).
    const { stat, fired } = await retrying(this.client, () => existsNodeWatched(this.client, this.path), stop);
    if (stat === null) return null;
    const ephemeral = this.mode === 'ephemeral';
    if (!ephemeral || stat.ephemeralOwner === sessionIdOf(this.client)) {
      await retrying(this.client, () => setNode(this.client, this.path, this.data));
      return this.path;
    }
    await wakeOnWatchOrState(this.tracker, fired, stop);
    return null;
  }
}
