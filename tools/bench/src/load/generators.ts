/**
 * Runs a closed-loop workload from this process plus `generators - 1` forked generator
 * processes at once, and merges what they measured. With one generator, no process is forked.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TargetName } from '../results';
import type { Session, TargetDriver } from '../targets/session';
import type { ClosedLoopWorkload } from '../workloads/workload';
import { type ClosedLoopOutcome, runClosedLoop } from './closed-loop';
import type { GeneratorJob, GeneratorReport } from './generator-protocol';

/** Where the built generator entry point is (beside the built CLI). */
function workerPath(): string {
  return fileURLToPath(new URL('./generator-worker.js', import.meta.url));
}

/** Options of {@link runGenerators}. */
export interface GeneratorsOptions {
  readonly workload: ClosedLoopWorkload;
  readonly target: TargetName;
  readonly addresses: readonly string[];
  readonly driver: TargetDriver;
  readonly sessions: readonly Session[];
  readonly root: string;
  readonly inflight: number;
  readonly clients: number;
  readonly durationMs: number;
  /** Unmeasured load first, in every generator (see {@link runClosedLoop}). */
  readonly warmupMs: number;
  readonly generators: number;
}

/** Runs the workload from every generator; `generatorCpu` of the result is the busiest generator's. */
export async function runGenerators(options: GeneratorsOptions): Promise<ClosedLoopOutcome> {
  const operation = options.workload.operation({
    sessionFor: (worker) => options.sessions[worker % options.sessions.length] as Session,
    root: options.root,
    generator: 0,
    driver: options.driver,
  });
  const loopOptions = { inflight: options.inflight, durationMs: options.durationMs, warmupMs: options.warmupMs };
  if (options.generators <= 1) {
    return runClosedLoop({ ...loopOptions, operation });
  }
  const children = Array.from({ length: options.generators - 1 }, (_, i) => {
    const child = fork(workerPath(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const reports: GeneratorReport[] = [];
    const waiters: (() => void)[] = [];
    child.on('message', (report: GeneratorReport) => {
      reports.push(report);
      for (const wake of waiters.splice(0)) wake();
    });
    const next = async (): Promise<GeneratorReport> => {
      for (;;) {
        const report = reports.shift();
        if (report !== undefined) return report;
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          child.once('exit', () => resolve());
        });
        if (child.exitCode !== null && reports.length === 0) throw new Error(`generator ${i + 1} exited early`);
      }
    };
    const job: GeneratorJob = {
      type: 'job',
      target: options.target,
      addresses: options.addresses,
      workload: options.workload.name,
      root: options.root,
      inflight: options.inflight,
      clients: options.clients,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      generator: i + 1,
    };
    child.send(job);
    return { child, next };
  });
  try {
    for (const { next } of children) {
      const report = await next();
      if (report.type !== 'ready')
        throw new Error(`generator: ${report.type === 'failed' ? report.error : report.type}`);
    }
    for (const { child } of children) child.send({ type: 'go' });
    const own = await runClosedLoop({ ...loopOptions, operation });
    let { operations, errors, elapsedMs, generatorCpu } = own;
    let generatorLoopBusy = own.generatorLoopBusy ?? 0;
    let firstError = own.firstError;
    for (const { next } of children) {
      const report = await next();
      if (report.type !== 'done')
        throw new Error(`generator: ${report.type === 'failed' ? report.error : report.type}`);
      own.histogram.merge(report.histogram);
      operations += report.operations;
      errors += report.errors;
      elapsedMs = Math.max(elapsedMs, report.elapsedMs);
      generatorCpu = Math.max(generatorCpu, report.generatorCpu);
      generatorLoopBusy = Math.max(generatorLoopBusy, report.generatorLoopBusy);
      firstError ??= report.firstError;
    }
    return {
      histogram: own.histogram,
      operations,
      errors,
      elapsedMs,
      generatorCpu,
      generatorLoopBusy,
      ...(firstError === undefined ? {} : { firstError }),
    };
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
