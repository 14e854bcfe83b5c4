// Goal: the closed-loop generator keeps exactly N operations in flight, stops a bounded run at
// its limit, counts failures apart from successes, abandons an operation that never settles, and
// counts only operations started after its warm-up.
// Method: drive it with in-process operations (promises we control), no real system and no timing
// assertions: only counts, and the order of instants on the generator's own monotonic clock
// (operations note when they started), are checked.
import { describe, expect, it } from 'vitest';
import { nowMicros, sleep } from '../src/load/clock';
import { runClosedLoop } from '../src/load/closed-loop';
import { openMeasuredWindow } from '../src/load/measured-window';

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

describe('closed loop - warm-up', () => {
  const warmupMs = 60;

  it('counts nothing that started during the warm-up, an operation straddling its end included', async () => {
    const startedAt: number[] = [];
    const settledAt: number[] = [];
    const outcome = await runClosedLoop({
      inflight: 1,
      warmupMs,
      durationMs: 40,
      operation: async () => {
        const start = nowMicros();
        startedAt.push(start);
        // The first operation starts with the run and outlasts the warm-up; the rest are short.
        if (startedAt.length === 1) {
          while (nowMicros() < start + (warmupMs + 10) * 1000) await sleep(5);
        } else {
          await sleep(1);
        }
        settledAt.push(nowMicros());
      },
    });
    // One worker, so operations run one after the other: the first straddled the end of the
    // warm-up (it started with the run and ended more than a warm-up later) and every later one
    // started after it settled.
    expect(startedAt.length).toBeGreaterThan(1);
    expect((settledAt[0] ?? 0) - (startedAt[0] ?? 0)).toBeGreaterThan(warmupMs * 1000);
    expect(outcome.operations).toBe(startedAt.length - 1);
    expect(outcome.histogram.count).toBe(startedAt.length - 1);
    expect(outcome.errors).toBe(0);
  });

  it('counts exactly the operations started at or after the end of the warm-up', async () => {
    const startedAt: number[] = [];
    const before = nowMicros();
    const outcome = await runClosedLoop({
      inflight: 1,
      warmupMs,
      durationMs: 40,
      errorBackoffMs: 1,
      // Every operation fails with its own number, so the first counted error names the first
      // counted operation.
      operation: async () => {
        startedAt.push(nowMicros());
        throw new Error(`op ${startedAt.length - 1}`);
      },
    });
    const after = nowMicros();
    const first = Number(/op (\d+)/.exec(outcome.firstError ?? '')?.[1]);
    expect(Number.isInteger(first)).toBe(true);
    // Some operations ran during the warm-up and were dropped; every one from `first` on counted.
    expect(first).toBeGreaterThan(0);
    expect(outcome.errors).toBe(startedAt.length - first);
    expect(outcome.operations).toBe(0);
    // The first counted operation started no earlier than a warm-up after the run was called.
    expect(startedAt[first] ?? 0).toBeGreaterThanOrEqual(before + warmupMs * 1000);
    // Elapsed time runs from the end of the warm-up: at least the duration (workers start until
    // it is over), at most the whole call less the warm-up.
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(40);
    expect(outcome.elapsedMs).toBeLessThanOrEqual((after - before - warmupMs * 1000) / 1000);
  });

  it('closed before its warm-up is over, a window is empty', () => {
    const measuring = openMeasuredWindow(60_000, 1000);
    expect(measuring.admits(nowMicros())).toBe(false);
    expect(measuring.endAt - measuring.measureFrom).toBe(1_000_000);
    expect(measuring.close().elapsedMs).toBe(0);
  });

  it('counts every operation without a warm-up (warmupMs 0 and absent alike)', async () => {
    for (const warmup of [0, undefined]) {
      let calls = 0;
      const outcome = await runClosedLoop({
        inflight: 4,
        durationMs: 60_000,
        operationsMax: 50,
        ...(warmup === undefined ? {} : { warmupMs: warmup }),
        operation: async () => {
          calls++;
          await Promise.resolve();
        },
      });
      expect(calls).toBe(50);
      expect(outcome.operations).toBe(50);
      expect(outcome.histogram.count).toBe(50);
    }
  });
});
