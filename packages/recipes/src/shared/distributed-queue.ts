/**
 * A FIFO queue of items in persistent sequential nodes (Curator's DistributedQueue, without its
 * lock-safe mode). A consumer takes the lowest item by reading it and deleting it: the one whose
 * delete succeeds owns the item, so each item is taken once. An item taken by a consumer that
 * dies before handling it is lost (Curator's default, non lock-safe, semantics).
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, join, validatePath } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { anySignal, Deadline, isDeadlineExpired, throwIfAborted } from '../internal/abort';
import { childrenOf, childrenOfWatched, deleteNode, getNode } from '../internal/client-ops';
import { createWithParents, ensurePath, sortedBySequence, utf8 } from '../internal/nodes';
import { retrying } from '../internal/retry';
import { wakeOnWatchOrState } from '../locks/lock-internals';

/** Turns items into node data and back (Curator's QueueSerializer). */
export interface QueueSerializer<Item> {
  serialize(item: Item): Uint8Array;
  deserialize(data: Uint8Array): Item;
}

/** JSON items. */
export function jsonQueueSerializer<Item>(): QueueSerializer<Item> {
  return {
    serialize: (item) => utf8.encode(JSON.stringify(item)),
    deserialize: (data) => JSON.parse(utf8.decode(data)) as Item,
  };
}

const itemName = 'queue-';

/**
 * ```ts
 * const queue = new DistributedQueue<{ orderId: string }>(client, '/queues/orders');
 * await queue.put({ orderId: 'A-17' });
 * const next = await queue.take();
 * ```
 */
export class DistributedQueue<Item> {
  private readonly serializer: QueueSerializer<Item>;

  constructor(
    private readonly client: KeelClient,
    readonly path: string,
    options: { readonly serializer?: QueueSerializer<Item> } = {},
  ) {
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    this.serializer = options.serializer ?? jsonQueueSerializer<Item>();
  }

  /**
   * Adds an item. Not retried after a lost answer (the item may have been added); the error
   * then propagates.
   */
  async put(item: Item): Promise<void> {
    await createWithParents(
      this.client,
      join(this.path, itemName),
      this.serializer.serialize(item),
      'persistent_sequential',
    );
  }

  /** How many items wait. */
  async size(): Promise<number> {
    return (await this.items()).length;
  }

  /**
   * Takes the oldest item, waiting for one (forever, until `signal` fires, or `timeoutMs`, after
   * which it resolves null). Waiting consumers watch the queue's children.
   */
  async take(options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<Item | null> {
    const deadline = new Deadline(options.timeoutMs);
    const wait = anySignal(deadline.signal, options.signal);
    const tracker = ConnectionTracker.of(this.client);
    try {
      await ensurePath(this.client, this.path, 'persistent', wait);
      for (;;) {
        throwIfAborted(wait);
        const { children, fired } = await retrying(this.client, () => childrenOfWatched(this.client, this.path), wait);
        for (const name of sortedBySequence(children, itemName)) {
          const item = await this.tryTake(join(this.path, name), wait);
          if (item !== undefined) return item;
        }
        await wakeOnWatchOrState(tracker, fired, wait);
        if (!tracker.isConnected) await tracker.waitConnected(wait);
      }
    } catch (error) {
      if (isDeadlineExpired(error) && options.signal?.aborted !== true) return null;
      throw error;
    } finally {
      deadline.dispose();
    }
  }

  /** Takes the oldest item if there is one, without waiting; undefined when the queue is empty. */
  async poll(): Promise<Item | undefined> {
    for (const name of await this.items()) {
      const item = await this.tryTake(join(this.path, name));
      if (item !== undefined) return item;
    }
    return undefined;
  }

  private async items(): Promise<string[]> {
    try {
      return sortedBySequence(await retrying(this.client, () => childrenOf(this.client, this.path)), itemName);
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return [];
      throw error;
    }
  }

  /**
   * Reads then deletes (at the version read) one item; undefined if another consumer won it.
   * A `wait` that fires before the delete leaves the item in the queue; once the delete is sent
   * the item is this caller's, abort or not, or it would be lost.
   */
  private async tryTake(path: string, wait?: AbortSignal): Promise<Item | undefined> {
    try {
      throwIfAborted(wait);
      const { data, stat } = await retrying(this.client, () => getNode(this.client, path));
      throwIfAborted(wait);
      await deleteNode(this.client, path, stat.version);
      return this.serializer.deserialize(data);
    } catch (error) {
      if (isKeelError(error, 'NoNode') || isKeelError(error, 'BadVersion')) return undefined;
      throw error;
    }
  }
}
