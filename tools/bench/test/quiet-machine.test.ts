// Goal: a measurement starts on a quiet machine: the wait ends at the first window in which the
// whole machine was at most the allowed share busy, gives up after the longest wait, and says
// which of the two happened and how busy the last window was.
// Method: feed the wait a scripted series of CPU-time samples and a clock that moves only when it
// sleeps (the decision, not the machine's noise, is under test); one run against the real
// machine checks that its samples are sane.
import { describe, expect, it } from 'vitest';
import {
  busyShare,
  type MachineCpuTimes,
  machineCpuTimes,
  type QuietMachineOptions,
  waitForQuietMachine,
} from '../src/load/quiet-machine';

/** Options whose samples add `busyPerWindow[i]` busy ms out of 1,000 per window. */
function scripted(busyPerWindow: readonly number[], maxWaitMs: number): QuietMachineOptions {
  let clock = 0;
  let window = 0;
  let times: MachineCpuTimes = { busyMs: 0, totalMs: 0 };
  return {
    busyShareMax: 0.25,
    windowMs: 500,
    maxWaitMs,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
      const busy = busyPerWindow[Math.min(window++, busyPerWindow.length - 1)] ?? 0;
      times = { busyMs: times.busyMs + busy, totalMs: times.totalMs + 1000 };
    },
    sample: () => times,
  };
}

describe('quiet machine', () => {
  it('computes the busy share between two samples, clamped to 0-1', () => {
    expect(busyShare({ busyMs: 100, totalMs: 1000 }, { busyMs: 350, totalMs: 2000 })).toBe(0.25);
    expect(busyShare({ busyMs: 0, totalMs: 1000 }, { busyMs: 0, totalMs: 1000 })).toBe(0);
    expect(busyShare({ busyMs: 0, totalMs: 0 }, { busyMs: 5000, totalMs: 1000 })).toBe(1);
  });

  it('ends at the first quiet window', async () => {
    const outcome = await waitForQuietMachine(scripted([900, 600, 200, 0], 10_000));
    expect(outcome).toEqual({ quiet: true, waitedMs: 1500, busyShare: 0.2 });
  });

  it('takes one window when the machine is quiet already', async () => {
    expect(await waitForQuietMachine(scripted([250], 10_000))).toEqual({ quiet: true, waitedMs: 500, busyShare: 0.25 });
  });

  it('gives up after the longest wait and reports the last window', async () => {
    const outcome = await waitForQuietMachine(scripted([900, 800, 700, 600, 500], 2000));
    expect(outcome).toEqual({ quiet: false, waitedMs: 2000, busyShare: 0.6 });
  });

  it('samples the real machine', () => {
    const first = machineCpuTimes();
    let spin = 0;
    for (let i = 0; i < 1e6; i++) spin += i;
    const second = machineCpuTimes();
    expect(spin).toBeGreaterThan(0);
    expect(second.totalMs).toBeGreaterThanOrEqual(first.totalMs);
    expect(second.busyMs).toBeGreaterThanOrEqual(first.busyMs);
    expect(first.busyMs).toBeLessThanOrEqual(first.totalMs);
  });
});
