/**
 * Curator's protected create of an ephemeral sequential node: the name starts with a random
 * protection id, so when the answer to a create is lost (connection dropped after the member
 * applied it) the node is found by that id instead of being orphaned beside a second one.
 */
import type { KeelClient } from '@keel/client';
import { type CreateMode, isKeelError, join } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { retryAttemptsMax } from '../constants';
import { sleep, throwIfAborted } from './abort';
import { childrenOf, createNodeWatchingTurn, createNodeWithStat, existsNode, type OneShotWatch } from './client-ops';
import { deleteQuietly, ensurePath, protectedId } from './nodes';
import { backoffMs, isRetryable, retrying } from './retry';

/** A created sequential node. */
export interface CreatedNode {
  readonly path: string;
  readonly name: string;
  /** The tracker epoch (session) the node was created in. */
  readonly epoch: number;
  /** The node's `createdRevision` (a lock's fencing token), from the create's answer. */
  readonly createdRevision: number;
  /**
   * The turn watch the create left on the node, when one was asked for and the create's own
   * answer arrived (absent when the node was found again after a lost answer).
   */
  readonly turn?: OneShotWatch;
}

/** How {@link createProtectedSequential} creates. */
export interface ProtectedCreateOptions {
  /** The node's mode (default `ephemeral_sequential`). */
  readonly mode?: CreateMode;
  /** The mode of `parent` when it must be created (default `container`). */
  readonly parentMode?: CreateMode;
  /** Each create also leaves a turn watch on the node (`turn` of the result). */
  readonly watchTurn?: boolean;
}

/**
 * Creates `<parent>/<protection id><name><sequence>`, creating `parent` if needed. Retries
 * across a dropped connection, and after one looks for the node by its protection id before
 * creating again. With `watchTurn`, each create also leaves a turn watch on the node (`turn` of
 * the result; a member older than the client refuses it).
 */
export async function createProtectedSequential(
  client: KeelClient,
  parent: string,
  name: string,
  data: Uint8Array,
  signal?: AbortSignal,
  options: ProtectedCreateOptions = {},
): Promise<CreatedNode> {
  const { mode = 'ephemeral_sequential', parentMode = 'container', watchTurn = false } = options;
  const tracker = ConnectionTracker.of(client);
  const id = protectedId();
  const prefix = join(parent, `${id}${name}`);
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal);
    const epoch = tracker.epoch;
    try {
      if (watchTurn) {
        const { path, stat, fired } = await createNodeWatchingTurn(client, prefix, data, mode);
        return { path, name: nameIn(parent, path), epoch, createdRevision: stat.createdRevision, turn: { fired } };
      }
      const { path, stat } = await createNodeWithStat(client, prefix, data, mode);
      return { path, name: nameIn(parent, path), epoch, createdRevision: stat.createdRevision };
    } catch (error) {
      if (attempt >= retryAttemptsMax) throw error;
      if (isKeelError(error, 'NoNode')) {
        await ensurePath(client, parent, parentMode, signal);
        continue;
      }
      if (!isRetryable(error)) throw error;
      try {
        await sleep(backoffMs(attempt), signal);
        await tracker.waitConnected(signal);
      } catch (abort) {
        // Given up while the outcome of the create is unknown: remove the node if it was made.
        void removeProtected(client, parent, id);
        throw abort;
      }
      // The lost answer may have created the node; its session must still be ours.
      if (tracker.epoch !== epoch) continue;
      const found = await findProtected(client, parent, id, signal);
      if (found === null) continue;
      const path = join(parent, found);
      const stat = await retrying(client, () => existsNode(client, path), signal);
      if (stat !== null && tracker.epoch === epoch)
        return { path, name: found, epoch, createdRevision: stat.createdRevision };
      // Deleted again by someone else, or the session ended meanwhile: create anew.
    }
  }
}

/** The name of `path` in its `parent` directory. */
function nameIn(parent: string, path: string): string {
  return path.slice(parent.length === 1 ? 1 : parent.length + 1);
}

/** The child of `parent` whose name starts with protection id `id`, or null. */
async function findProtected(client: KeelClient, parent: string, id: string, signal?: AbortSignal) {
  try {
    const children = await retrying(client, () => childrenOf(client, parent), signal);
    return children.find((child) => child.startsWith(id)) ?? null;
  } catch (error) {
    if (isKeelError(error, 'NoNode')) return null;
    throw error;
  }
}

/** Deletes the node of protection id `id`, if any, in the background of an abandoned create. */
async function removeProtected(client: KeelClient, parent: string, id: string): Promise<void> {
  try {
    const found = await findProtected(client, parent, id);
    if (found !== null) await deleteQuietly(client, join(parent, found));
  } catch {
    // The session's end removes an ephemeral node anyway.
  }
}
