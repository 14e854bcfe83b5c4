/**
 * What a lock acquisition hands back: the held node, its fencing token, and a signal that
 * fires when the lock is revoked (connection states per the error policy, or the session ended).
 */
import type { KeelClient } from '@keel/client';
import { isKeelError } from '@keel/protocol';
import { ConnectionTracker } from '../connection/connection-tracker';
import { type ConnectionState, type ConnectionStateErrorPolicy, standardErrorPolicy } from '../connection/error-policy';
import { RecipeError } from '../errors';
import { existsNode } from '../internal/client-ops';
import { deleteQuietly } from '../internal/nodes';
import { retrying } from '../internal/retry';

/** Why a lease ended without `release()`. */
export type RevocationReason = 'suspended' | 'lost' | 'closed' | 'nodeVanished';

/** A listener told once when a lease is revoked. */
export type RevocationListener = (reason: RevocationReason) => void;

/** How a lease is held (built by the lock recipes). */
export interface LeaseInit {
  readonly client: KeelClient;
  /** The lock node this lease holds. */
  readonly path: string;
  /** The node's `createdRevision`. */
  readonly fencingToken: number;
  /** The connection tracker epoch (session) the node belongs to. */
  readonly epoch: number;
  readonly errorPolicy?: ConnectionStateErrorPolicy;
  /** Called once the lease is fully released (after the node is deleted). */
  readonly onReleased?: () => void;
}

/**
 * A held lock node. Re-entrant through `reenter()`: each `reenter()` needs one more `release()`
 * before the node is deleted. `signal` aborts, with a `RecipeError` of code `Revoked`, when the
 * lock can no longer be trusted: stop using the guarded resource then, and pass
 * `fencingToken` to every resource that can check it.
 */
export class Lease {
  /** Path of the lock node. */
  readonly path: string;
  /** The lock node's `createdRevision`: strictly increases from one holder to the next. */
  readonly fencingToken: number;
  private readonly client: KeelClient;
  private readonly controller = new AbortController();
  private readonly listeners = new Set<RevocationListener>();
  private readonly stopListening: () => void;
  private readonly errorPolicy: ConnectionStateErrorPolicy;
  private readonly onReleased: (() => void) | undefined;
  private readonly epoch: number;
  private holds = 1;
  private released = false;

  constructor(init: LeaseInit) {
    this.client = init.client;
    this.path = init.path;
    this.fencingToken = init.fencingToken;
    this.epoch = init.epoch;
    this.errorPolicy = init.errorPolicy ?? standardErrorPolicy;
    this.onReleased = init.onReleased;
    const tracker = ConnectionTracker.of(init.client);
    this.stopListening = tracker.listen((state) => this.onState(state));
    // The session may have ended between the acquisition and now.
    if (tracker.epoch !== init.epoch) this.revoke('lost');
    else if (this.errorPolicy.isErrorState(tracker.state)) this.revoke(tracker.state as RevocationReason);
  }

  /** Fires (with a `Revoked` RecipeError as reason) when the lock is revoked. Not on `release()`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the lease still holds its lock. */
  get isHeld(): boolean {
    return !this.released && !this.controller.signal.aborted;
  }

  /** Whether the lease was revoked. */
  get isRevoked(): boolean {
    return this.controller.signal.aborted;
  }

  /** How many `release()` calls remain before the node is deleted. */
  get holdCount(): number {
    return this.released ? 0 : this.holds;
  }

  /** Calls `listener` once if the lease is revoked; returns its removal. */
  onRevoked(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes the lock again through this lease (re-entrance); throws `Revoked` if it was revoked. */
  reenter(): this {
    if (this.released) throw new RecipeError('NotHeld', 'this lease was released', { path: this.path });
    if (this.isRevoked) throw new RecipeError('Revoked', 'this lease was revoked', { path: this.path });
    this.holds += 1;
    return this;
  }

  /**
   * Gives one hold back; the last one deletes the lock node. Releasing a revoked lease deletes
   * its node too (it may still exist if the session survived a suspension).
   */
  async release(): Promise<void> {
    if (this.released) throw new RecipeError('NotHeld', 'this lease was already released', { path: this.path });
    this.holds -= 1;
    if (this.holds > 0) return;
    this.released = true;
    this.stopListening();
    try {
      await this.deleteNode();
    } finally {
      this.onReleased?.();
    }
  }

  /** `await using lease = await mutex.acquire()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.released) {
      this.holds = 1;
      await this.release();
    }
  }

  private async deleteNode(): Promise<void> {
    const tracker = ConnectionTracker.of(this.client);
    // A node of an ended session is gone, or about to be; nothing to delete then.
    if (tracker.epoch !== this.epoch || tracker.state === 'closed') return;
    try {
      await deleteQuietly(this.client, this.path);
    } catch (error) {
      if (!isKeelError(error, 'SessionExpired') && !isKeelError(error, 'Closed')) throw error;
    }
  }

  private onState(state: ConnectionState): void {
    if (this.released || this.isRevoked) return;
    const tracker = ConnectionTracker.of(this.client);
    if (state === 'lost' || state === 'closed' || tracker.epoch !== this.epoch) {
      this.revoke(state === 'closed' ? 'closed' : 'lost');
    } else if (this.errorPolicy.isErrorState(state)) {
      this.revoke(state as RevocationReason);
    } else if (state === 'reconnected') {
      void this.recheck();
    }
  }

  /**
   * @internal Checks without waiting that the node still exists and is ours, and revokes the
   * lease (`nodeVanished`) if not: for a lock that passed on at its predecessor's deletion event,
   * without reading the directory again.
   */
  checkNodeInBackground(): void {
    void this.recheck();
  }

  /** The node must still exist and be ours (after a suspension survived under a lenient policy, or a hand-over at an event). */
  private async recheck(): Promise<void> {
    try {
      const stat = await retrying(this.client, () => existsNode(this.client, this.path));
      if (stat === null || stat.ephemeralOwner !== this.client.sessionId) this.revoke('nodeVanished');
    } catch {
      this.revoke('lost');
    }
  }

  private revoke(reason: RevocationReason): void {
    if (this.isRevoked || this.released) return;
    this.controller.abort(
      new RecipeError('Revoked', `the lock was revoked (${reason}); stop using the guarded resource`, {
        path: this.path,
      }),
    );
    for (const listener of [...this.listeners]) listener(reason);
    this.listeners.clear();
    // A revoked node may outlive a suspension; delete it so the next waiter is not stuck until
    // the session expires. Failing that, the session's end removes it.
    if (reason === 'suspended')
      void ConnectionTracker.of(this.client)
        .waitConnected()
        .then(
          () => this.deleteNode(),
          () => undefined,
        )
        .catch(() => undefined);
  }
}
