/**
 * The acquire loop every sequential-node lock shares (Curator's LockInternals): create a
 * protected ephemeral sequential node, list the children sorted by sequence, ask the driver
 * whether the node holds the lock, otherwise watch only the node the driver names (the
 * predecessor) with a one-shot exists watch and decide again when it is deleted. A failed
 * acquisition deletes its node.
 *
 * When the first node alone holds (a mutex, a write lock), the member decides the wait instead:
 * the create itself leaves a turn watch on the node, which fires right after the answer when no
 * node is ahead (an uncontended lock in one round trip), else when the last node ahead goes.
 * There is no listing, no watch on the predecessor and no second request before the wait, so a
 * hand-over costs the holder's delete and one event. A member that does not know the create's
 * watch gets the create, the list behind it and a turn watch; one that does not know turn
 * watches at all (older than this package) gets the list-and-watch loop.
 */
import type { KeelClient } from '@keel/client';
import { isKeelError, join } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { lockNodeRecreationsMax } from '../constants';
import { anySignal, Deadline, isDeadlineExpired, raceAbort, throwIfAborted } from '../internal/abort';
import { childrenOf, getNodeWatched, type OneShotWatch, watchTurn } from '../internal/client-ops';
import { deleteQuietly, sortedBySequence, unprotectedName } from '../internal/nodes';
import { type CreatedNode, createProtectedSequential } from '../internal/protected-create';
import { retrying } from '../internal/retry';

/** A driver's answer: the node holds the lock, or must wait for `watch` (a sibling's name) to change. */
export type LockDecision = { readonly acquired: true } | { readonly acquired: false; readonly watch: string };

/**
 * The rule of one lock kind (Curator's LockInternalsDriver). A decision may depend only on the
 * nodes ahead of ours, and removing one of them must never turn "acquired" into "wait": the
 * acquire loop decides again on its last list, less the nodes it saw deleted.
 */
export interface LockDriver {
  /** Decides for `ourName` among `sorted` (every lock node of the directory, sorted by sequence). */
  decide(sorted: readonly string[], ourName: string): LockDecision;
  /**
   * Whether a node holds exactly when no sequential node of the directory is ahead of it, of
   * any name: the member's turn watch can then decide the wait. (A directory shared with other
   * sequential nodes would make such a waiter wait for them too.)
   */
  readonly firstHolds?: boolean;
}

/** Curator's standard driver: the first `maxLeases` nodes hold; a waiter watches the node `maxLeases` before it. */
export function standardDriver(maxLeases = 1): LockDriver {
  return {
    firstHolds: maxLeases === 1,
    decide(sorted, ourName) {
      const index = sorted.indexOf(ourName);
      if (index < maxLeases) return { acquired: true };
      return { acquired: false, watch: sorted[index - maxLeases] as string };
    },
  };
}

/** A held lock node. */
export interface AcquiredNode {
  readonly path: string;
  readonly fencingToken: number;
  readonly epoch: number;
  /**
   * Whether the node was seen in a listing after the last watch wake-up. When not (the lock
   * passed on at a deletion's event), the lease checks in the background that the node is
   * still there and revokes itself if someone deleted it meanwhile.
   */
  readonly seenSinceWake: boolean;
}

/** Options of one acquisition. */
export interface AcquireOptions {
  /** Give up (and resolve null) after this long. Waits forever when absent. */
  readonly timeoutMs?: number;
  /** Stops waiting (rejecting with the signal's reason) and deletes the node. */
  readonly signal?: AbortSignal;
}

/** The lock node of an acquisition in progress, once created. */
interface OurNode {
  path: string | null;
}

/** The acquire loop of one lock directory and node name. */
export class LockInternals {
  private wakeups = 0;
  /** False once a member refused the turn watch (it is older): the list-and-watch loop then. */
  private memberWaits: boolean;
  /** False once a member refused a create that leaves a turn watch: create, list, then watch. */
  private createLeavesTurn = true;

  constructor(
    private readonly client: KeelClient,
    /** The directory holding the lock nodes. */
    readonly basePath: string,
    /** The name every lock node of this kind starts with (after the protection id). */
    readonly lockName: string,
    private readonly driver: LockDriver,
    /** The names other kinds of lock node sharing the directory start with (read-write locks). */
    private readonly siblingNames: readonly string[] = [],
  ) {
    this.memberWaits = driver.firstHolds === true;
  }

  /** How many watch or turn events woke an acquisition of this lock (a diagnostic for the herd effect). */
  get watchWakeups(): number {
    return this.wakeups;
  }

