/**
 * The measured window of a run that opens with an unmeasured warm-up: load runs from the start,
 * but only operations started once the warm-up is over count, so that a cold JIT (ZooKeeper's
 * JVM, Node's V8) or cold caches are not measured. The generator's CPU and event-loop meters
 * cover the measured window only.
 */
import { nowMicros } from './clock';
import { type CpuMeter, startCpuMeter, startLoopMeter } from './cpu';

/** What a window measured about the generator itself, once closed. */
export interface WindowMeasurement {
  /** From the end of the warm-up to the close. */
  readonly elapsedMs: number;
  readonly generatorCpu: number;
  readonly generatorLoopBusy: number;
}

/** An open measured window; see {@link openMeasuredWindow}. */
export interface MeasuredWindow {
  /** Monotonic microseconds ({@link nowMicros}) at which the warm-up ends and measuring begins. */
  readonly measureFrom: number;
  /** Monotonic microseconds after which no operation should be started. */
  readonly endAt: number;
  /**
   * Whether an operation started at `startedAtMicros` is measured. The first one that is starts
   * the meters, should the warm-up's timer be late (a saturated event loop runs timers late).
   */
  admits(startedAtMicros: number): boolean;
  /** Stops the meters. Closed before the warm-up is over, the window is empty (0 ms). */
  close(): WindowMeasurement;
}

/**
 * Opens a window that measures for `durationMs` after a warm-up of `warmupMs` (0: measuring
 * starts now, and the meters with it).
 */
export function openMeasuredWindow(warmupMs: number, durationMs: number): MeasuredWindow {
  const measureFrom = nowMicros() + Math.max(0, warmupMs) * 1000;
  const endAt = measureFrom + durationMs * 1000;
  let meters: { cpu: CpuMeter; loop: CpuMeter } | undefined;
  const startMeters = (): { cpu: CpuMeter; loop: CpuMeter } => {
    meters ??= { cpu: startCpuMeter(), loop: startLoopMeter() };
    return meters;
  };
  let timer: NodeJS.Timeout | undefined;
  if (warmupMs > 0) {
    timer = setTimeout(startMeters, warmupMs);
    // The run's own work keeps the process alive; this timer must not.
    timer.unref();
  } else {
    startMeters();
  }
  return {
    measureFrom,
    endAt,
    admits(startedAtMicros) {
      if (startedAtMicros < measureFrom) return false;
      startMeters();
      return true;
    },
    close() {
      clearTimeout(timer);
      const stopped = startMeters();
      return {
        elapsedMs: Math.max(0, nowMicros() - measureFrom) / 1000,
        generatorCpu: stopped.cpu.stop(),
        generatorLoopBusy: stopped.loop.stop(),
      };
    },
  };
}
