/** Number and text formatting shared by the reports. */
import type { RunInfo } from '../results';

/** A rate with thousands separators (`12,345`). */
export function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Milliseconds with sensible precision. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A ratio as `1.23x`, or an em dash when unknown. */
export function formatRatio(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(2)}x`;
}

/** The display name of a target. */
export function targetTitle(target: string): string {
  return target === 'keel' ? 'Keel' : target === 'zookeeper' ? 'ZooKeeper' : target === 'etcd' ? 'etcd' : target;
}

/** How long each workload ran: `3 s warm-up + 15 s measured per workload`. */
export function perWorkloadText(info: Pick<RunInfo, 'durationSec' | 'warmupSec'>): string {
  const warmupSec = info.warmupSec ?? 0;
  return warmupSec > 0
    ? `${warmupSec} s warm-up + ${info.durationSec} s measured per workload (no warm-up for failover and scale)`
    : `${info.durationSec} s measured per workload, no warm-up`;
}
