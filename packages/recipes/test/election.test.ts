// Goal: LeaderLatch and LeaderSelector elect one leader at a time with Curator's API: latch
// events only on a flip, await with timeout, participants and leader, close hands over;
// selector runs takeLeadership one at a time, requeues with autoRequeue, and interrupts through
// the AbortSignal.
// Method: a real three-member cluster in-process, one client (session) per participant.
import { describe, expect, it } from 'vitest';
import { LeaderLatch, LeaderSelector } from '../src/index';
import { ClusterWithClients, waitFor } from './harness';

describe('election', () => {
  const { at } = new ClusterWithClients(3);

  it('leader latch - one leader, participants in order, close hands over', async () => {
    const latches = [0, 1, 2].map((i) => new LeaderLatch(at(i), '/election/latch', { id: `p${i}` }));
    const flips: string[] = [];
    for (const latch of latches) {
      latch.on('isLeader', () => flips.push(`${latch.id}+`));
      latch.on('notLeader', () => flips.push(`${latch.id}-`));
    }
    const first = latches[0] as LeaderLatch;
    first.start();
    expect(await first.await({ timeoutMs: 10_000 })).toBe(true);
    // One at a time, so the queue order is known.
    for (const [i, latch] of latches.slice(1).entries()) {
      latch.start();
      await waitFor('the participant to queue', async () => (await latch.getParticipants()).length === i + 2);
    }
    expect(await latches[1]?.await({ timeoutMs: 100 })).toBe(false);
    expect(await first.getParticipants()).toEqual([
      { id: 'p0', isLeader: true },
      { id: 'p1', isLeader: false },
      { id: 'p2', isLeader: false },
    ]);
    expect(await latches[2]?.getLeader()).toEqual({ id: 'p0', isLeader: true });
    expect(latches.filter((latch) => latch.hasLeadership())).toEqual([first]);

    const signal = first.leadershipSignal;
    await first.close('notifyLeader');
    expect(signal.aborted).toBe(true);
    expect(await latches[1]?.await({ timeoutMs: 10_000 })).toBe(true);
    expect(latches[2]?.hasLeadership()).toBe(false);
    expect(() => first.start()).toThrow(/cannot be started twice/);
    await latches[1]?.close();
    expect(await latches[2]?.await({ timeoutMs: 10_000 })).toBe(true);
    await latches[2]?.close();
    expect(flips).toEqual(['p0+', 'p0-', 'p1+', 'p2+']);
  });

  it('leader selector - one term at a time, autoRequeue, interruption through the signal', async () => {
    let active = 0;
    let overlaps = 0;
    const terms: string[] = [];
    const selectors = [0, 1].map(
      (i) =>
        new LeaderSelector(
          at(i),
          '/election/selector',
          async (signal) => {
            active += 1;
            if (active > 1) overlaps += 1;
            terms.push(`s${i}`);
            // Lead until interrupted or for a few ms.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 20);
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                resolve();
              });
            });
            active -= 1;
          },
          { id: `s${i}`, autoRequeue: true },
        ),
    );
    for (const selector of selectors) selector.start();
    await waitFor('six terms', () => terms.length >= 6);
    expect(overlaps).toBe(0);
    expect(new Set(terms)).toEqual(new Set(['s0', 's1']));

    // A selector without autoRequeue leads once; interruptLeadership aborts its signal.
    for (const selector of selectors) await selector.close();
    let aborted: unknown = null;
    const once = new LeaderSelector(at(2), '/election/selector-once', async (signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      aborted = signal.reason;
    });
    once.start();
    await waitFor('the term to start', () => once.hasLeadership());
    expect((await once.getLeader()).isLeader).toBe(true);
    once.interruptLeadership();
    await waitFor('the term to end', () => !once.hasLeadership());
    expect(aborted).toMatchObject({ code: 'Revoked' });
    expect(once.requeue()).toBe(true);
    await waitFor('a second term', () => once.hasLeadership());
    const closed = once.close();
    await closed;
    expect(once.hasLeadership()).toBe(false);
  });

  it('leader selector - a term that ends by rethrowing its signal reason is no error; a real failure is', async () => {
    const errors: unknown[] = [];
    let fail = false;
    const selector = new LeaderSelector(at(0), '/election/selector-rethrow', async (signal) => {
      if (fail) throw new Error('takeLeadership failed');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      signal.throwIfAborted();
    });
    selector.on('error', (error) => errors.push(error));
    selector.start();
    await waitFor('the first term', () => selector.hasLeadership());
    selector.interruptLeadership();
    await waitFor('the first term to end', () => !selector.hasLeadership());
    fail = true;
    expect(selector.requeue()).toBe(true);
    await waitFor('the failing term to be reported', () => errors.length > 0);
    expect(errors).toMatchObject([{ message: 'takeLeadership failed' }]);

    fail = false;
    // The error is reported before the failed term has released its node.
    await waitFor('the selector to queue again', () => selector.requeue());
    await waitFor('a third term', () => selector.hasLeadership());
    await selector.close();
    expect(errors).toHaveLength(1);
  });
});
