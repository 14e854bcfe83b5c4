// Goal: lock waiters watch only their predecessor, so a release wakes exactly one waiter and the
// watch load per waiter stays constant as waiters grow (no herd effect).
// Method: a real three-member cluster in-process; for 4, 8 and 16 waiters (each a real client
// and session) queued on one mutex, count the watches registered on all members (one per
// waiter, the holder none) and the watch wake-ups of all waiters per release (one).
import type { KeelClient } from '@keel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lease, Mutex } from '../src/index';
import { client, InProcessCluster, waitFor } from './harness';

describe('herd effect', () => {
  let cluster: InProcessCluster;
  const clients: KeelClient[] = [];

  beforeAll(async () => {
    cluster = await InProcessCluster.start(3);
    for (let i = 0; i < 17; i++) clients.push(await client(cluster.urls[i % 3] as string));
  });

  afterAll(async () => {
    for (const each of clients) await each.close();
    await cluster.stop();
  });

  it.each([4, 8, 16])('with %i waiters: one watch per waiter, one wake-up per release', async (waiters) => {
    const path = `/locks/herd-${waiters}`;
    const mutexes = clients.slice(0, waiters + 1).map((each) => new Mutex(each, path));
    const watchesBefore = cluster.watchCount;
    const holder = await (mutexes[0] as Mutex).acquire();
    const leases: Promise<Lease>[] = [];
    for (const mutex of mutexes.slice(1)) {
      leases.push(mutex.acquire());
      // Queue one at a time so each waiter's predecessor is known.
      await waitFor('the waiter to queue', async () => (await mutex.participantNodes()).length === leases.length + 1);
    }
    await waitFor('every waiter to watch', () => cluster.watchCount - watchesBefore === waiters);
    expect(cluster.watchCount - watchesBefore).toBe(waiters);

    const wakeups = () => mutexes.reduce((sum, mutex) => sum + mutex.watchWakeups, 0);
    expect(wakeups()).toBe(0);
    await holder.release();
    for (let i = 0; i < waiters; i++) {
      const lease = await (leases[i] as Promise<Lease>);
      // Exactly one waiter woke for this release, and one watch fewer is left.
      expect(wakeups()).toBe(i + 1);
      expect(cluster.watchCount - watchesBefore).toBe(waiters - i - 1);
      await lease.release();
    }
    expect(wakeups()).toBe(waiters);
  });
});
