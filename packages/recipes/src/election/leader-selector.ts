/**
 * Leader election by selection (Curator's LeaderSelector): participants queue on a mutex; the
 * holder's `takeLeadership` runs until it returns (leadership is then given up) or its
 * `AbortSignal` fires (leadership was lost: connection state per the error policy, the session
 * ended, `interruptLeadership()` or `close()`).
 */
import type { KeelClient } from '@keel/client';
import { EventEmitter } from 'eventemitter3';
import type { ConnectionStateErrorPolicy } from '../connection/error-policy';
import { RecipeError } from '../errors';
import { anySignal, sleep } from '../internal/abort';
import { Lifecycle, type LifecycleState } from '../internal/lifecycle';
import { utf8 } from '../internal/nodes';
import { backoffMs } from '../internal/retry';
import { Mutex } from '../locks/mutex';
import { noParticipant, type Participant, participantsOf } from './participant';

/**
 * Runs while this participant leads. Return to give leadership up; stop promptly when `signal`
 * fires (leadership is gone: another participant may lead already).
 */
export type TakeLeadership = (signal: AbortSignal, selector: LeaderSelector) => Promise<void>;

/** Options of a {@link LeaderSelector}. */
export interface LeaderSelectorOptions {
  /** This participant's id, stored in its node (default ''). */
  readonly id?: string;
  /** Queue again after each term of leadership (Curator's autoRequeue; default false). */
  readonly autoRequeue?: boolean;
  /** Which connection states end leadership (default: the standard policy, suspended and lost). */
  readonly errorPolicy?: ConnectionStateErrorPolicy;
}

/** Events of a {@link LeaderSelector}. */
export interface LeaderSelectorEvents {
  /**
   * `takeLeadership` threw (leadership was given up); for logs. Not when it rethrew its
   * signal's reason after the signal fired, and never after `close()`.
   */
  error: [error: unknown];
}

/**
 * ```ts
 * const selector = new LeaderSelector(client, '/election/compactor', async (signal) => {
 *   while (!signal.aborted) await compactOnce(signal);
 * }, { autoRequeue: true });
 * selector.start();
 * ```
 */
export class LeaderSelector extends EventEmitter<LeaderSelectorEvents> {
  readonly id: string;
  private readonly lifecycle = new Lifecycle('LeaderSelector');
  private readonly mutex: Mutex;
  private readonly stopped = new AbortController();
  private autoRequeueing: boolean;
  private queued = false;
  /** Which run of the queue loop is current, so an ended run cannot clear a newer one's flag. */
  private runId = 0;
  private leading: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: KeelClient,
    /** The election directory. */
    readonly path: string,
    private readonly takeLeadership: TakeLeadership,
    options: LeaderSelectorOptions = {},
  ) {
    super();
    this.id = options.id ?? '';
    this.autoRequeueing = options.autoRequeue ?? false;
    this.mutex = new Mutex(client, path, {
      nodeData: utf8.encode(this.id),
      ...(options.errorPolicy === undefined ? {} : { errorPolicy: options.errorPolicy }),
    });
  }

  /** `latent`, `started` or `closed`. */
  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Joins the queue once (and again after each term with `autoRequeue`). */
  start(): void {
    this.lifecycle.start();
    this.requeue();
  }

  /** Queue again after every term from now on. */
  autoRequeue(): void {
    this.autoRequeueing = true;
  }

  /** Joins the queue if not queued or leading; returns whether it did. */
  requeue(): boolean {
    this.lifecycle.assertStarted();
    if (this.queued) return false;
    this.queued = true;
    this.runId += 1;
    this.loop = this.run(this.runId);
    return true;
  }

  /** Whether this participant leads: from the start of `takeLeadership` until its node is deleted. */
  hasLeadership(): boolean {
    return this.leading !== null;
  }

  /** Ends the current term: fires the signal passed to `takeLeadership`. */
  interruptLeadership(): void {
    this.leading?.abort(new RecipeError('Revoked', 'leadership was interrupted', { path: this.path }));
  }

  /** Every participant, leader first. */
  async getParticipants(): Promise<Participant[]> {
    return participantsOf(this.client, this.path, await this.mutex.participantNodes());
  }

  /** The current leader, or a participant with an empty id when there is none. */
  async getLeader(): Promise<Participant> {
    const [leader] = await this.getParticipants();
    return leader ?? noParticipant;
  }

  /** Leaves the queue; interrupts a running term and waits for `takeLeadership` to return. */
  async close(): Promise<void> {
    if (!this.lifecycle.close()) return;
    this.stopped.abort(new RecipeError('IllegalState', 'the LeaderSelector was closed', { path: this.path }));
    this.interruptLeadership();
    await this.loop?.catch(() => undefined);
  }

  private async run(id: number): Promise<void> {
    const stop = this.stopped.signal;
    try {
      for (let failures = 0; !stop.aborted; ) {
        try {
          await this.term(stop);
          failures = 0;
          if (!this.autoRequeueing) return;
        } catch (error) {
          if (stop.aborted) return;
          this.emit('error', error);
          await sleep(backoffMs(failures++), stop).catch(() => undefined);
        }
      }
    } finally {
      if (this.runId === id) this.queued = false;
    }
  }

  /** Waits for the lock, then leads until `takeLeadership` returns or the lease is revoked. */
  private async term(stop: AbortSignal): Promise<void> {
    const lease = await this.mutex.acquire({ signal: stop });
    const leading = new AbortController();
    this.leading = leading;
    const signal = anySignal(leading.signal, lease.signal, stop);
    try {
      await this.takeLeadership(signal, this);
    } catch (error) {
      // Rethrowing the signal's reason is how a term may end when its signal fires, as Curator
      // treats an interrupted takeLeadership; and a closed selector reports nothing.
      if (!stop.aborted && !(signal.aborted && error === signal.reason)) this.emit('error', error);
    } finally {
      // Leadership lasts until the node is gone: others see this participant lead until then.
      await lease.release().catch(() => undefined);
      if (!this.autoRequeueing) this.queued = false;
      this.leading = null;
    }
  }
}
