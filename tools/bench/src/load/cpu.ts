/**
 * CPU share of this process over an interval, from `process.cpuUsage` (user + system), as a
 * fraction of one core: the load generator is single-threaded JavaScript, so near 1.0 it is the
 * generator, not the system under test, that sets the pace.
 */
import { performance } from 'node:perf_hooks';

/** A started CPU measurement; `stop()` returns the share of one core used since it started. */
export interface CpuMeter {
  stop(): number;
}

/**
 * Starts measuring how busy this process's event loop is (`performance.eventLoopUtilization`):
 * the share of wall time it was running callbacks rather than waiting for I/O. Unlike CPU time,
 * it stays near 1 for a saturated generator even when other processes take the cores from it,
 * which is what happens on a shared machine.
 */
export function startLoopMeter(): CpuMeter {
  const start = performance.eventLoopUtilization();
  return { stop: () => performance.eventLoopUtilization(start).utilization };
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
