/**
 * Several locks taken as one (Curator's InterProcessMultiLock): acquired in the given order,
 * released in reverse; if any cannot be taken, the ones already held are released.
 */
import { anySignal, Deadline, isDeadlineExpired } from '../internal/abort';
import type { Lease } from './lease';
import type { LockBase } from './lock-base';
import type { AcquireOptions } from './lock-internals';

/** The leases of a {@link MultiLock} acquisition. */
export class MultiLease {
  /** One lease per lock, in the locks' order. */
  readonly leases: readonly Lease[];
  /** Fires when any of the leases is revoked. */
  readonly signal: AbortSignal;

  constructor(leases: readonly Lease[]) {
    this.leases = leases;
    this.signal = AbortSignal.any(leases.map((lease) => lease.signal));
  }

  /**
   * The largest fencing token of the leases. Each lock's token grows from holder to holder, so
   * the largest one does too for holders of the same set of locks.
   */
  get fencingToken(): number {
    return Math.max(...this.leases.map((lease) => lease.fencingToken));
  }

  /** Every lease's fencing token, in the locks' order. */
  get fencingTokens(): number[] {
    return this.leases.map((lease) => lease.fencingToken);
  }

  /** Whether every lease is still held. */
  get isHeld(): boolean {
    return this.leases.every((lease) => lease.isHeld);
  }

  /** Releases every lease, in reverse order; throws the first failure after trying them all. */
  async release(): Promise<void> {
    let failure: unknown;
    for (const lease of [...this.leases].reverse()) {
      try {
        await lease.release();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}

/** A lock made of several locks (give them in one global order everywhere to avoid deadlock). */
export class MultiLock {
  constructor(readonly locks: readonly LockBase[]) {
    if (locks.length === 0) throw new RangeError('a MultiLock needs at least one lock');
  }

  /** Takes every lock, waiting forever or until `signal` fires. */
  acquire(options?: AcquireOptions & { readonly timeoutMs?: undefined }): Promise<MultiLease>;
  /** Takes every lock within `timeoutMs` overall; resolves null (holding none) otherwise. */
  acquire(options: AcquireOptions & { readonly timeoutMs: number }): Promise<MultiLease | null>;
  async acquire(options: AcquireOptions = {}): Promise<MultiLease | null> {
    const deadline = new Deadline(options.timeoutMs);
    const wait = anySignal(deadline.signal, options.signal);
    const held: Lease[] = [];
    try {
      for (const lock of this.locks) held.push(await lock.acquire({ signal: wait }));
      return new MultiLease(held);
    } catch (error) {
      for (const lease of held.reverse()) await lease.release().catch(() => undefined);
      if (isDeadlineExpired(error) && options.signal?.aborted !== true) return null;
      throw error;
    } finally {
      deadline.dispose();
    }
  }
}
