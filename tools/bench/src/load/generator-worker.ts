/**
 * A second (third, ...) load generator process: runs one closed-loop workload against a running
 * cluster, when the harness says go, and sends back its histogram and counts. Started by the
 * harness with `fork`; talks over the IPC channel only.
 */
import { driverFor } from '../targets';
import type { Session } from '../targets/session';
import { allWorkloads } from '../workloads';
import { runClosedLoop } from './closed-loop';
import type { GeneratorGo, GeneratorJob, GeneratorReport } from './generator-protocol';

function send(report: GeneratorReport): void {
  process.send?.(report);
}

async function run(job: GeneratorJob): Promise<void> {
  const workload = allWorkloads.find((candidate) => candidate.name === job.workload);
  if (workload === undefined || workload.kind !== 'closedLoop')
    throw new Error(`no closed-loop workload ${job.workload}`);
  const driver = driverFor(job.target, job.addresses);
  const sessions: Session[] = [];
  try {
    for (let i = 0; i < job.clients; i++) sessions.push(await driver.connect());
    const go = new Promise<void>((resolve) => {
      process.on('message', (message: GeneratorGo) => {
        if (message.type === 'go') resolve();
      });
    });
    send({ type: 'ready' });
    await go;
    const operation = workload.operation({
      sessionFor: (worker) => sessions[worker % sessions.length] as Session,
      root: job.root,
      generator: job.generator,
      driver,
    });
    const outcome = await runClosedLoop({
      inflight: job.inflight,
      durationMs: job.durationMs,
      warmupMs: job.warmupMs,
      operation,
    });
    send({
      type: 'done',
      histogram: outcome.histogram.toSnapshot(),
      operations: outcome.operations,
      errors: outcome.errors,
      elapsedMs: outcome.elapsedMs,
      generatorCpu: outcome.generatorCpu,
      generatorLoopBusy: outcome.generatorLoopBusy ?? 0,
      ...(outcome.firstError === undefined ? {} : { firstError: outcome.firstError }),
    });
  } finally {
    await Promise.all(sessions.map((session) => session.close().catch(() => {})));
  }
}

process.once('message', (job: GeneratorJob) => {
  run(job).then(
    () => process.exit(0),
    (error: unknown) => {
      send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
});
