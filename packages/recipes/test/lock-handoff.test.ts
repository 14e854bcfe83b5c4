// Goal: a mutex waiter takes the lock at its predecessor's deletion event without reading the
// directory again only when that is safe: a waiter behind a waiter that gave up still waits for
// the holder, and a lock taken that way whose own node was deleted meanwhile is revoked.
// Method: a real three-member Keel cluster in-process on 127.0.0.1, one real client (session) per
// participant spread over the members; queue order is set by waiting for each node to appear,
// wake-ups are counted with the mutex's watchWakeups, nodes are deleted with a real client.
import { describe, expect, it } from 'vitest';
import { Mutex } from '../src/index';
import { ClusterWithClients, waitFor } from './harness';

describe('lock hand-over at the deletion event', () => {
  const harness = new ClusterWithClients(4);
  const { at } = harness;

  /** A holder on client 0 and a waiter on client 1 that watches it; the waiter's node name. */
  async function waiterBehindHolder(path: string) {
    const holder = await new Mutex(at(0), path).acquire();
    const waiter = new Mutex(at(1), path);
    const waiting = waiter.acquire();
    await waitFor('the waiter to queue', async () => (await waiter.participantNodes()).length === 2);
    await waitFor('the waiter to watch the holder', () => harness.cluster.watchCount === 1);
    const [, waiterNode] = await waiter.participantNodes();
    return { holder, waiter, waiting, waiterNode };
  }

  it('a waiter whose predecessor gave up waits on for the holder', async () => {
    const path = '/locks/handoff-abandoned';
    const holder = await new Mutex(at(0), path).acquire();
    const quitter = new Mutex(at(1), path);
    const controller = new AbortController();
    const quitting = quitter.acquire({ signal: controller.signal }).catch(() => null);
    await waitFor('the quitter to queue', async () => (await quitter.participantNodes()).length === 2);
    const waiter = new Mutex(at(2), path);
    let settled = false;
    const waiting = waiter.acquire().finally(() => {
      settled = true;
    });
    await waitFor('the waiter to queue', async () => (await waiter.participantNodes()).length === 3);
    await waitFor('the waiter to watch the quitter', () => harness.cluster.watchCount >= 2);
    controller.abort(new Error('gave up'));
    expect(await quitting).toBeNull();
    // Woken by the quitter's deletion, the waiter must list again and watch the holder (beside
    // the quitter's own watch on the holder, which stays until it fires).
    await waitFor(
      'the waiter to wake and watch the holder',
      () => waiter.watchWakeups === 1 && harness.cluster.watchCount === 2,
    );
    expect(settled).toBe(false);
    expect(holder.isHeld).toBe(true);
    await holder.release();
    const lease = await waiting;
    expect(lease.fencingToken).toBeGreaterThan(holder.fencingToken);
    expect(lease.isHeld).toBe(true);
    await lease.release();
    expect(await waiter.participantNodes()).toEqual([]);
  });

  it('a lock taken at the event is revoked when its own node was deleted meanwhile', async () => {
    const path = '/locks/handoff-vanished';
    const { holder, waiter, waiting, waiterNode } = await waiterBehindHolder(path);
    await at(3).delete(`${path}/${waiterNode}`);
    await holder.release();
    const lease = await waiting;
    expect(waiter.watchWakeups).toBe(1);
    await waitFor('the lease to be revoked', () => lease.isRevoked);
    expect(lease.signal.reason).toMatchObject({ code: 'Revoked' });
    await lease.release();
  });

  it('a lock taken at the event keeps its lease and the creation token', async () => {
    const path = '/locks/handoff-kept';
    const { holder, waiting, waiterNode } = await waiterBehindHolder(path);
    const created = await at(2).exists(`${path}/${waiterNode}`);
    await holder.release();
    const lease = await waiting;
    expect(lease.fencingToken).toBe(created?.createdRevision);
    // A read sent after the lease's background check of its node, on the same connection, is
    // answered after it: a wrong revocation would show by then.
    expect(await at(1).exists(lease.path)).not.toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lease.isHeld).toBe(true);
    await lease.release();
  });
});
