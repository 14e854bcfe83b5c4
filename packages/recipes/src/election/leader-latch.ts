/**
 * Leader election by latch (Curator's LeaderLatch): every participant keeps an ephemeral
 * sequential node; the first one leads until it closes or its connection fails. Each
 * participant watches only its predecessor.
 */
import type { KeelClient } from '@keel/client';
import { join, validatePath } from '@keel/protocol';
import { EventEmitter } from 'eventemitter3';
import { ConnectionTracker } from '../connection/connection-tracker';
import { type ConnectionStateErrorPolicy, standardErrorPolicy } from '../connection/error-policy';
import { RecipeError } from '../errors';
import { abortError, Deadline, sleep } from '../internal/abort';
import { existsNodeWatched, sessionIdOf } from '../internal/client-ops';
import { Lifecycle, type LifecycleState } from '../internal/lifecycle';
import { deleteQuietly, utf8 } from '../internal/nodes';
import { type CreatedNode, createProtectedSequential } from '../internal/protected-create';
import { backoffMs, retrying } from '../internal/retry';
import { LockInternals, standardDriver, wakeOnWatchOrState } from '../locks/lock-internals';
import { noParticipant, type Participant, participantsOf } from './participant';

/** What `close()` tells listeners (Curator's CloseMode). */
export type LeaderLatchCloseMode = 'silent' | 'notifyLeader';

/** Options of a {@link LeaderLatch}. */
export interface LeaderLatchOptions {
  /** This participant's id, stored in its node (default ''). */
  readonly id?: string;
  /** Whether `close()` emits `notLeader` if this participant led (default `silent`). */
  readonly closeMode?: LeaderLatchCloseMode;
  /** Which connection states end leadership (default: the standard policy, suspended and lost). */
  readonly errorPolicy?: ConnectionStateErrorPolicy;
}

/** Events of a {@link LeaderLatch} (Curator's LeaderLatchListener), emitted only when leadership flips. */
export interface LeaderLatchEvents {
  isLeader: [];
  notLeader: [];
  /** The background loop hit an error it will retry after; for logs. */
  error: [error: unknown];
}

const latchName = 'latch-';

/**
 * ```ts
 * const latch = new LeaderLatch(client, '/election/scheduler', { id: 'worker-1' });
 * latch.on('isLeader', () => startScheduling(latch.leadershipSignal));
 * latch.start();
 * ```
 */
export class LeaderLatch extends EventEmitter<LeaderLatchEvents> {
  readonly id: string;
  private readonly lifecycle = new Lifecycle('LeaderLatch');
  private readonly tracker: ConnectionTracker;
  private readonly errorPolicy: ConnectionStateErrorPolicy;
  private readonly closeMode: LeaderLatchCloseMode;
  private readonly stopped = new AbortController();
  private readonly internals: LockInternals;
  private leadership: AbortController | null = null;
  private node: CreatedNode | null = null;
  private loop: Promise<void> | null = null;
  private unlisten: () => void = () => undefined;

  constructor(
    private readonly client: KeelClient,
    /** The election directory. */
    readonly path: string,
    options: LeaderLatchOptions = {},
  ) {
    super();
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    this.id = options.id ?? '';
    this.closeMode = options.closeMode ?? 'silent';
    this.errorPolicy = options.errorPolicy ?? standardErrorPolicy;
    this.tracker = ConnectionTracker.of(client);
    this.internals = new LockInternals(client, path, latchName, standardDriver(1));
  }

