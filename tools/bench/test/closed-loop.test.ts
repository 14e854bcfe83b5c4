// Goal: the closed-loop generator keeps exactly N operations in flight, stops a bounded run at
// its limit, counts failures apart from successes, and abandons an operation that never settles.
// Method: drive it with in-process operations (promises we control), no real system and no timing
// assertions: only counts are checked.
import { describe, expect, it } from 'vitest';
import { runClosedLoop } from '../src/load/closed-loop';

describe('closed loop - counting', () => {
  it('starts no more than operationsMax operations and records one latency per success', async () => {
    let calls = 0;
    const outcome = await runClosedLoop({
      inflight: 8,
      durationMs: 60_000,
      operationsMax: 100,
      operation: async () => {
        calls++;
        await Promise.resolve();
      },
    });
    expect(calls).toBe(100);
    expect(outcome.operations).toBe(100);
    expect(outcome.histogram.count).toBe(100);
    expect(outcome.errors).toBe(0);
  });

  it('never has more than inflight operations pending', async () => {
    let pending = 0;
    let most = 0;
    await runClosedLoop({
      inflight: 5,
      durationMs: 60_000,
      operationsMax: 200,
      operation: async () => {
        pending++;
        most = Math.max(most, pending);
        await new Promise((resolve) => setImmediate(resolve));
        pending--;
      },
    });
    expect(most).toBe(5);
  });

  it('counts failures as errors, keeps the first one, and does not time them', async () => {
    const outcome = await runClosedLoop({
      inflight: 2,
      durationMs: 60_000,
      operationsMax: 10,
      errorBackoffMs: 0,
      operation: async (_worker, sequence) => {
        if (sequence % 2 === 1) throw new Error(`boom ${sequence}`);
      },
    });
    expect(outcome.operations + outcome.errors).toBe(10);
    expect(outcome.errors).toBe(4);
    expect(outcome.histogram.count).toBe(outcome.operations);
    expect(outcome.firstError).toBe('Error: boom 1');
  });

  it('abandons an operation that never settles as an error', async () => {
    const outcome = await runClosedLoop({
      inflight: 1,
      durationMs: 60_000,
      operationsMax: 2,
      operationTimeoutMs: 20,
      errorBackoffMs: 0,
      operation: () => new Promise<void>(() => {}),
    });
    expect(outcome.operations).toBe(0);
    expect(outcome.errors).toBe(2);
    expect(outcome.firstError).toMatch(/not settled after 20 ms/);
  });
});
