/**
 * A double barrier (Curator's DistributedDoubleBarrier): `enter()` waits until `memberCount`
 * members have entered, `leave()` until all of them have left. Leaving follows ZooKeeper's
 * recipe: the lowest member waits for the highest, every other member deletes its node and
 * waits for the lowest, so each waiter watches one node.
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, join, validatePath } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { anySignal, Deadline, isDeadlineExpired, throwIfAborted } from '../internal/abort';
import { childrenOf, existsNodeWatched } from '../internal/client-ops';
import { createWithParents, deleteQuietly } from '../internal/nodes';
import { retrying } from '../internal/retry';
import { wakeOnWatchOrState } from '../locks/lock-internals';
import type { WaitOptions } from './barrier';

const readyName = 'ready';

/** A double barrier of `memberCount` members on a directory. */
export class DoubleBarrier {
  readonly id: string;
  private readonly ourPath: string;
  private readonly readyPath: string;

  constructor(
    private readonly client: KeelClient,
    readonly path: string,
    readonly memberCount: number,
    options: { readonly id?: string } = {},
  ) {
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    if (!Number.isInteger(memberCount) || memberCount < 1)
      throw new RangeError(`memberCount must be >= 1, got ${memberCount}`);
    this.id = options.id ?? globalThis.crypto.randomUUID();
    if (this.id === readyName) throw new RangeError(`a member id cannot be "${readyName}"`);
    this.ourPath = join(path, this.id);
    this.readyPath = join(path, readyName);
  }

  /** Enters and waits for `memberCount` members; resolves false (having left) if `timeoutMs` passed first. */
  async enter(options: WaitOptions = {}): Promise<boolean> {
    const deadline = new Deadline(options.timeoutMs);
    const wait = anySignal(deadline.signal, options.signal);
    const tracker = ConnectionTracker.of(this.client);
    try {
      // Watch before joining, so the creation of `ready` cannot slip between the two.
      let ready = await retrying(this.client, () => existsNodeWatched(this.client, this.readyPath), wait);
      await this.createOurNode();
      for (;;) {
        throwIfAborted(wait);
        if (ready.stat !== null) return true;
        const members = await this.members(wait);
        // A list answered after an abort must not raise `ready` for a member that is leaving.
        throwIfAborted(wait);
        if (members.length >= this.memberCount) {
          await retrying(this.client, () =>
            createWithParents(this.client, this.readyPath, new Uint8Array(0), 'persistent'),
          ).catch((error: unknown) => {
            if (!isKeelError(error, 'NodeExists')) throw error;
          });
          return true;
        }
        // `ready` only changes once the barrier is reached.
        if ((await wakeOnWatchOrState(tracker, ready.fired, wait)) === 'watch') return true;
        if (!tracker.isConnected) await tracker.waitConnected(wait);
        ready = await retrying(this.client, () => existsNodeWatched(this.client, this.readyPath), wait);
      }
    } catch (error) {
      await deleteQuietly(this.client, this.ourPath).catch(() => undefined);
      if (isDeadlineExpired(error) && options.signal?.aborted !== true) return false;
      throw error;
    } finally {
      deadline.dispose();
    }
  }

  /** Leaves and waits until every member has left; resolves false if `timeoutMs` passed first. */
  async leave(options: WaitOptions = {}): Promise<boolean> {
    const deadline = new Deadline(options.timeoutMs);
    const wait = anySignal(deadline.signal, options.signal);
    const tracker = ConnectionTracker.of(this.client);
    try {
      for (;;) {
        throwIfAborted(wait);
        const members = (await this.members(wait)).sort();
        if (members.length === 0) {
          await deleteQuietly(this.client, this.readyPath).catch(() => undefined);
          return true;
        }
        const ours = members.includes(this.id);
        if (ours && members.length === 1) {
          await deleteQuietly(this.client, this.ourPath);
          continue;
        }
        const lowest = members[0] as string;
        const highest = members[members.length - 1] as string;
        let watched: string;
        if (ours && lowest === this.id) {
          watched = highest;
        } else {
          if (ours) await deleteQuietly(this.client, this.ourPath);
          watched = lowest;
        }
        const { stat, fired } = await retrying(
          this.client,
          () => existsNodeWatched(this.client, join(this.path, watched)),
          wait,
        );
        if (stat === null) continue;
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

  private async createOurNode(): Promise<void> {
    try {
      await retrying(this.client, () => createWithParents(this.client, this.ourPath, new Uint8Array(0), 'ephemeral'));
    } catch (error) {
      if (!isKeelError(error, 'NodeExists')) throw error;
    }
  }

  private async members(wait: AbortSignal): Promise<string[]> {
    try {
      const children = await retrying(this.client, () => childrenOf(this.client, this.path), wait);
      return children.filter((name) => name !== readyName);
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return [];
      throw error;
    }
  }
}
