/**
 * One benchmark run: for each target, start its three-member cluster, run every workload
 * against it (failover last), stop it by PID (always), and collect the results.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './args';
import type { ClusterStarter, RunningCluster } from './clusters/cluster';
import { startEtcd } from './clusters/etcd';
import { startKeel } from './clusters/keel';
import { removeOnSignal } from './clusters/processes';
import { startZookeeper } from './clusters/zookeeper';
import { runGenerators } from './load/generators';
import { type QuietMachineOutcome, quietBusyShareMax, quietWindowMs, waitForQuietMachine } from './load/quiet-machine';
import { measuredResult, unmeasuredResult } from './load/summary';
import type { BenchRun, TargetName, WorkloadResult } from './results';
import type { Session } from './targets/session';
import { selectWorkloads } from './workloads';
import { WorkloadNotDoneError } from './workloads/not-done';
import type { LoadOptions, Workload } from './workloads/workload';

/** Members per cluster. */
export const clusterMembers = 3;

const starters: Record<TargetName, ClusterStarter> = {
  keel: startKeel,
  zookeeper: startZookeeper,
  etcd: startEtcd,
};

/** Progress output of a run. */
export type Log = (line: string) => void;

/** Runs one workload against a running cluster; throws when it cannot be measured. */
export async function runWorkload(
  workload: Workload,
  cluster: RunningCluster,
  load: LoadOptions,
  generators: number,
): Promise<WorkloadResult> {
  const root = `/bench-${workload.name}`;
  const { driver } = cluster;
  if (workload.kind === 'custom') {
    const measured = await workload.run({ cluster, driver, options: load, root });
    return measuredResult(workload.name, cluster.target, measured.outcome, measured.extra, measured.note);
  }
  const sessions: Session[] = [];
  try {
    for (let i = 0; i < load.clients; i++) sessions.push(await driver.connect());
    const first = sessions[0];
    if (first === undefined) throw new Error('no session');
    await workload.setup(first, root);
    const inflight = workload.inflight?.(load) ?? load.inflight;
    const outcome = await runGenerators({
      workload,
      target: cluster.target,
      addresses: cluster.members.map((member) => member.clientAddress),
      driver,
      sessions,
      root,
      inflight,
      clients: load.clients,
      durationMs: load.durationMs,
      warmupMs: load.warmupMs ?? 0,
      generators,
    });
    return measuredResult(workload.name, cluster.target, outcome, { inflight, generators });
  } finally {
    await Promise.all(sessions.map((session) => session.close().catch(() => {})));
  }
}

/** Runs one workload against one cluster and records the outcome (failures included). */
async function measure(
  workload: Workload,
  cluster: RunningCluster,
  load: LoadOptions,
  options: BenchOptions,
  log: Log,
): Promise<WorkloadResult> {
  const target = cluster.target;
  const quiet =
    options.quietWaitSec > 0
      ? await waitForQuietMachine({
          busyShareMax: quietBusyShareMax,
          windowMs: quietWindowMs,
          maxWaitMs: options.quietWaitSec * 1000,
        })
      : undefined;
  log(`${target}: ${workload.name} ...${quiet === undefined ? '' : ` (${quietText(quiet)})`}`);
  let result: WorkloadResult;
  try {
    result = await runWorkload(workload, cluster, load, options.generators);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    result = unmeasuredResult(
      workload.name,
      target,
      error instanceof WorkloadNotDoneError ? 'notDone' : 'failed',
      reason,
    );
  }
  // The machine is shared: the 1-minute load average says how noisy this measurement was.
  if (result.status === 'ok') {
    const loadAverage1m = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
    const before: Record<string, number> =
      quiet === undefined
        ? {}
        : { quietWaitMs: Math.round(quiet.waitedMs), busyBefore: Math.round(quiet.busyShare * 100) / 100 };
    result = { ...result, extra: { ...result.extra, ...before, loadAverage1m } };
  }
  log(`${target}: ${workload.name} ${describe(result)}`);
  return result;
}

/**
 * The order of the targets for the `index`-th workload: rotated by one each time, so that no
 * system always runs first (right after a cluster start) or last.
 */
