// Goal: recipes react to connection states as Curator documents: under the standard policy
// `suspended` revokes leases and leadership (signal + event) and the revoked lock node is
// deleted once reconnected; under the session policy `suspended` only pauses and `reconnected`
// re-checks the node; `lost` always revokes, and the lock passes to another session.
// Method: a real three-member cluster in-process; the client under test reaches one member
// through a TCP proxy that resets its connection and refuses new ones (a real connection loss);
// an observer client connects directly.
import type { KeelClient } from '@keel/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  LeaderLatch,
  LeaderSelector,
  type Lease,
  Mutex,
  type RevocationReason,
  sessionErrorPolicy,
} from '../src/index';
import { client, InProcessCluster, TcpProxy, waitFor } from './harness';

describe('connection states', () => {
  let cluster: InProcessCluster;
  let proxy: TcpProxy;
  let observer: KeelClient;
  let subject: KeelClient;
  const states: string[] = [];

  beforeAll(async () => {
    cluster = await InProcessCluster.start(3);
    observer = await client(cluster.urls);
  });

  afterAll(async () => {
    await observer.close();
    await cluster.stop();
  });

  async function connectSubject(): Promise<void> {
    proxy = await TcpProxy.start(cluster.urls[0] as string);
    subject = await client(proxy.url, { sessionTimeoutMs: 1_000 });
    states.length = 0;
    subject.on('state', (state) => states.push(state));
  }

  afterEach(async () => {
    await subject.close();
    await proxy.stop();
  });

  it('standard policy - suspended revokes the lease and leadership; reconnected re-checks and cleans up', async () => {
    await connectSubject();
    const lease = await new Mutex(subject, '/cs/standard-lock').acquire();
    const reasons: RevocationReason[] = [];
    lease.onRevoked((reason) => reasons.push(reason));
    const latch = new LeaderLatch(subject, '/cs/standard-latch', { id: 'subject' });
    const flips: string[] = [];
    latch.on('isLeader', () => flips.push('+'));
    latch.on('notLeader', () => flips.push('-'));
    latch.start();
    expect(await latch.await({ timeoutMs: 10_000 })).toBe(true);
    const leadership = latch.leadershipSignal;
    let selectorReason: unknown = null;
    const selector = new LeaderSelector(subject, '/cs/standard-selector', async (signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      selectorReason = signal.reason;
    });
    selector.start();
    await waitFor('the selector to lead', () => selector.hasLeadership());

    proxy.cut();
    await waitFor('suspended', () => states.includes('suspended'));
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toMatchObject({ code: 'Revoked' });
    expect(reasons).toEqual(['suspended']);
    expect(latch.hasLeadership()).toBe(false);
    expect(leadership.aborted).toBe(true);
    // takeLeadership is interrupted through its signal.
    await waitFor('the selector to be interrupted', () => selectorReason !== null);
    expect(selectorReason).toMatchObject({ code: 'Revoked' });

    proxy.restore();
    await waitFor('reconnected', () => states.includes('reconnected'));
    expect(states).toEqual(['suspended', 'reconnected']);
    // The session survived: the latch's node is still first, so it leads again.
    expect(await latch.await({ timeoutMs: 10_000 })).toBe(true);
    expect(flips).toEqual(['+', '-', '+']);
    // The revoked lock node is deleted, so another session gets the lock without waiting for expiry.
    const other = await new Mutex(observer, '/cs/standard-lock').acquire({ timeoutMs: 10_000 });
    expect(other).not.toBeNull();
    expect(other?.fencingToken).toBeGreaterThan(lease.fencingToken);
    await other?.release();
    await lease.release();
    await latch.close();
    await selector.close();
  });

  it('session policy - suspended pauses; reconnected re-checks and keeps the lease', async () => {
    await connectSubject();
    const lease = await new Mutex(subject, '/cs/session-lock', { errorPolicy: sessionErrorPolicy }).acquire();
    const latch = new LeaderLatch(subject, '/cs/session-latch', { errorPolicy: sessionErrorPolicy });
    const flips: string[] = [];
    latch.on('isLeader', () => flips.push('+'));
    latch.on('notLeader', () => flips.push('-'));
    latch.start();
    expect(await latch.await({ timeoutMs: 10_000 })).toBe(true);

    proxy.cut();
    await waitFor('suspended', () => states.includes('suspended'));
    expect(lease.isHeld).toBe(true);
    expect(latch.hasLeadership()).toBe(true);
    proxy.restore();
    await waitFor('reconnected', () => states.includes('reconnected'));
    // The re-check finds the node still ours.
    expect(await observer.exists(lease.path)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lease.isHeld).toBe(true);
    expect(latch.hasLeadership()).toBe(true);
    expect(flips).toEqual(['+']);
    expect(await new Mutex(observer, '/cs/session-lock').acquire({ timeoutMs: 200 })).toBeNull();
    await lease.release();
    await latch.close();
  });

  it('lost - revokes under either policy, the lock passes on, the latch rejoins with the new session', async () => {
    await connectSubject();
    const strict = await new Mutex(subject, '/cs/lost-a').acquire();
    const lenient = await new Mutex(subject, '/cs/lost-b', { errorPolicy: sessionErrorPolicy }).acquire();
    const reasons: RevocationReason[] = [];
    lenient.onRevoked((reason) => reasons.push(reason));
    const latch = new LeaderLatch(subject, '/cs/lost-latch', { id: 'subject', errorPolicy: sessionErrorPolicy });
    latch.start();
    expect(await latch.await({ timeoutMs: 10_000 })).toBe(true);
    const rival = new LeaderLatch(observer, '/cs/lost-latch', { id: 'observer' });
    rival.start();
    const waiting: Promise<Lease> = new Mutex(observer, '/cs/lost-b').acquire();

    proxy.cut();
    await waitFor('lost', () => states.includes('lost'), 30_000);
    expect(strict.isRevoked).toBe(true);
    expect(lenient.isRevoked).toBe(true);
    expect(reasons).toEqual(['lost']);
    expect(latch.hasLeadership()).toBe(false);
    // The members expire the session: its lock and latch nodes go, the others take over.
    const next = await waiting;
    expect(next.fencingToken).toBeGreaterThan(lenient.fencingToken);
    expect(await rival.await({ timeoutMs: 30_000 })).toBe(true);

    proxy.restore();
    await waitFor('a fresh session', () => states.at(-1) === 'reconnected', 30_000);
    await waitFor('the latch to rejoin', async () => (await rival.getParticipants()).length === 2);
    expect(await rival.getParticipants()).toEqual([
      { id: 'observer', isLeader: true },
      { id: 'subject', isLeader: false },
    ]);
    await next.release();
    await rival.close();
    expect(await latch.await({ timeoutMs: 10_000 })).toBe(true);
    await latch.close();
    await strict.release();
    await lenient.release();
  });
});
