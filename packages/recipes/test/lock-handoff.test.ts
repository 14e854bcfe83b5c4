// Goal: a mutex waiter takes the lock without reading the directory after its wake-up only when
// that is safe, on both wait paths. On the member's turn watch (the default): a waiter behind a
// waiter that gave up is not even woken, a waiter whose node was deleted queues again with a new
// node, and the lock passes at the turn event with the creation token and no revocation. On the
// list-and-watch path (a driver the member cannot decide for, or a member older than the turn
// watch): a waiter behind a waiter that gave up still waits for the holder, and a lock taken at
// the deletion event whose own node was deleted meanwhile is revoked.
// Method: a real three-member Keel cluster in-process on 127.0.0.1, one real client (session) per
// participant spread over the members; queue order is set by waiting for each node to appear,
// wake-ups are counted with the mutex's watchWakeups, nodes are deleted with a real client. The
// list-and-watch path is taken with the standard rule given as a driver without `firstHolds`.
import type { KeelClient } from '@keel/client';
import { BadArgumentsError } from '@keel/protocol';
import { describe, expect, it } from 'vitest';
import { LockBase, Mutex, standardDriver } from '../src/index';
import { LockInternals } from '../src/locks/lock-internals';
import { ClusterWithClients, waitFor } from './harness';

/** A mutex that waits by listing and watching its predecessor, as with a member older than the turn watch. */
function listingMutex(client: KeelClient, path: string): LockBase {
  const { decide } = standardDriver(1);
  return new LockBase(client, path, new LockInternals(client, path, 'lock-', { decide }));
}

type MakeLock = (client: KeelClient, path: string) => LockBase;

/**
 * `client` as seen through a member older than the create's turn watch: such a member's decoder
 * refuses the flag with BadArguments (creating nothing); this wrapper answers so itself, the
 * member's other answers stay real. `overrides` replace further methods.
 */
function olderMember(client: KeelClient, overrides: Partial<KeelClient>) {
  let refused = 0;
  const older = Object.assign(Object.create(client) as KeelClient, {
    createWithStat: async (...args: Parameters<KeelClient['createWithStat']>) => {
      if (args[2]?.watchTurn !== undefined) {
        refused += 1;
        throw new BadArgumentsError('1 unexpected trailing bytes');
      }
      return client.createWithStat(...args);
    },
    ...overrides,
  });
  return { older, createsRefused: () => refused };
}

/** The default mutex: a waiter waits on the member's turn watch. */
const turnMutex: MakeLock = (client, path) => new Mutex(client, path);

