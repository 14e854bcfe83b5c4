// Goal: Barrier releases every waiter when removed (and times out while set); DoubleBarrier
// lets nobody past enter() until memberCount members entered, and nobody out of leave() until
// all of them left.
// Method: a real three-member cluster in-process, one client per member.
import { describe, expect, it } from 'vitest';
import { Barrier, DoubleBarrier } from '../src/index';
import { ClusterWithClients } from './harness';

describe('barriers', () => {
  const { at } = new ClusterWithClients(3);

  it('barrier - waiters pass once it is removed', async () => {
    const owner = new Barrier(at(0), '/barriers/gate');
    await owner.setBarrier();
    await owner.setBarrier();
    expect(await new Barrier(at(1), '/barriers/gate').waitOnBarrier({ timeoutMs: 100 })).toBe(false);
    const waiting = [1, 2].map((i) => new Barrier(at(i), '/barriers/gate').waitOnBarrier());
    await owner.removeBarrier();
    expect(await Promise.all(waiting)).toEqual([true, true]);
    expect(await new Barrier(at(2), '/barriers/never-set').waitOnBarrier()).toBe(true);
  });

  it('double barrier - enter waits for all members, leave waits until all left', async () => {
    const events: string[] = [];
    const members = [0, 1, 2].map((i) => new DoubleBarrier(at(i), '/barriers/double', 3, { id: `m${i}` }));
    const first = members[0] as DoubleBarrier;
    expect(await first.enter({ timeoutMs: 100 })).toBe(false);
    const entered = members.map(async (member, i) => {
      expect(await member.enter({ timeoutMs: 30_000 })).toBe(true);
      events.push(`in${i}`);
    });
    await Promise.all(entered);
    expect(events.sort()).toEqual(['in0', 'in1', 'in2']);
    // Two leave; they wait for the third.
    const leaving = [0, 1].map(async (i) => {
      expect(await members[i]?.leave({ timeoutMs: 30_000 })).toBe(true);
      events.push(`out${i}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events.filter((event) => event.startsWith('out'))).toEqual([]);
    expect(await members[2]?.leave({ timeoutMs: 30_000 })).toBe(true);
    await Promise.all(leaving);
    expect(await at(0).children('/barriers/double')).toEqual([]);
  });
});
