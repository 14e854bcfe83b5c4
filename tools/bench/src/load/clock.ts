/** Monotonic time for latency measurement. */

/** Microseconds on a monotonic clock (only differences mean anything). */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