export function rotatedTargets<T>(targets: readonly T[], index: number): T[] {
  if (targets.length === 0) return [];
  const shift = index % targets.length;
  return [...targets.slice(shift), ...targets.slice(0, shift)];
}

/**
 * Runs the benchmark; results of failed workloads are recorded, not thrown. By default every
 * cluster is started first and each workload runs on every system in turn, so that the two sides
 * of a ratio are measured minutes apart at most, under the same background load; with
 * `sequential`, one cluster runs at a time (less memory, but the machine's load may change
 * between one system and the next).
 */
export async function runBench(
  options: BenchOptions,
  log: Log,
): Promise<{ results: WorkloadResult[]; versions: Partial<Record<TargetName, string>> }> {
  const workloads = selectWorkloads(options.workloads, options.scale);
  const load: LoadOptions = {
    durationMs: options.durationSec * 1000,
    warmupMs: options.warmupSec * 1000,
    inflight: options.inflight,
    clients: options.clients,
    quick: options.quick,
  };
  // A --base-dir that does not exist yet is made, as --out is.
  if (options.baseDir !== undefined) mkdirSync(options.baseDir, { recursive: true });
  const baseDir = mkdtempSync(join(options.baseDir ?? os.tmpdir(), 'keel-bench-'));
  log(`cluster data and logs under ${baseDir}${options.keepData ? ' (kept)' : ''}`);
  const scratch = options.keepData ? undefined : removeOnSignal(baseDir);
  const results: WorkloadResult[] = [];
  const versions: Partial<Record<TargetName, string>> = {};
  const start = async (target: TargetName): Promise<RunningCluster | undefined> => {
    log(`${target}: starting ${clusterMembers} members`);
    try {
      const cluster = await starters[target]({
        baseDir,
        members: clusterMembers,
        keepData: options.keepData,
        ...(options.keelCpuProfileDir === undefined ? {} : { cpuProfileDir: options.keelCpuProfileDir }),
      });
      versions[target] = cluster.version;
      return cluster;
    } catch (error) {
      const reason = `cluster did not start: ${error instanceof Error ? error.message : String(error)}`;
      log(`${target}: ${reason}`);
      for (const workload of workloads) results.push(unmeasuredResult(workload.name, target, 'failed', reason));
      return undefined;
    }
  };
  const stop = async (cluster: RunningCluster): Promise<void> => {
    log(`${cluster.target}: stopping`);
    await cluster.stop();
  };
  try {
    if (options.sequential) {
      for (const target of options.targets) {
        const cluster = await start(target);
        if (cluster === undefined) continue;
        try {
          for (const workload of workloads) {
            results.push(await measure(workload, cluster, load, options, log));
          }
        } finally {
          await stop(cluster);
        }
      }
    } else {
      const clusters: RunningCluster[] = [];
      try {
        for (const target of options.targets) {
          const cluster = await start(target);
          if (cluster !== undefined) clusters.push(cluster);
        }
        for (const [index, workload] of workloads.entries()) {
          for (const cluster of rotatedTargets(clusters, index)) {
            results.push(await measure(workload, cluster, load, options, log));
          }
        }
      } finally {
        await Promise.all(clusters.map((cluster) => stop(cluster)));
      }
    }
  } finally {
    if (!options.keepData) rmSync(baseDir, { recursive: true, force: true });
    scratch?.forget();
  }
  return { results, versions };
}

function quietText(quiet: QuietMachineOutcome): string {
  const busy = `${Math.round(quiet.busyShare * 100)}% busy`;
  return quiet.quiet
    ? `machine ${busy} after ${(quiet.waitedMs / 1000).toFixed(1)} s`
    : `machine still ${busy} after ${(quiet.waitedMs / 1000).toFixed(1)} s`;
}

function describe(result: WorkloadResult): string {
  if (result.status !== 'ok') return `${result.status}: ${result.error ?? result.note ?? ''}`;
  const cpu = `generator CPU ${Math.round(result.generatorCpu * 100)}%`;
  const extra = result.extra?.unavailableMs === undefined ? '' : `, unavailable ${result.extra.unavailableMs} ms`;
  return `${result.opsPerSec} ops/s, p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms, ${result.errors} errors, ${cpu}${extra}`;
}

export type { BenchRun };
