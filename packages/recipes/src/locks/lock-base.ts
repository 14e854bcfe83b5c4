/**
 * The acquire/lease bookkeeping shared by every lock object built on {@link LockInternals}.
 */
import type { KeelClient } from '@keel/client';
import type { ConnectionStateErrorPolicy } from '../connection/error-policy';
import { Lease } from './lease';
import type { AcquireOptions, LockInternals } from './lock-internals';

/** Options of a lock. */
export interface LockOptions {
  /** Which connection states revoke a held lease (default: the standard policy, suspended and lost). */
  readonly errorPolicy?: ConnectionStateErrorPolicy;
  /** Data stored in each lock node (e.g. the holder's name), for operators. */
  readonly nodeData?: Uint8Array;
}

/** Options of an acquisition that may time out. */
export interface TimedAcquireOptions extends AcquireOptions {
  readonly timeoutMs: number;
}

/** A lock that hands out {@link Lease}s. */
export class LockBase {
  private readonly held = new Set<Lease>();

  constructor(
    protected readonly client: KeelClient,
    /** The lock directory. */
    readonly path: string,
    protected readonly internals: LockInternals,
    protected readonly options: LockOptions = {},
  ) {}

  /** Waits for the lock (forever, or until `signal` fires: then rejects with its reason). */
  acquire(options?: AcquireOptions & { readonly timeoutMs?: undefined }): Promise<Lease>;
  /** Waits for the lock at most `timeoutMs`; resolves null if it did not get it. */
  acquire(options: TimedAcquireOptions): Promise<Lease | null>;
  async acquire(options: AcquireOptions = {}): Promise<Lease | null> {
    const node = await this.internals.acquire(options, this.options.nodeData);
    if (node === null) return null;
    const lease: Lease = new Lease({
      client: this.client,
      path: node.path,
      fencingToken: node.fencingToken,
      epoch: node.epoch,
      ...(this.options.errorPolicy === undefined ? {} : { errorPolicy: this.options.errorPolicy }),
      onReleased: () => this.held.delete(lease),
    });
    this.held.add(lease);
    if (!node.seenSinceWake) lease.checkNodeInBackground();
    return lease;
  }

  /** Whether a lease of this lock object is held and not revoked. */
  isAcquiredInThisProcess(): boolean {
    return [...this.held].some((lease) => lease.isHeld);
  }

  /** The lock nodes of every participant in queue order (Curator's getParticipantNodes). */
  participantNodes(): Promise<string[]> {
    return this.internals.sortedNodes();
  }

  /**
   * How many watch or turn events woke this lock object's acquisitions (diagnostic: one per
   * hand-over, no herd). On a member that decides turns, an uncontended acquisition counts one
   * too: its turn comes as an event right behind the create's answer.
   */
  get watchWakeups(): number {
    return this.internals.watchWakeups;
  }
}