  /** `latent`, `started` or `closed`. */
  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Joins the election (Curator's start); leadership is reported through events and `await()`. */
  start(): void {
    this.lifecycle.start();
    this.unlisten = this.tracker.listen((state) => {
      // Act at once: the loop may be waiting on a request that will not answer for a while.
      if (this.errorPolicy.isErrorState(state) || state === 'lost') this.setLeadership(false);
    });
    this.loop = this.run();
  }

  /** Whether this participant leads now. */
  hasLeadership(): boolean {
    return this.leadership !== null;
  }

  /**
   * Fires when the current leadership ends (an already aborted signal when not leading). Pass it
   * to the work leadership allows, so that work stops when leadership is lost.
   */
  get leadershipSignal(): AbortSignal {
    return this.leadership?.signal ?? AbortSignal.abort(new RecipeError('Revoked', 'not the leader'));
  }

  /** Path of this participant's node, once created. */
  get ourPath(): string | null {
    return this.node?.path ?? null;
  }

  /**
   * Waits until this participant leads. Resolves true when it does, false if `timeoutMs`
   * passed first; rejects with `IllegalState` if the latch is closed.
   */
  async await(options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<boolean> {
    this.lifecycle.assertStarted();
    if (this.hasLeadership()) return true;
    const deadline = new Deadline(options.timeoutMs);
    try {
      return await new Promise<boolean>((resolve, reject) => {
        const finish = () => {
          this.off('isLeader', onLeader);
          deadline.signal.removeEventListener('abort', onTimeout);
          options.signal?.removeEventListener('abort', onAbort);
          this.stopped.signal.removeEventListener('abort', onClose);
        };
        const onLeader = () => {
          finish();
          resolve(true);
        };
        const onTimeout = () => {
          finish();
          resolve(false);
        };
        const onAbort = () => {
          finish();
          reject(abortError(options.signal as AbortSignal));
        };
        const onClose = () => {
          finish();
          reject(new RecipeError('IllegalState', 'the LeaderLatch was closed', { path: this.path }));
        };
        this.on('isLeader', onLeader);
        deadline.signal.addEventListener('abort', onTimeout, { once: true });
        options.signal?.addEventListener('abort', onAbort, { once: true });
        this.stopped.signal.addEventListener('abort', onClose, { once: true });
        if (options.signal?.aborted === true) onAbort();
      });
    } finally {
      deadline.dispose();
    }
  }

  /** Every participant, leader first (Curator's getParticipants). */
  async getParticipants(): Promise<Participant[]> {
    return participantsOf(this.client, this.path, await this.internals.sortedNodes());
  }

  /** The current leader, or a participant with an empty id when there is none (Curator's getLeader). */
  async getLeader(): Promise<Participant> {
    const [leader] = await this.getParticipants();
    return leader ?? noParticipant;
  }

  /** Leaves the election: gives up leadership and deletes this participant's node. */
  async close(closeMode: LeaderLatchCloseMode = this.closeMode): Promise<void> {
    if (!this.lifecycle.close()) return;
    this.unlisten();
    this.stopped.abort(new RecipeError('IllegalState', 'the LeaderLatch was closed', { path: this.path }));
    this.setLeadership(false, closeMode === 'notifyLeader');
    await this.loop?.catch(() => undefined);
    if (this.node !== null) await deleteQuietly(this.client, this.node.path).catch(() => undefined);
    this.node = null;
  }

  private setLeadership(leads: boolean, notify = true): void {
    if (leads === this.hasLeadership()) return;
    if (leads) {
      // A check that was in flight when `close()` ran must not make a closed latch lead: its
      // node is about to be deleted, and the next participant may lead at once.
      if (this.stopped.signal.aborted) return;
      this.leadership = new AbortController();
      this.emit('isLeader');
      return;
    }
    const ended = this.leadership;
    this.leadership = null;
    ended?.abort(new RecipeError('Revoked', 'leadership was lost', { path: this.path }));
    if (notify) this.emit('notLeader');
  }

  private async run(): Promise<void> {
    const stop = this.stopped.signal;
    for (let failures = 0; !stop.aborted; ) {
      try {
        await this.step(stop);
        failures = 0;
      } catch (error) {
        if (stop.aborted) return;
        this.setLeadership(false);
        this.emit('error', error);
        await sleep(backoffMs(failures++), stop).catch(() => undefined);
      }
    }
  }

  /** One check of the queue, then a wait for the next reason to check again. */
  private async step(stop: AbortSignal): Promise<void> {
    if (!this.tracker.isConnected) await this.tracker.waitConnected(stop);
    if (this.node === null || this.node.epoch !== this.tracker.epoch) {
      if (this.node !== null) await deleteQuietly(this.client, this.node.path).catch(() => undefined);
      this.node = await createProtectedSequential(this.client, this.path, latchName, utf8.encode(this.id), stop);
    }
    const node = this.node;
    const sorted = await this.internals.sortedNodes(stop);
    const index = sorted.indexOf(node.name);
    if (index < 0) {
      // Our node is gone (deleted, or its session ended): take a new place in the queue.
      this.node = null;
      this.setLeadership(false);
      return;
    }
    // Watch our own node while leading, the predecessor otherwise.
    const watched = index === 0 ? node.path : join(this.path, sorted[index - 1] as string);
    const { stat, fired } = await retrying(this.client, () => existsNodeWatched(this.client, watched), stop);
    if (stat === null) return;
    // Lead only with a node of the session we hold now, on a live connection.
    const mayLead =
      index === 0 &&
      stat.ephemeralOwner === sessionIdOf(this.client) &&
      this.tracker.isConnected &&
      this.tracker.epoch === node.epoch;
    this.setLeadership(mayLead);
    await wakeOnWatchOrState(this.tracker, fired, stop);
  }
}
