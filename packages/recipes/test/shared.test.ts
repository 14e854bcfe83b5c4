// Goal: SharedCount's versioned compare-and-set and change events, DistributedAtomicLong's
// increments under contention (none lost), and DistributedQueue's FIFO order with each item
// taken exactly once by competing consumers.
// Method: a real three-member cluster in-process, one client per member.
import { describe, expect, it } from 'vitest';
import { DistributedAtomicLong, DistributedQueue, SharedCount } from '../src/index';
import { ClusterWithClients, waitFor } from './harness';

describe('shared values', () => {
  const { at } = new ClusterWithClients(3);

  it('shared count - seed, versioned trySetCount, change events', async () => {
    const a = new SharedCount(at(0), '/counts/epoch', 7);
    const b = new SharedCount(at(1), '/counts/epoch', 99);
    await a.start();
    await b.start();
    expect(b.getCount()).toBe(7);
    const seen: number[] = [];
    b.on('countChanged', (value) => seen.push(value));
    const version = a.getVersionedValue();
    expect(await a.trySetCount(version, 8)).toBe(true);
    expect(await a.trySetCount(version, 9)).toBe(false);
    await waitFor('b to see 8', () => b.getCount() === 8);
    expect(seen).toEqual([8]);
    await b.setCount(-3);
    await waitFor('a to see -3', () => a.getCount() === -3);
    await a.close();
    await b.close();
  });

  it('atomic long - concurrent increments are all applied', async () => {
    const counters = [0, 1, 2].map((i) => new DistributedAtomicLong(at(i), '/counts/long'));
    expect((await counters[0]?.get())?.postValue).toBe(0n);
    expect(await counters[0]?.initialize(10n)).toBe(true);
    expect(await counters[1]?.initialize(20n)).toBe(false);
    const results = await Promise.all(
      counters.flatMap((counter) => Array.from({ length: 10 }, () => counter.increment())),
    );
    expect(results.every((result) => result.succeeded)).toBe(true);
    // Reads are served by each client's member: catch up with the others' writes first.
    await at(2).sync('/counts/long');
    await at(0).sync('/counts/long');
    expect((await counters[2]?.get())?.postValue).toBe(40n);
    expect(await counters[0]?.compareAndSet(1n, 5n)).toMatchObject({ succeeded: false, preValue: 40n });
    expect(await counters[0]?.compareAndSet(40n, 5n)).toMatchObject({ succeeded: true, postValue: 5n });
    expect((await counters[1]?.subtract(7n))?.postValue).toBe(-2n);
  });

  it('queue - FIFO, each item taken once by competing consumers', async () => {
    const producer = new DistributedQueue<{ n: number }>(at(0), '/queues/jobs');
    expect(await producer.take({ timeoutMs: 50 })).toBeNull();
    for (let n = 0; n < 20; n++) await producer.put({ n });
    expect(await producer.size()).toBe(20);
    expect(await producer.poll()).toEqual({ n: 0 });
    const taken: number[] = [];
    await Promise.all(
      [0, 1, 2].map(async (i) => {
        const consumer = new DistributedQueue<{ n: number }>(at(i), '/queues/jobs');
        for (;;) {
          const item = await consumer.poll();
          if (item === undefined) return;
          taken.push(item.n);
        }
      }),
    );
    expect(taken.sort((x, y) => x - y)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    const waiting = new DistributedQueue<{ n: number }>(at(1), '/queues/jobs').take();
    await producer.put({ n: 100 });
    expect(await waiting).toEqual({ n: 100 });
  });
});
