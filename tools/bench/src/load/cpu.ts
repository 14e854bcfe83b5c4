/**
 * CPU share of this process over an interval, from `process.cpuUsage` (user + system), as a
 * fraction of one core: the load generator is single-threaded JavaScript, so near 1.0 it is the
 * generator, not the system under test, that sets the pace.
 */

/** A started CPU measurement; `stop()` returns the share of one core used since it started. */
export interface CpuMeter {
  stop(): number;
}

/** Starts measuring this process's CPU time. */
export function startCpuMeter(): CpuMeter {
  const startedAt = process.hrtime.bigint();
  const start = process.cpuUsage();
  return {
    stop(): number {
      const used = process.cpuUsage(start);
      const wallMicros = Number(process.hrtime.bigint() - startedAt) / 1000;
      return wallMicros <= 0 ? 0 : (used.user + used.system) / wallMicros;
    },
  };
}
