// Goal: the lock recipes (Mutex, ReadWriteLock, Semaphore, MultiLock) give mutual exclusion or
// bounded sharing, strictly increasing fencing tokens, explicit re-entrance, and clean up the
// nodes of acquisitions that time out or are aborted.
// Method: a real three-member Keel cluster in-process on 127.0.0.1, several real clients (each
// its own session, spread over the members, so writes on followers are forwarded); a client
// behind a TCP proxy whose connection is cut shows how a revoked lease passes on. Bounds count
// only leases that are held and not revoked, since a connection may drop on a busy machine.
import { describe, expect, it } from 'vitest';
import { type Lease, MultiLock, Mutex, ReadWriteLock, Semaphore } from '../src/index';
import { ClusterWithClients, client, TcpProxy, waitFor } from './harness';

/**
 * How many of `leases` are held and not revoked. A lease counts only while its holder may use it:
 * under the standard policy a dropped connection revokes it (the holder is told through its signal)
 * and the node is deleted once reconnected, so on a busy machine another client may rightly get it.
 */
function heldCount(leases: Iterable<Lease>): number {
  return [...leases].filter((lease) => lease.isHeld).length;
}

describe('locks', () => {
  const harness = new ClusterWithClients(4);
  const { at } = harness;

  it('mutex - one holder at a time, fencing tokens strictly increase', async () => {
    const inside = new Set<number>();
    const tokens: number[] = [];
    let overlaps = 0;
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const mutex = new Mutex(at(i), '/locks/exclusive');
        for (let round = 0; round < 5; round++) {
          const lease = await mutex.acquire();
          if (inside.size > 0) overlaps += 1;
          inside.add(i);
          tokens.push(lease.fencingToken);
          await new Promise((resolve) => setTimeout(resolve, 2));
          inside.delete(i);
          await lease.release();
        }
      }),
    );
    expect(overlaps).toBe(0);
    expect(tokens).toHaveLength(20);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number);
  });

  it('mutex - re-entrance through the lease, node deleted after the last release', async () => {
    const mutex = new Mutex(at(0), '/locks/reentrant');
    const lease = await mutex.acquire();
    expect(lease.reenter()).toBe(lease);
    expect(lease.holdCount).toBe(2);
    await lease.release();
    expect(mutex.isAcquiredInThisProcess()).toBe(true);
    expect(await mutex.participantNodes()).toHaveLength(1);
    await lease.release();
    expect(mutex.isAcquiredInThisProcess()).toBe(false);
    expect(await mutex.participantNodes()).toHaveLength(0);
    await expect(lease.release()).rejects.toMatchObject({ code: 'NotHeld' });
  });

  it('mutex - a timed out or aborted acquisition resolves null / rejects and leaves no node', async () => {
    const holder = await new Mutex(at(0), '/locks/contended').acquire();
    const other = new Mutex(at(1), '/locks/contended');
    expect(await other.acquire({ timeoutMs: 100 })).toBeNull();
    const controller = new AbortController();
    const aborted = other.acquire({ signal: controller.signal });
    await waitFor('the waiter to queue', async () => (await other.participantNodes()).length === 2);
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    await waitFor('the waiters to clean up', async () => (await other.participantNodes()).length === 1);
    expect(await other.participantNodes()).toEqual([holder.path.slice('/locks/contended/'.length)]);
    await holder.release();
  });

  it('read-write lock - readers share, a writer excludes and is not starved by later readers', async () => {
    const lockA = new ReadWriteLock(at(0), '/locks/rw');
    const lockB = new ReadWriteLock(at(1), '/locks/rw');
    const lockC = new ReadWriteLock(at(2), '/locks/rw');
    const readA = await lockA.readLock.acquire();
    const readB = await lockB.readLock.acquire();
    const writer = lockC.writeLock.acquire();
    await waitFor('the writer to queue', async () => (await lockC.writeLock.participantNodes()).length === 3);
    // A reader arriving after the queued writer waits behind it.
    expect(await lockA.readLock.acquire({ timeoutMs: 100 })).toBeNull();
    await readA.release();
    await readB.release();
    const write = await writer;
    expect(write.fencingToken).toBeGreaterThan(readB.fencingToken);
    expect(await lockB.readLock.acquire({ timeoutMs: 100 })).toBeNull();
    await write.release();
    const readAfter = await lockB.readLock.acquire({ timeoutMs: 10_000 });
    expect(readAfter).not.toBeNull();
    await readAfter?.release();
  });

  it('semaphore - at most maxLeases unrevoked leases at any time', async () => {
    const semaphores = [0, 1, 2, 3].map((i) => new Semaphore(at(i), '/semaphores/pool', 2));
    const live = new Set<Lease>();
    let most = 0;
    await Promise.all(
      semaphores.map(async (semaphore) => {
        for (let round = 0; round < 3; round++) {
          const [lease] = await semaphore.acquire();
          if (lease === undefined) throw new Error('acquire resolved no lease');
          live.add(lease);
          most = Math.max(most, heldCount(live));
          await new Promise((resolve) => setTimeout(resolve, 5));
          live.delete(lease);
          await lease.release();
        }
      }),
    );
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBeGreaterThan(0);
    // Two leases at once from two clients, and not a third while both are held.
    const [first] = await (semaphores[0] as Semaphore).acquire();
    const [second] = await (semaphores[1] as Semaphore).acquire();
    const holders = [first, second].filter((lease): lease is Lease => lease !== undefined);
    expect(holders).toHaveLength(2);
    const third = await semaphores[2]?.acquire({ timeoutMs: 100 });
    expect(heldCount([...holders, ...(third ?? [])])).toBeLessThanOrEqual(2);
    expect(second?.fencingToken).toBeGreaterThan(first?.fencingToken ?? 0);
    for (const lease of [...holders, ...(third ?? [])]) await lease.release();
    const all = await semaphores[0]?.acquire({ quantity: 2, timeoutMs: 10_000 });
    expect(all).toHaveLength(2);
    const another = await semaphores[1]?.acquire({ timeoutMs: 100 });
    expect(heldCount([...(all ?? []), ...(another ?? [])])).toBeLessThanOrEqual(2);
    for (const lease of [...(all ?? []), ...(another ?? [])]) await lease.release();
    expect(await semaphores[0]?.participantNodes()).toEqual([]);
  });

  it('semaphore - a lease passes on only after its holder is told it was revoked', async () => {
    const proxy = await TcpProxy.start(harness.cluster.urls[0] as string);
    const subject = await client(proxy.url);
    try {
      const dropped = await new Semaphore(subject, '/semaphores/revoked', 2).acquire();
      const [kept] = await new Semaphore(at(1), '/semaphores/revoked', 2).acquire();
      const waiter = new Semaphore(at(2), '/semaphores/revoked', 2);
      expect(await waiter.acquire({ timeoutMs: 100 })).toBeNull();
      const pending = waiter.acquire({ timeoutMs: 10_000 });
      // While the connection is down the session survives, so its node keeps its slot.
      proxy.refuse = true;
      proxy.cut();
      await waitFor('the holder to be revoked', () => dropped[0]?.isRevoked === true);
      proxy.refuse = false;
      // Reconnected, the revoked holder deletes its node and the waiter gets the slot.
      const third = await pending;
      expect(third).toHaveLength(1);
      expect(dropped[0]?.isRevoked).toBe(true);
      expect(kept?.isHeld).toBe(true);
      expect(heldCount([...dropped, kept as Lease, ...(third ?? [])])).toBe(2);
      for (const lease of [...dropped, kept as Lease, ...(third ?? [])]) await lease.release();
    } finally {
      await subject.close();
      await proxy.stop();
    }
  });

  it('semaphore - several leases are returned only all held: one revoked while waiting for the rest starts over', async () => {
    const proxy = await TcpProxy.start(harness.cluster.urls[0] as string);
    const subject = await client(proxy.url);
    try {
      const [blocker] = await new Semaphore(at(1), '/semaphores/quantity', 2).acquire();
      const pending = new Semaphore(subject, '/semaphores/quantity', 2).acquire({ quantity: 2, timeoutMs: 20_000 });
      // The first lease is taken, the second waits for the blocker's slot.
      await waitFor('the subject to hold one lease and wait for another', async () => {
        const nodes = await new Semaphore(at(2), '/semaphores/quantity', 2).participantNodes();
        return nodes.length === 3;
      });
      proxy.refuse = true;
      proxy.cut();
      await waitFor('the subject to be suspended', () => subject.state === 'suspended');
      proxy.refuse = false;
      await waitFor('the subject to reconnect', () => subject.connected);
      await (blocker as Lease).release();
      const leases = await pending;
      expect(leases).toHaveLength(2);
      expect(leases?.every((lease) => lease.isHeld && !lease.isRevoked)).toBe(true);
      for (const lease of leases ?? []) await lease.release();
    } finally {
      await subject.close();
      await proxy.stop();
    }
  });

  it('multi-lock - all or none, the largest token grows', async () => {
    const first = new MultiLock([new Mutex(at(0), '/locks/m1'), new Mutex(at(0), '/locks/m2')]);
    const second = new MultiLock([new Mutex(at(1), '/locks/m1'), new Mutex(at(1), '/locks/m2')]);
    const blocker = await new Mutex(at(2), '/locks/m2').acquire();
    expect(await first.acquire({ timeoutMs: 150 })).toBeNull();
    // The first lock was given back when the second could not be taken.
    expect(await new Mutex(at(3), '/locks/m1').participantNodes()).toEqual([]);
    await blocker.release();
    const a = await first.acquire();
    const pending = second.acquire();
    await a.release();
    const b = await pending;
    expect(b.fencingToken).toBeGreaterThan(a.fencingToken);
    expect(b.fencingTokens.every((token, i) => token > (a.fencingTokens[i] as number))).toBe(true);
    await b.release();
  });
});
