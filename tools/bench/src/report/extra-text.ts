/** The workload-specific figures of a result (failover gap, memory per item, fan-out details, load) as one line. */
import type { WorkloadResult } from '../results';
import { formatMs } from './format';

/** `extra` of a result in words, for the notes of the reports. */
export function extraText(result: WorkloadResult): string {
  const extra = result.extra ?? {};
  const parts: string[] = [];
  if ('unavailableMs' in extra) {
    const value = extra.unavailableMs;
    parts.push(
      value === null || value === undefined || !Number.isFinite(value)
        ? 'writes did not recover'
        : `unavailable ${formatMs(value)} ms`,
    );
  }
  for (const key of ['bytesPerNode', 'bytesPerNodeAtEnd', 'bytesPerSession', 'bytesPerWatch'] as const) {
    const value = extra[key];
    if (value !== undefined && value !== null) parts.push(`${key} ${Math.round(value)}`);
  }
  const snapshot = extra.snapshotMs;
  if (snapshot !== undefined && snapshot !== null) {
    const bytes = extra.snapshotBytes;
    const size = bytes === undefined || bytes === null ? '' : ` (${(bytes / 2 ** 20).toFixed(1)} MiB)`;
    parts.push(`snapshot ${formatMs(snapshot)} ms${size}`);
  }
  const restart = extra.restartMs;
  if (restart !== undefined && restart !== null) parts.push(`restart ${formatMs(restart)} ms`);
  const fromSend = extra.p99FromSendMs;
  if (fromSend !== undefined && fromSend !== null) {
    parts.push(`from send p50 ${formatMs(extra.p50FromSendMs ?? Number.NaN)} / p99 ${formatMs(fromSend)} ms`);
  }
  const early = extra.eventsBeforeAck;
  if (early !== undefined && early !== null && result.operations > 0) {
    parts.push(`${Math.round((100 * early) / result.operations)}% of events before the ack`);
  }
  const busyBefore = extra.busyBefore;
  if (busyBefore !== undefined && busyBefore !== null) {
    parts.push(
      `machine ${Math.round(busyBefore * 100)}% busy before (waited ${formatMs(extra.quietWaitMs ?? Number.NaN)} ms)`,
    );
  }
  const load = extra.loadAverage1m;
  if (load !== undefined && load !== null) parts.push(`load ${load.toFixed(1)}`);
  return parts.join(', ');
}
