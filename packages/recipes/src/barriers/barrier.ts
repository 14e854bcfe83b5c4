/**
 * A barrier (Curator's DistributedBarrier): while its node exists, `waitOnBarrier()` blocks;
 * removing the node releases every waiter at once (they all watch the one barrier node, which is
 * the point of a barrier).
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, validatePath } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { anySignal, Deadline, isDeadlineExpired, throwIfAborted } from '../internal/abort';
import { existsNodeWatched } from '../internal/client-ops';
import { createWithParents, deleteQuietly } from '../internal/nodes';
import { retrying } from '../internal/retry';
import { wakeOnWatchOrState } from '../locks/lock-internals';

/** Options of a wait. */
export interface WaitOptions {
  /** Give up after this long (resolve false). Waits forever when absent. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A barrier on one node. */
export class Barrier {
  constructor(
    private readonly client: KeelClient,
    readonly path: string,
  ) {
    const check = validatePath(path);
    if (!check.ok) throw check.error;
  }

  /** Raises the barrier (creates its node; already raised is fine). */
  async setBarrier(): Promise<void> {
    try {
      await retrying(this.client, () =>
        createWithParents(this.client, this.path, new Uint8Array(0), 'persistent').then(() => undefined),
      );
    } catch (error) {
      if (!isKeelError(error, 'NodeExists')) throw error;
    }
  }

  /** Lowers the barrier, releasing every waiter. */
  removeBarrier(): Promise<void> {
    return deleteQuietly(this.client, this.path);
  }

  /** Waits until the barrier is lowered; resolves false if `timeoutMs` passed first. */
  async waitOnBarrier(options: WaitOptions = {}): Promise<boolean> {
    const deadline = new Deadline(options.timeoutMs);
    const wait = anySignal(deadline.signal, options.signal);
    const tracker = ConnectionTracker.of(this.client);
    try {
      for (;;) {
        throwIfAborted(wait);
        const { stat, fired } = await retrying(this.client, () => existsNodeWatched(this.client, this.path), wait);
        if (stat === null) return true;
        await wakeOnWatchOrState(tracker, fired, wait);
        if (!tracker.isConnected) await tracker.waitConnected(wait);
      }
    } catch (error) {
      if (isDeadlineExpired(error) && options.signal?.aborted !== true) return false;
      throw error;
    } finally {
      deadline.dispose();
    }
  }
}
