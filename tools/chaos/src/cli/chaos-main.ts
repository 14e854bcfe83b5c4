import { parseArgs } from 'node:util';
import { onInterrupt } from '../cluster/teardown';
import { parseFaultKinds } from '../faults/schedule';
import { type ChaosOptions, runChaos } from '../run/run-chaos';
import { type WorkloadName, workloadNames } from '../workloads/workload';
import type { CliOutput } from './main';

/** Exit codes of `chaos`. */
export const EXIT_CLEAN = 0;
export const EXIT_ANOMALY = 1;
export const EXIT_USAGE = 2;

/** Usage text. */
export const chaosUsage = `Usage: npm run chaos -- [options]

  --duration <s>       workload length in seconds (default 60)
  --nodes <n>          members: 3 or 5 (default 3)
  --faults <list>      comma list of kill,pause,partition,restart,delay, or none
                       (default kill,pause,partition,restart)
  --workload <name>    ${workloadNames.join(' | ')} (default register)
  --seed <n>           seed of the fault schedule and the workload (default: random, printed)
  --clients <n>        concurrent clients (default 8)
  --snapshot-every <n> members snapshot every n entries (default: the server's 100,000);
                       small values put snapshots, compaction and installs under the faults
  --out <dir>          where to write history.jsonl, faults.jsonl and, on failure, the members' files
  --keep               keep the members' data and logs even when the run passes
  -h, --help           this text

The last line is: chaos: <ops> ops, <acked> acked, <lost> lost, <anomalies> anomalies, linearizable <yes|no>
Exit codes: 0 no anomaly, 1 anomaly (or not proven linearizable), 2 bad usage or the run could not complete.
`;

function positiveInteger(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${flag} needs a positive integer, got ${text}`);
  return value;
}

/** Parses the command line; throws a RangeError with a readable message. */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      duration: { type: 'string' },
      nodes: { type: 'string' },
      faults: { type: 'string' },
      workload: { type: 'string' },
      seed: { type: 'string' },
      clients: { type: 'string' },
      'snapshot-every': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return 'help';
  const durationS = Number(values.duration ?? '60');
  if (!Number.isFinite(durationS) || durationS <= 0)
    throw new RangeError(`--duration needs seconds, got ${values.duration}`);
  const workload = values.workload ?? 'register';
  if (!(workloadNames as readonly string[]).includes(workload)) {
    throw new RangeError(`--workload must be one of ${workloadNames.join(', ')}, got ${workload}`);
  }
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new RangeError(`--seed needs a non-negative integer, got ${values.seed}`);
  return {
    workload: workload as WorkloadName,
    nodes: positiveInteger(values.nodes, 3, '--nodes'),
    durationMs: Math.round(durationS * 1000),
    faults: parseFaultKinds(values.faults ?? 'kill,pause,partition,restart'),
    seed,
    clients: positiveInteger(values.clients, 8, '--clients'),
    ...(values['snapshot-every'] === undefined
      ? {}
      : { snapshotEveryEntries: positiveInteger(values['snapshot-every'], 0, '--snapshot-every') }),
    ...(values.out === undefined ? {} : { outDir: values.out }),
    ...(values.keep === true ? { keepFiles: true } : {}),
  };
}

/** Runs `chaos` on `argv`; returns the exit code. */
export async function chaosMain(argv: readonly string[], output: CliOutput): Promise<number> {
  let options: ChaosOptions | 'help';
  try {
    options = parseChaosArgs(argv);
  } catch (error) {
    output.err(`chaos: ${(error as Error).message}\n\n${chaosUsage}`);
    return EXIT_USAGE;
  }
  if (options === 'help') {
    output.out(chaosUsage);
    return EXIT_CLEAN;
  }
  // On Ctrl-C the handler kills every member process (SIGKILL, paused ones too) before exiting.
  const removeHandlers = onInterrupt(async () => {});
  try {
    const report = await runChaos({ ...options, log: output.out });
    for (const anomaly of report.result.anomalies) output.out(`ANOMALY: ${anomaly}`);
    output.out(`history: ${report.historyFile}`);
    if (!report.ok) {
      output.out(`members' data and logs kept in ${report.runDir}/cluster`);
      output.out(`replay: ${report.replay}`);
    }
    output.out(report.summary);
    return report.ok ? EXIT_CLEAN : EXIT_ANOMALY;
  } catch (error) {
    output.err(`chaos: the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    output.err(`replay: npm run chaos -- ${argv.join(' ')}${argv.includes('--seed') ? '' : ` --seed ${options.seed}`}`);
    return EXIT_USAGE;
  } finally {
    removeHandlers();
  }
}
