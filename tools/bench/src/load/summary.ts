/** Turns what a workload measured into a {@link WorkloadResult}. */
import type { LatencySummary, TargetName, WorkloadResult } from '../results';
import type { ClosedLoopOutcome } from './closed-loop';
import type { LatencyHistogram } from './histogram';

/** p50/p99/p999/max/mean of a histogram, in milliseconds. */
export function latencySummary(histogram: LatencyHistogram): LatencySummary {
  const ms = (micros: number) => Math.round(micros) / 1000;
  return {
    count: histogram.count,
    p50Ms: ms(histogram.quantileMicros(0.5)),
    p99Ms: ms(histogram.quantileMicros(0.99)),
    p999Ms: ms(histogram.quantileMicros(0.999)),
    maxMs: ms(histogram.maxMicros),
    meanMs: ms(histogram.meanMicros),
  };
}

/** A measured result. */
export function measuredResult(
  workload: string,
  target: TargetName,
  outcome: ClosedLoopOutcome,
  extra?: Readonly<Record<string, number>>,
  note?: string,
): WorkloadResult {
  const notes = [note, outcome.firstError === undefined ? undefined : `first error: ${outcome.firstError}`].filter(
    (text) => text !== undefined,
  );
  return {
    workload,
    target,
    status: 'ok',
    opsPerSec: outcome.elapsedMs > 0 ? Math.round((outcome.operations / outcome.elapsedMs) * 1000) : 0,
    operations: outcome.operations,
    errors: outcome.errors,
    elapsedMs: Math.round(outcome.elapsedMs),
    latency: latencySummary(outcome.histogram),
    generatorCpu: Math.round(outcome.generatorCpu * 100) / 100,
    ...(outcome.generatorLoopBusy === undefined
      ? {}
      : { generatorLoopBusy: Math.round(outcome.generatorLoopBusy * 100) / 100 }),
    ...(extra === undefined ? {} : { extra }),
    ...(notes.length === 0 ? {} : { note: notes.join('; ') }),
  };
}

const emptyLatency: LatencySummary = { count: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, meanMs: 0 };

/** A result without measurements: the workload failed, or was not done. */
export function unmeasuredResult(
  workload: string,
  target: TargetName,
  status: 'failed' | 'notDone',
  reason: string,
): WorkloadResult {
  return {
    workload,
    target,
    status,
    opsPerSec: 0,
    operations: 0,
    errors: 0,
    elapsedMs: 0,
    latency: emptyLatency,
    generatorCpu: 0,
    ...(status === 'failed' ? { error: reason } : { note: reason }),
  };
}