describe('lock hand-over without a read after the wake-up', () => {
  const harness = new ClusterWithClients(4);
  const { at } = harness;

  /** A holder on client 0 and a waiter on client 1 whose one watch is registered; the waiter's node name. */
  async function waiterBehindHolder(make: MakeLock, path: string) {
    const holder = await make(at(0), path).acquire();
    const waiter = make(at(1), path);
    const waiting = waiter.acquire();
    await waitFor('the waiter to queue', async () => (await waiter.participantNodes()).length === 2);
    await waitFor('the waiter to leave its watch', () => harness.cluster.watchCount === 1);
    const [, waiterNode] = await waiter.participantNodes();
    return { holder, waiter, waiting, waiterNode: waiterNode as string };
  }

  /** A holder on client 0, a quitter on client 1 behind it (give up with `quit`), a waiter on client 2 behind both. */
  async function waiterBehindQuitter(make: MakeLock, path: string) {
    const holder = await make(at(0), path).acquire();
    const quitter = make(at(1), path);
    const controller = new AbortController();
    const quitting = quitter.acquire({ signal: controller.signal }).catch(() => null);
    await waitFor('the quitter to queue', async () => (await quitter.participantNodes()).length === 2);
    const waiter = make(at(2), path);
    let settled = false;
    const waiting = waiter.acquire().finally(() => {
      settled = true;
    });
    await waitFor('the waiter to queue', async () => (await waiter.participantNodes()).length === 3);
    const quit = async () => {
      controller.abort(new Error('gave up'));
      expect(await quitting).toBeNull();
    };
    return { holder, waiter, waiting, quit, settled: () => settled };
  }

  it('on a turn watch, a waiter behind a waiter that gave up is not woken, and takes the lock at the release', async () => {
    const path = '/locks/turn-abandoned';
    const { holder, waiter, waiting, quit, settled } = await waiterBehindQuitter(turnMutex, path);
    await waitFor('both turn watches', () => harness.cluster.watchCount === 2);
    await quit();
    await waitFor('the quitter to leave', async () => (await waiter.participantNodes()).length === 2);
    // The member's own barrier: a read on the waiter's connection comes after any event.
    await at(2).sync('/');
    expect(waiter.watchWakeups).toBe(0);
    expect(settled()).toBe(false);
    expect(harness.cluster.watchCount).toBe(1);
    await holder.release();
    const lease = await waiting;
    expect(waiter.watchWakeups).toBe(1);
    expect(lease.fencingToken).toBeGreaterThan(holder.fencingToken);
    expect(lease.isHeld).toBe(true);
    await lease.release();
    expect(await waiter.participantNodes()).toEqual([]);
  });

  it('on a turn watch, a waiter whose node was deleted queues again with a new node', async () => {
    const path = '/locks/turn-vanished';
    const { holder, waiter, waiting, waiterNode } = await waiterBehindHolder(turnMutex, path);
    await at(3).delete(`${path}/${waiterNode}`);
    await waitFor('the waiter to queue again', async () => {
      const nodes = await waiter.participantNodes();
      return nodes.length === 2 && !nodes.includes(waiterNode);
    });
    await holder.release();
    const lease = await waiting;
    expect(lease.path).not.toBe(`${path}/${waiterNode}`);
    expect(await at(1).exists(lease.path)).not.toBeNull();
    expect(lease.isHeld).toBe(true);
    await lease.release();
  });

  it('falls back to listing and watching when the member does not know the turn watch', async () => {
    const path = '/locks/turn-unknown';
    const holder = await new Mutex(at(0), path).acquire();
    // An older member's decoder answers the unknown watch kind with BadArguments too.
    let refused = 0;
    const { older, createsRefused } = olderMember(at(1), {
      watchTurn: async () => {
        refused += 1;
        throw new BadArgumentsError('kind: unknown tag 5');
      },
    });
    const waiter = new Mutex(older, path);
    const waiting = waiter.acquire();
    await waitFor('the waiter to watch the holder', () => harness.cluster.watchCount === 1 && refused === 1);
    await holder.release();
    const lease = await waiting;
    expect(waiter.watchWakeups).toBe(1);
    await lease.release();
    // Once refused, the lock does not ask again.
    const again = await new Mutex(at(0), path).acquire();
    const second = waiter.acquire();
    await waitFor('the waiter to watch again', () => harness.cluster.watchCount === 1);
    await again.release();
    await (await second).release();
    expect(refused).toBe(1);
    expect(createsRefused()).toBe(1);
  });

  it('falls back to a create, a list and a turn watch when the member refuses the watch with the create', async () => {
    const path = '/locks/create-turn-unknown';
    const holder = await new Mutex(at(0), path).acquire();
    const client = at(1);
    let turnWatches = 0;
    const { older, createsRefused } = olderMember(client, {
      watchTurn: async (...args: Parameters<KeelClient['watchTurn']>) => {
        turnWatches += 1;
        return client.watchTurn(...args);
      },
    });
    const waiter = new Mutex(older, path);
    const waiting = waiter.acquire();
    await waitFor('the waiter to leave its turn watch', () => harness.cluster.watchCount === 1 && turnWatches === 1);
    await holder.release();
    await (await waiting).release();
    // Once refused, the lock does not ask again: the next wait is a turn watch of its own.
    const again = await new Mutex(at(0), path).acquire();
    const second = waiter.acquire();
    await waitFor('the waiter to watch again', () => harness.cluster.watchCount === 1 && turnWatches === 2);
    await again.release();
    await (await second).release();
    expect(createsRefused()).toBe(1);
  });

  it.each([
    ['turn watch', turnMutex, '/locks/turn-kept'],
    ['list and watch', listingMutex, '/locks/handoff-kept'],
  ] as const)(
    'on a %s, a lock taken at the wake-up keeps its lease and the creation token',
    async (_kind, make, path) => {
      const { holder, waiting, waiterNode } = await waiterBehindHolder(make, path);
      const created = await at(2).exists(`${path}/${waiterNode}`);
      await holder.release();
      const lease = await waiting;
      expect(lease.fencingToken).toBe(created?.createdRevision);
      // A read sent after the lease's background check of its node (list and watch), on the same
      // connection, is answered after it: a wrong revocation would show by then.
      expect(await at(1).exists(lease.path)).not.toBeNull();
      await new Promise((resolve) => setImmediate(resolve));
      expect(lease.isHeld).toBe(true);
      await lease.release();
    },
  );

  it('on list and watch, a waiter whose predecessor gave up waits on for the holder', async () => {
    const path = '/locks/handoff-abandoned';
    const { holder, waiter, waiting, quit, settled } = await waiterBehindQuitter(listingMutex, path);
    await waitFor('the waiter to watch the quitter', () => harness.cluster.watchCount >= 2);
    await quit();
    // Woken by the quitter's deletion, the waiter must list again and watch the holder (beside
    // the quitter's own watch on the holder, which stays until it fires).
    await waitFor(
      'the waiter to wake and watch the holder',
      () => waiter.watchWakeups === 1 && harness.cluster.watchCount === 2,
    );
    expect(settled()).toBe(false);
    expect(holder.isHeld).toBe(true);
    await holder.release();
    const lease = await waiting;
    expect(lease.fencingToken).toBeGreaterThan(holder.fencingToken);
    expect(lease.isHeld).toBe(true);
    await lease.release();
    expect(await waiter.participantNodes()).toEqual([]);
  });

  it('on list and watch, a lock taken at the event is revoked when its own node was deleted meanwhile', async () => {
    const path = '/locks/handoff-vanished';
    const { holder, waiter, waiting, waiterNode } = await waiterBehindHolder(listingMutex, path);
    await at(3).delete(`${path}/${waiterNode}`);
    await holder.release();
    const lease = await waiting;
    expect(waiter.watchWakeups).toBe(1);
    await waitFor('the lease to be revoked', () => lease.isRevoked);
    expect(lease.signal.reason).toMatchObject({ code: 'Revoked' });
    await lease.release();
  });
});
