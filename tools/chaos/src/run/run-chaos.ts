/**
 * One chaos run: a fresh cluster, a workload of concurrent clients for the duration, faults
 * from the seeded schedule at the same time, then heal, wait for a leader, check, write the
 * history, and tear everything down whatever happened.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '@keel/raft';
import { ChaosCluster } from '../cluster/cluster';
import { type FaultEvent, runFaults, sleep } from '../faults/injector';
import { describeFault, type FaultKind, planFaults } from '../faults/schedule';
import { formatHistory } from '../history';
import { createWorkload } from '../workloads/create';
import type { WorkloadContext, WorkloadName, WorkloadResult } from '../workloads/workload';

/** What to run. */
export interface ChaosOptions {
  readonly workload: WorkloadName;
  readonly nodes: number;
  readonly durationMs: number;
  readonly faults: readonly FaultKind[];
  readonly seed: number;
  /** Concurrent clients (default 8). */
  readonly clients?: number;
  /** Where the history, fault log and (when kept) cluster files go; default a fresh temp directory. */
  readonly outDir?: string;
  /** Keep the members' data and logs even when the run passes (they are always kept on failure). */
  readonly keepFiles?: boolean;
  /** The members' snapshot interval in entries (default: the server's, 100,000; small values exercise snapshots and installs). */
  readonly snapshotEveryEntries?: number;
  /** Longest wait for the healed cluster to elect a leader (default 30 s). */
  readonly recoveryTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** The outcome of a run. */
export interface ChaosReport {
  readonly result: WorkloadResult;
  readonly events: readonly FaultEvent[];
  /** The JSON-lines history (the checker's format). */
  readonly historyFile: string;
  readonly runDir: string;
  /** The final line: `chaos: <ops> ops, <acked> acked, <lost> lost, <anomalies> anomalies, linearizable <yes|no>`. */
  readonly summary: string;
  /** True when nothing was lost, no anomaly was found and the history is proven linearizable. */
  readonly ok: boolean;
  /** The command that replays this run. */
  readonly replay: string;
}

/** Default number of concurrent clients. */
export const clientsDefault = 8;

/** The CLI command that replays `options`. */
export function replayCommand(options: ChaosOptions): string {
  const faults = options.faults.length === 0 ? 'none' : options.faults.join(',');
  const snapshots =
    options.snapshotEveryEntries === undefined ? '' : ` --snapshot-every ${options.snapshotEveryEntries}`;
  return `npm run chaos -- --duration ${options.durationMs / 1000} --nodes ${options.nodes} --faults ${faults} --workload ${options.workload} --seed ${options.seed} --clients ${options.clients ?? clientsDefault}${snapshots}`;
}

/** The summary line of a result. */
export function summaryLine(result: WorkloadResult): string {
  const linearizable = result.linearizable === 'yes' ? 'yes' : 'no';
  return `chaos: ${result.ops} ops, ${result.acked} acked, ${result.lost} lost, ${result.anomalies.length} anomalies, linearizable ${linearizable}`;
}

/** Runs one chaos experiment; never leaves a member process behind. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const runDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'keel-chaos-run-')));
  await mkdir(runDir, { recursive: true });
  const clusterDir = join(runDir, 'cluster');
  const schedule = planFaults({
    seed: options.seed,
    durationMs: options.durationMs,
    nodes: options.nodes,
    kinds: options.faults,
  });
  log(
    `chaos: seed ${options.seed}, ${options.nodes} members, workload ${options.workload}, ${schedule.length} faults planned`,
  );
  for (const step of schedule)
    log(
      `chaos:   at ${(step.atMs / 1000).toFixed(1)}s for ${(step.durationMs / 1000).toFixed(1)}s: ${describeFault(step.fault)}`,
    );
  const workload = createWorkload(options.workload);
  const startedAt = performance.now();
  const context: WorkloadContext = {
    servers: [],
    clients: options.clients ?? clientsDefault,
    random: mulberry32((options.seed ^ 0x6b65656c) >>> 0),
    now: () => Math.round((performance.now() - startedAt) * 1000) / 1000,
    runDir,
    log,
  };
  let cluster: ChaosCluster | null = null;
  let passed = false;
  try {
    cluster = await ChaosCluster.start({
      nodes: options.nodes,
      baseDir: clusterDir,
      log,
      ...(options.snapshotEveryEntries === undefined ? {} : { snapshotEveryEntries: options.snapshotEveryEntries }),
    });
    const running: WorkloadContext = { ...context, servers: cluster.clientUrls };
    await workload.setup(running);
    const stop = new AbortController();
    const workloadStartedAtMs = Date.now();
    const timer = setTimeout(() => stop.abort(), options.durationMs);
    let events: FaultEvent[] = [];
    try {
      [events] = await Promise.all([
        runFaults(cluster, schedule, { startedAtMs: workloadStartedAtMs, signal: stop.signal, log }),
        workload.run(running, stop.signal),
      ]);
    } finally {
      clearTimeout(timer);
      stop.abort();
    }
    await cluster.healAll();
    const leader = await cluster.waitForLeader(options.recoveryTimeoutMs ?? 30_000);
    log(`chaos: healed; ${leader} leads; checking`);
    // Give followers a moment to catch up so the check reads from a settled cluster.
    await sleep(500);
    const result = await workload.check(running);
    const historyFile = join(runDir, 'history.jsonl');
    await writeFile(historyFile, formatHistory(result.history));
    await writeFile(
      join(runDir, 'faults.jsonl'),
      events.map((e) => JSON.stringify(e)).join('\n') + (events.length > 0 ? '\n' : ''),
    );
    for (const line of result.details) log(line);
    const ok = result.anomalies.length === 0 && result.lost === 0 && result.linearizable === 'yes';
    passed = ok;
    return {
      result,
      events,
      historyFile,
      runDir,
      summary: summaryLine(result),
      ok,
      replay: replayCommand(options),
    };
  } finally {
    await cluster?.destroy();
    if (passed && options.keepFiles !== true) await rm(clusterDir, { recursive: true, force: true });
  }
}
