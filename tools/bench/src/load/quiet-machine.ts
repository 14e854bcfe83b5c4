/**
 * Waiting for a quiet machine before a measurement. All three clusters share this machine's
 * cores, and a system may keep working after its workload ends (a snapshot or compaction, the
 * last sessions' cleanup, garbage collection, the JIT); in an interleaved run that work would
 * land in the next system's measured window. So each measurement starts once the whole machine
 * (every process) was at most `quietBusyShareMax` busy over one window, or after a longest wait
 * in any case, and the result records how busy the machine was. On this machine the boundary
 * is usually quiet within one window (1-5% busy with all three clusters idle), so a slow window
 * with a quiet start is the system's own or the disk's, not a neighbour's leftover CPU.
 */
import os from 'node:os';
import { sleep as sleepMs } from './clock';

/** What a run counts as quiet: at most this share of all cores busy (the three idle clusters use 1-5%). */
export const quietBusyShareMax = 0.25;
/** Over one window of this length. */
export const quietWindowMs = 500;

/** Busy and total CPU time of the whole machine (all cores, all processes) since boot, in ms. */
export interface MachineCpuTimes {
  readonly busyMs: number;
  readonly totalMs: number;
}

/** The kernel's per-core times summed: busy is everything but idle. */
export function machineCpuTimes(): MachineCpuTimes {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of os.cpus()) {
    const busy = times.user + times.nice + times.sys + times.irq;
    busyMs += busy;
    totalMs += busy + times.idle;
  }
  return { busyMs, totalMs };
}

/** Share of the machine's CPU time (0-1, all cores) that was busy between two samples. */
export function busyShare(from: MachineCpuTimes, to: MachineCpuTimes): number {
  const total = to.totalMs - from.totalMs;
  return total <= 0 ? 0 : Math.min(1, Math.max(0, (to.busyMs - from.busyMs) / total));
}

/** How to wait; see {@link waitForQuietMachine}. */
export interface QuietMachineOptions {
  /** The machine counts as quiet when at most this share of all cores was busy over a window. */
  readonly busyShareMax: number;
  readonly windowMs: number;
  /** Give up waiting after this long and measure anyway. */
  readonly maxWaitMs: number;
  /** Sampling and sleeping, replaceable so the decision can be tested without a machine's noise. */
  readonly sample?: () => MachineCpuTimes;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** What the wait found. */
export interface QuietMachineOutcome {
  /** From the start of the wait until it ended (at least one window). */
  readonly waitedMs: number;
  /** Busy share of the machine over the last window. */
  readonly busyShare: number;
  /** False when `maxWaitMs` passed first. */
  readonly quiet: boolean;
}

/** Waits, one window at a time, until the machine was quiet over a whole window or time is up. */
export async function waitForQuietMachine(options: QuietMachineOptions): Promise<QuietMachineOutcome> {
  const sample = options.sample ?? machineCpuTimes;
  const sleep = options.sleep ?? sleepMs;
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  let previous = sample();
  for (;;) {
    await sleep(options.windowMs);
    const current = sample();
    const share = busyShare(previous, current);
    const waitedMs = now() - startedAt;
    if (share <= options.busyShareMax) return { waitedMs, busyShare: share, quiet: true };
    if (waitedMs >= options.maxWaitMs) return { waitedMs, busyShare: share, quiet: false };
    previous = current;
  }
}
