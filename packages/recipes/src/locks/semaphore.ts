/**
 * A counting semaphore (Curator's InterProcessSemaphoreV2): at most `maxLeases` leases are held
 * across all processes. Acquirers queue on an internal mutex (so only its holder watches the
 * lease directory: no herd), then wait until their lease node is among the first `maxLeases`.
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, join, validatePath } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { anySignal, Deadline, isDeadlineExpired, throwIfAborted } from '../internal/abort';
import { childrenOf, childrenOfWatched, existsNode, sessionIdOf } from '../internal/client-ops';
import { deleteQuietly } from '../internal/nodes';
import { createProtectedSequential } from '../internal/protected-create';
import { retrying } from '../internal/retry';
import { Lease } from './lease';
import type { LockOptions } from './lock-base';
import { type AcquireOptions, wakeOnWatchOrState } from './lock-internals';
import { Mutex } from './mutex';

/** Options of a {@link Semaphore}. */
export interface SemaphoreOptions extends LockOptions {}

/** Options of acquiring several leases at once. */
export interface SemaphoreAcquireOptions extends AcquireOptions {
  /** How many leases to take (default 1); all or none. */
  readonly quantity?: number;
}

/**
 * A semaphore of `maxLeases` leases on a directory. Every {@link Lease} has a fencing token
 * (its lease node's `createdRevision`) and is revoked like a lock lease.
 */
export class Semaphore {
  private readonly mutex: Mutex;
  private readonly leasesPath: string;

  constructor(
    private readonly client: KeelClient,
    readonly path: string,
    readonly maxLeases: number,
    private readonly options: SemaphoreOptions = {},
  ) {
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError(`maxLeases must be >= 1, got ${maxLeases}`);
    this.mutex = new Mutex(client, join(path, 'locks'), options);
    this.leasesPath = join(path, 'leases');
  }

  /** Takes `quantity` leases (default 1), waiting forever or until `signal` fires. */
  acquire(options?: SemaphoreAcquireOptions & { readonly timeoutMs?: undefined }): Promise<Lease[]>;
  /** Takes `quantity` leases, waiting at most `timeoutMs`; resolves null (holding none) on timeout. */
  acquire(options: SemaphoreAcquireOptions & { readonly timeoutMs: number }): Promise<Lease[] | null>;
  async acquire(options: SemaphoreAcquireOptions = {}): Promise<Lease[] | null> {
    const quantity = options.quantity ?? 1;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > this.maxLeases)
      throw new RangeError(`quantity must be between 1 and ${this.maxLeases}, got ${quantity}`);
    const deadline = new Deadline(options.timeoutMs);
    const wait = anySignal(deadline.signal, options.signal);
    const leases: Lease[] = [];
    try {
      for (;;) {
        for (let i = leases.length; i < quantity; i++) leases.push(await this.acquireOne(wait));
        if (leases.every((lease) => !lease.isRevoked)) return leases;
        // A lease taken early was revoked (the connection was suspended) while a later one was
        // awaited: the caller asked for `quantity` held leases, so give all back and start over.
        for (const lease of leases.splice(0)) await lease.release().catch(() => undefined);
      }
    } catch (error) {
      for (const lease of leases) await lease.release().catch(() => undefined);
      if (isDeadlineExpired(error) && options.signal?.aborted !== true) return null;
      throw error;
    } finally {
      deadline.dispose();
    }
  }

  /** The lease nodes currently held or waiting. */
  async participantNodes(): Promise<string[]> {
    return retrying(this.client, () => childrenOf(this.client, this.leasesPath)).catch((error: unknown) => {
      if (isKeelError(error, 'NoNode')) return [];
      throw error;
    });
  }

  private async acquireOne(wait: AbortSignal): Promise<Lease> {
    const gate = await this.mutex.acquire({ signal: wait });
    let leasePath: string | null = null;
    try {
      const tracker = ConnectionTracker.of(this.client);
      const created = await createProtectedSequential(
        this.client,
        this.leasesPath,
        'lease-',
        this.options.nodeData ?? new Uint8Array(0),
        wait,
      );
      leasePath = created.path;
      for (;;) {
        throwIfAborted(wait);
        const { children, fired } = await retrying(
          this.client,
          () => childrenOfWatched(this.client, this.leasesPath),
          wait,
        );
        if (!children.includes(created.name) || tracker.epoch !== created.epoch)
          throw new Error(`lease node ${created.path} vanished (the session ended)`);
        if (children.length <= this.maxLeases) break;
        await wakeOnWatchOrState(tracker, fired, wait);
        if (!tracker.isConnected) await tracker.waitConnected(wait);
      }
      const stat = await retrying(this.client, () => existsNode(this.client, created.path), wait);
      // An answer that arrives after an abort must not hand out the lease.
      throwIfAborted(wait);
      if (stat === null || stat.ephemeralOwner !== sessionIdOf(this.client))
        throw new Error(`lease node ${created.path} vanished (the session ended)`);
      const lease = new Lease({
        client: this.client,
        path: created.path,
        fencingToken: stat.createdRevision,
        epoch: created.epoch,
        ...(this.options.errorPolicy === undefined ? {} : { errorPolicy: this.options.errorPolicy }),
      });
      leasePath = null;
      return lease;
    } finally {
      if (leasePath !== null) await deleteQuietly(this.client, leasePath).catch(() => undefined);
      await gate.release().catch(() => undefined);
    }
  }
}