  /** Every lock node of the directory, sorted by sequence. */
  async sortedNodes(signal?: AbortSignal): Promise<string[]> {
    try {
      return this.lockNodesOf(await retrying(this.client, () => childrenOf(this.client, this.basePath), signal));
    } catch (error) {
      if (isKeelError(error, 'NoNode')) return [];
      throw error;
    }
  }

  /** The lock nodes among `children`, sorted by sequence. */
  private lockNodesOf(children: readonly string[]): string[] {
    const markers = [this.lockName, ...this.siblingNames];
    return sortedBySequence(children).filter((name) =>
      markers.some((marker) => unprotectedName(name).startsWith(marker)),
    );
  }

  /**
   * Lists the directory right behind a create sent just before, without waiting for its answer:
   * the member answers a session's requests in order, so the list (one attempt, null on any
   * failure) shows the new node, and create and list take one round trip. A list that lacks
   * the node (the create was retried) is not used.
   */
  private listBehindCreate(): Promise<string[] | null> {
    return childrenOf(this.client, this.basePath).then(
      (children) => this.lockNodesOf(children),
      () => null,
    );
  }

  /** Acquires; resolves null if `timeoutMs` passed first. The node is deleted on any failure. */
  async acquire(options: AcquireOptions = {}, data: Uint8Array = new Uint8Array(0)): Promise<AcquiredNode | null> {
    const deadline = new Deadline(options.timeoutMs);
    const wait = anySignal(deadline.signal, options.signal);
    // Set as soon as our node exists, so any failure deletes it.
    const ours: OurNode = { path: null };
    try {
      for (let recreations = 0; ; recreations++) {
        const acquired = await this.createAndWait(ours, wait, data);
        if (acquired !== null) return acquired;
        // Our node's session ended while we waited: start again with the new session.
        if (ours.path !== null) await this.cleanup(ours.path);
        ours.path = null;
        if (recreations >= lockNodeRecreationsMax)
          throw new Error(`lock node at ${this.basePath} vanished ${recreations + 1} times while waiting`);
      }
    } catch (error) {
      if (ours.path !== null) await this.cleanup(ours.path);
      if (isDeadlineExpired(error) && options.signal?.aborted !== true) return null;
      throw error;
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Creates our node and waits for the lock. The list behind the create settles an uncontended
   * lock in one round trip; a waiter then waits on the member when it can.
   */
  private async createAndWait(ours: OurNode, wait: AbortSignal, data: Uint8Array): Promise<AcquiredNode | null> {
    if (this.memberWaits && this.createLeavesTurn) {
      let node: CreatedNode;
      try {
        node = await createProtectedSequential(this.client, this.basePath, this.lockName, data, wait, {
          watchTurn: true,
        });
      } catch (error) {
        if (!isKeelError(error, 'BadArguments')) throw error;
        // A member older than this package refused the watch with the create (it created nothing).
        this.createLeavesTurn = false;
        return this.createAndWait(ours, wait, data);
      }
      ours.path = node.path;
      const decided = await this.waitTurnOnMember(node, wait, node.turn);
      if (decided !== 'unknown to the member') return decided;
      this.memberWaits = false;
      return this.waitTurn(node, wait, await this.sortedNodes(wait));
    }
    const creating = createProtectedSequential(this.client, this.basePath, this.lockName, data, wait);
    const listing = this.listBehindCreate();
    const node = await creating;
    ours.path = node.path;
    const listed = await listing;
    // A create that was retried (or made the directory first) is not in the list behind it.
    const sorted = listed?.includes(node.name) ? listed : await this.sortedNodes(wait);
    if (this.memberWaits && sorted.includes(node.name) && !this.driver.decide(sorted, node.name).acquired) {
      const decided = await this.waitTurnOnMember(node, wait);
      if (decided !== 'unknown to the member') return decided;
      this.memberWaits = false;
    }
    return this.waitTurn(node, wait, sorted);
  }

  /**
   * Waits for the member's turn event on our node; null if the node or its session ended. The
   * event comes only while the node exists, so the lock is ours with no read after it.
   */
  private async waitTurnOnMember(
    created: CreatedNode,
    wait: AbortSignal,
    leftByCreate?: OneShotWatch,
  ): Promise<AcquiredNode | null | 'unknown to the member'> {
    const tracker = ConnectionTracker.of(this.client);
    let given = leftByCreate;
    for (;;) {
      throwIfAborted(wait);
      if (tracker.epoch !== created.epoch) return null;
      let watched: OneShotWatch;
      if (given !== undefined) {
        watched = given;
        given = undefined;
      } else {
        try {
          watched = await retrying(this.client, () => watchTurn(this.client, created.path), wait);
        } catch (error) {
          if (isKeelError(error, 'NoNode')) return null;
          if (isKeelError(error, 'BadArguments')) return 'unknown to the member';
          throw error;
        }
      }
      // A connection change may cost the watch; check again after any of them.
      const woke = await wakeOnWatchOrState(tracker, watched.fired, wait);
      if (woke === 'watch') {
        this.wakeups += 1;
        const type = await watched.fired;
        if (type === 'deleted') return null;
        if (type === 'turn') {
          throwIfAborted(wait);
          if (tracker.epoch !== created.epoch) return null;
          return acquiredNode(created, true);
        }
        // resyncNeeded: the member skipped changes; ask again.
      } else if (!tracker.isConnected) await tracker.waitConnected(wait);
    }
  }

  /**
   * Waits until the driver says our node holds the lock; null if the node's session ended.
   * Nodes ahead of ours can only go (a new node gets a higher sequence number), so when the
   * watched node is deleted and the driver, deciding again on the last list without it, says
   * the lock is ours, it is: the lock passes on at the deletion's event, with no read after it.
   * Otherwise (a node ahead may be gone or not) the directory is listed again.
   */
  private async waitTurn(
    created: CreatedNode,
    wait: AbortSignal,
    firstList: readonly string[],
  ): Promise<AcquiredNode | null> {
    const tracker = ConnectionTracker.of(this.client);
    let listed: readonly string[] | null = firstList;
    for (;;) {
      const sorted = listed ?? (await this.sortedNodes(wait));
      listed = null;
      // Checked after the list, not before: a list answered after an abort (or a new session)
      // must not hand out the lock.
      throwIfAborted(wait);
      if (tracker.epoch !== created.epoch) return null;
      if (!sorted.includes(created.name)) return null;
      const decision = this.driver.decide(sorted, created.name);
      if (decision.acquired) return acquiredNode(created, true);
      const watched = await retrying(
        this.client,
        () => watchData(this.client, join(this.basePath, decision.watch)),
        wait,
      );
      if (watched === null) continue;
      // A connection change may cost the watch; check again after any of them.
      const woke = await wakeOnWatchOrState(tracker, watched.fired, wait);
      if (woke === 'watch') {
        this.wakeups += 1;
        const rest = without(sorted, decision.watch);
        if ((await watched.fired) === 'deleted' && this.driver.decide(rest, created.name).acquired) {
          throwIfAborted(wait);
          if (tracker.epoch === created.epoch) return acquiredNode(created, false);
        }
      } else if (!tracker.isConnected) await tracker.waitConnected(wait);
    }
  }

  /** Deletes a node of a failed acquisition: now if connected, else in the background. */
  private async cleanup(path: string): Promise<void> {
    const removal = deleteQuietly(this.client, path).catch(() => undefined);
    if (ConnectionTracker.of(this.client).isConnected) await removal;
  }
}

/**
 * Leaves a one-shot data watch on `path` (fires on its deletion or data change), or resolves
 * null if the node is already gone. A data watch, unlike an
 * exists watch, leaves nothing behind on a node that is gone.
 */
async function watchData(client: KeelClient, path: string): Promise<OneShotWatch | null> {
  try {
    const { fired } = await getNodeWatched(client, path);
    return { fired };
  } catch (error) {
    if (isKeelError(error, 'NoNode')) return null;
    throw error;
  }
}

/** The lock held through `created`; `seenSinceWake` as in {@link AcquiredNode}. */
function acquiredNode(created: CreatedNode, seenSinceWake: boolean): AcquiredNode {
  return { path: created.path, fencingToken: created.createdRevision, epoch: created.epoch, seenSinceWake };
}

/** `sorted` without `name`. */
function without(sorted: readonly string[], name: string): string[] {
  return sorted.filter((each) => each !== name);
}

/**
 * Waits for a one-shot watch to fire or for the connection to change state (which may cost the
 * watch), whichever comes first; rejects if `wait` fires. Leaves no listener behind.
 */
export function wakeOnWatchOrState(
  tracker: ConnectionTracker,
  fired: Promise<unknown>,
  wait?: AbortSignal,
): Promise<'watch' | 'state'> {
  let unlisten: () => void = () => undefined;
  const stateChanged = new Promise<'state'>((resolve) => {
    unlisten = tracker.listen((state) => {
      if (state !== 'connected') resolve('state');
    });
  });
  return raceAbort(Promise.race([fired.then(() => 'watch' as const), stateChanged]), wait).finally(unlisten);
}
