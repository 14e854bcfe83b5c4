#!/usr/bin/env node
/**
 * `keel-bench` (`npm run bench -- ...`): starts each system's three-member cluster on loopback,
 * runs the workloads against it, stops it, and writes the raw JSON, a Markdown table (also
 * printed) and an HTML report with charts into `bench-results/`.
 */
import { EventEmitter } from 'node:events';
import { parseBenchArgs, usage } from './args';
import { installCommand, installPeers, missingFor } from './clusters/binaries';
import { stopAll, stopAllOnSignals } from './clusters/processes';
import { machineInfo } from './machine';
import { markdownReport } from './report/markdown';
import { writeReports } from './report/write';
import type { BenchRun, RunInfo } from './results';
import { runBench } from './run';
import { allWorkloads, selectWorkloads, workloadNames } from './workloads';

async function main(): Promise<number> {
  // The fan-out workload registers hundreds of watchers per session on purpose; the clients'
  // emitters would warn about a leak at 11.
  EventEmitter.defaultMaxListeners = 5000;
  stopAllOnSignals();
  let request: ReturnType<typeof parseBenchArgs>;
  try {
    request = parseBenchArgs(process.argv.slice(2), workloadNames);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage(workloadNames)}`);
    return 2;
  }
  if (request.kind === 'help') {
    process.stdout.write(usage(workloadNames));
    return 0;
  }
  const { options } = request;
  const missing = options.targets.flatMap((target) => missingFor(target).map((what) => `${target}: ${what}`));
  if (missing.length > 0) {
    if (!options.install) {
      process.stderr.write(
        `missing: ${missing.join(', ')}\ninstall with (as root):\n  ${installCommand(options.targets)}\nor run again with --install\n`,
      );
      return 2;
    }
    installPeers(options.targets);
  }
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const { results, versions } = await runBench(options, log);
  const workloads = selectWorkloads(options.workloads, options.scale).map((workload) => workload.name);
  const info: RunInfo = {
    startedAt,
    finishedAt: new Date().toISOString(),
    quick: options.quick,
    durationSec: options.durationSec,
    warmupSec: options.warmupSec,
    inflight: options.inflight,
    clients: options.clients,
    generators: options.generators,
    order: options.sequential ? 'sequential' : 'interleaved',
    targets: options.targets,
    workloads,
    machine,
    versions,
  };
  const run: BenchRun = { info, results };
  const measures = Object.fromEntries(allWorkloads.map((workload) => [workload.name, workload.measures]));
  const written = writeReports(options.outDir, run, measures);
  process.stdout.write(`${markdownReport(run)}\n`);
  process.stdout.write(`raw: ${written.json}\nmarkdown: ${written.markdown}\nhtml: ${written.html}\n`);
  return 0;
}

main().then(
  async (code) => {
    await stopAll();
    // Client libraries keep timers and sockets; the run is over.
    process.exit(code);
  },
  async (error: unknown) => {
    process.stderr.write(
      `keel-bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await stopAll();
    process.exit(1);
  },
);
