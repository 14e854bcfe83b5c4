/**
 * A re-entrant distributed mutex (Curator's InterProcessMutex) with fencing tokens.
 */
import type { KeelClient } from '@keel/client';
import { validatePath } from '@keel/protocol';
import { LockBase, type LockOptions } from './lock-base';
import { LockInternals, standardDriver } from './lock-internals';

/**
 * A mutex on a lock directory: `acquire()` resolves with a {@link Lease} once this caller holds
 * the lock. Re-entrance is explicit: `lease.reenter()` takes it again, and each hold needs its
 * `release()`. A waiter holds one turn watch on its own node, which the member fires when no
 * node is left ahead of it (with members older than the turn watch: a watch on its predecessor).
 * Keep the directory for this lock's nodes alone: any sequential node in it counts as ahead.
 *
 * ```ts
 * const mutex = new Mutex(client, '/locks/orders');
 * const lease = await mutex.acquire();
 * try { await writeWithToken(lease.fencingToken, lease.signal); } finally { await lease.release(); }
 * ```
 */
export class Mutex extends LockBase {
  constructor(client: KeelClient, path: string, options: LockOptions = {}) {
    const check = validatePath(path);
    if (!check.ok) throw check.error;
    super(client, path, new LockInternals(client, path, 'lock-', standardDriver(1)), options);
  }
}
