/** Every workload, in run order (failover last: it leaves the cluster one member short). */
import { createWorkload } from './create';
import { failoverWorkload } from './failover';
import { lockHandoff2Workload, lockHandoff32Workload } from './lock-handoff';
import { mixedWorkload } from './mixed';
import { readLinearizableWorkload, readLocalWorkload } from './reads';
import { scaleWorkloads } from './scale';
import { sessionChurnWorkload } from './session-churn';
import { setWorkload } from './set';
import { watchFanout } from './watch-fanout';
import type { Workload } from './workload';

/** Watchers of the fan-out workload. */
export const fanoutWatchers = 1000;

/** All workloads: the standard ones, then the `--scale` ones, then failover. */
export const allWorkloads: readonly Workload[] = [
  createWorkload,
  mixedWorkload,
  setWorkload,
  readLocalWorkload,
  readLinearizableWorkload,
  sessionChurnWorkload,
  lockHandoff2Workload,
  lockHandoff32Workload,
  watchFanout(fanoutWatchers),
  ...scaleWorkloads,
  failoverWorkload,
];

/** Names of all workloads. */
export const workloadNames: readonly string[] = allWorkloads.map((workload) => workload.name);

/** The workloads a run does: the named ones, or all standard ones (plus the scale ones with `scale`). */
export function selectWorkloads(names: readonly string[] | undefined, scale: boolean): Workload[] {
  if (names === undefined) return allWorkloads.filter((workload) => scale || workload.scale !== true);
  return allWorkloads.filter((workload) => names.includes(workload.name));
}
