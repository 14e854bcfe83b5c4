/**
 * Keel against each peer, workload by workload, from the results of one run: throughput ratio
 * Keel/peer (above 1: Keel does more) and p99 ratio Keel/peer (below 1: Keel answers faster).
 */
import { type BenchRun, type TargetName, targetNames, type WorkloadResult } from '../results';

/** The peers Keel is compared with. */
export type PeerName = Exclude<TargetName, 'keel'>;

/** Keel/peer ratios of one workload (undefined when either side has no measurement). */
export interface WorkloadRatios {
  readonly workload: string;
  readonly throughput: Readonly<Partial<Record<PeerName, number>>>;
  readonly p99: Readonly<Partial<Record<PeerName, number>>>;
}

/** The result of `target` for `workload`, if measured. */
export function measured(run: BenchRun, workload: string, target: TargetName): WorkloadResult | undefined {
  return run.results.find(
    (result) => result.workload === workload && result.target === target && result.status === 'ok',
  );
}

/** Workload names in the order they first appear in the results. */
export function workloadsOf(run: BenchRun): string[] {
  return [...new Set(run.results.map((result) => result.workload))];
}

/** Targets that appear in the results, in report order. */
export function targetsOf(run: BenchRun): TargetName[] {
  return targetNames.filter((target) => run.results.some((result) => result.target === target));
}

function ratio(numerator: number, denominator: number): number | undefined {
  return numerator > 0 && denominator > 0 && Number.isFinite(numerator) && Number.isFinite(denominator)
    ? numerator / denominator
    : undefined;
}

/** The extra field holding the one figure (ms, lower is better) of each single-figure workload. */
const singleFigureFields: Readonly<Record<string, string>> = {
  failover: 'unavailableMs',
  'scale-snapshot': 'snapshotMs',
  'scale-restart': 'restartMs',
};

/**
 * Workloads whose throughput and latency are not the point (failover: the unavailability is;
 * snapshot and restart: their time is). They get their own rows in the reports.
 */
export const singleFigureWorkloads: readonly string[] = Object.keys(singleFigureFields);

/** The one figure of a single-figure workload (ms, lower is better), if measured. */
export function singleFigureOf(result: WorkloadResult): number | undefined {
  const field = singleFigureFields[result.workload];
  const value = field === undefined ? undefined : result.extra?.[field];
  return value === undefined || value === null || !Number.isFinite(value) ? undefined : value;
}

/** Keel/peer ratios for every throughput/latency workload of the run. */
export function ratiosOf(run: BenchRun): WorkloadRatios[] {
  return workloadsOf(run)
    .filter((workload) => !singleFigureWorkloads.includes(workload))
    .map((workload) => {
      const keel = measured(run, workload, 'keel');
      const throughput: Partial<Record<PeerName, number>> = {};
      const p99: Partial<Record<PeerName, number>> = {};
      for (const peer of ['zookeeper', 'etcd'] as const) {
        const other = measured(run, workload, peer);
        if (keel === undefined || other === undefined) continue;
        const ops = ratio(keel.opsPerSec, other.opsPerSec);
        const latency = ratio(keel.latency.p99Ms, other.latency.p99Ms);
        if (ops !== undefined) throughput[peer] = ops;
        if (latency !== undefined) p99[peer] = latency;
      }
      return { workload, throughput, p99 };
    });
}
