// Goal: each lock waiter holds one watch (its turn watch on the member), so a release wakes
// exactly one waiter and the watch load per waiter stays constant as waiters grow (no herd
// effect).
// Method: a real three-member cluster in-process; for 4, 8 and 16 waiters (each a real client
// and session) queued on one mutex, count the watches registered on all members (one per
// waiter, the holder none) and the watch wake-ups of all waiters per release (one).
import { describe, expect, it } from 'vitest';
import { type Lease, Mutex } from '../src/index';
import { ClusterWithClients, waitFor } from './harness';

describe('herd effect', () => {
  const setup = new ClusterWithClients(17);
  const { clients } = setup;

  it.each([4, 8, 16])('with %i waiters: one watch per waiter, one wake-up per release', async (waiters) => {
    const path = `/locks/herd-${waiters}`;
    const mutexes = clients.slice(0, waiters + 1).map((each) => new Mutex(each, path));
    const watchesBefore = setup.cluster.watchCount;
    const holder = await (mutexes[0] as Mutex).acquire();
    const leases: Promise<Lease>[] = [];
    for (const mutex of mutexes.slice(1)) {
      leases.push(mutex.acquire());
      // Queue one at a time so each waiter's predecessor is known.
      await waitFor('the waiter to queue', async () => (await mutex.participantNodes()).length === leases.length + 1);
    }
    await waitFor('every waiter to watch', () => setup.cluster.watchCount - watchesBefore === waiters);
    expect(setup.cluster.watchCount - watchesBefore).toBe(waiters);

    // Counted from here: the holder's own turn, sent behind its create's answer, woke it once.
    const woken = mutexes.reduce((sum, mutex) => sum + mutex.watchWakeups, 0);
    expect(woken).toBeLessThanOrEqual(1);
    const wakeups = () => mutexes.reduce((sum, mutex) => sum + mutex.watchWakeups, 0) - woken;
    expect(wakeups()).toBe(0);
    await holder.release();
    for (let i = 0; i < waiters; i++) {
      const lease = await (leases[i] as Promise<Lease>);
      // Exactly one waiter woke for this release, and one watch fewer is left.
      expect(wakeups()).toBe(i + 1);
      expect(setup.cluster.watchCount - watchesBefore).toBe(waiters - i - 1);
      await lease.release();
    }
    expect(wakeups()).toBe(waiters);
  });
});
