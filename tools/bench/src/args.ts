/**
 * Command-line flags of `keel-bench`, parsed with `node:util`'s `parseArgs`.
 */
import { parseArgs } from 'node:util';
import { quietBusyShareMax, quietWindowMs } from './load/quiet-machine';
import { type TargetName, targetNames } from './results';

/** What a run does. */
export interface BenchOptions {
  readonly targets: readonly TargetName[];
  /** Workload names; undefined = every standard workload. */
  readonly workloads: readonly string[] | undefined;
  readonly quick: boolean;
  /** Measured seconds per workload. */
  readonly durationSec: number;
  /** Unmeasured seconds of load before each throughput workload's measured window. */
  readonly warmupSec: number;
  /** Longest wait for a quiet machine before each measurement (0: none). */
  readonly quietWaitSec: number;
  readonly inflight: number;
  readonly clients: number;
  readonly generators: number;
  readonly scale: boolean;
  readonly install: boolean;
  readonly outDir: string;
  readonly baseDir: string | undefined;
  readonly keepData: boolean;
  /** One cluster at a time instead of all at once with the workloads interleaved. */
  readonly sequential: boolean;
  /** Write a CPU profile of each Keel member here. */
  readonly keelCpuProfileDir: string | undefined;
}

/** What the command line asked for. */
export type BenchRequest = { readonly kind: 'run'; readonly options: BenchOptions } | { readonly kind: 'help' };

/** Defaults of a full run; `--quick` shortens the duration and the warm-up. */
export const benchDefaults = Object.freeze({
  durationSec: 15,
  quickDurationSec: 3,
  warmupSec: 3,
  quickWarmupSec: 1,
  warmupSecMax: 600,
  quietWaitSec: 10,
  quickQuietWaitSec: 2,
  quietWaitSecMax: 600,
  inflight: 64,
  clients: 8,
  generators: 1,
  generatorsMax: 4,
  outDir: 'bench-results',
});

/** Usage text. */
export function usage(workloads: readonly string[]): string {
  return `Usage: npm run bench -- [options]

  --targets <list>     systems to run, comma-separated (default ${targetNames.join(',')})
  --workloads <list>   workloads, comma-separated (default: all but the --scale ones)
                       ${workloads.join(', ')}
  --quick              ${benchDefaults.quickWarmupSec} s warm-up + ${benchDefaults.quickDurationSec} s measured per workload (all three targets in under 5 minutes)
  --duration <s>       measured seconds per workload (default ${benchDefaults.durationSec}, ${benchDefaults.quickDurationSec} with --quick)
  --warmup <s>         unmeasured seconds of the same load before each throughput workload, so no
                       JIT is measured cold; not for failover and scale (default ${benchDefaults.warmupSec},
                       ${benchDefaults.quickWarmupSec} with --quick, at most ${benchDefaults.warmupSecMax}, 0 for none)
  --quiet-wait <s>     before each measurement, wait up to this long for the whole machine to be
                       quiet (at most ${Math.round(quietBusyShareMax * 100)}% busy over ${quietWindowMs} ms), so that one system's leftover
                       work does not land in the next one's window (default ${benchDefaults.quietWaitSec}, ${benchDefaults.quickQuietWaitSec} with
                       --quick, 0 for none)
  --inflight <n>       operations in flight per generator (default ${benchDefaults.inflight})
  --clients <n>        sessions the operations are spread over (default ${benchDefaults.clients})
  --generators <n>     load generator processes for closed-loop workloads (default 1, at most ${benchDefaults.generatorsMax})
  --scale              add the scale workloads (slow)
  --install            apt-get install ZooKeeper/etcd when missing (needs root)
  --out <dir>          where results go (default ${benchDefaults.outDir})
  --base-dir <dir>     parent of the clusters' data directories (default the OS temp dir)
  --keep-data          keep the clusters' data directories and logs
  --sequential         one cluster at a time (default: all three up, each workload on each in turn)
  --keel-cpu-prof <dir> write a V8 CPU profile of each Keel member into <dir> (node --cpu-prof)
  -h, --help           this text
`;
}

/** `value` as an integer from 1 to `max`, `fallback` when absent; throws a message naming `flag` otherwise. */
export function positiveInteger(value: string | undefined, fallback: number, flag: string, max = 1_000_000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new Error(`${flag} must be an integer from 1 to ${max}, got ${value}`);
  }
  return Number(value);
}

/** `value` as an integer from 0 to `max`, `fallback` when absent; throws a message naming `flag` otherwise. */
export function nonNegativeInteger(value: string | undefined, fallback: number, flag: string, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new Error(`${flag} must be an integer from 0 to ${max}, got ${value}`);
  }
  return Number(value);
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error('an empty list was given');
  return [...new Set(items)];
}

/** Parses `argv` (without node and script); throws an Error with a readable message on bad flags. */
export function parseBenchArgs(argv: readonly string[], knownWorkloads: readonly string[]): BenchRequest {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      targets: { type: 'string' },
      workloads: { type: 'string' },
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'quiet-wait': { type: 'string' },
      inflight: { type: 'string' },
      clients: { type: 'string' },
      generators: { type: 'string' },
      scale: { type: 'boolean' },
      install: { type: 'boolean' },
      out: { type: 'string' },
      'base-dir': { type: 'string' },
      'keep-data': { type: 'boolean' },
      sequential: { type: 'boolean' },
      'keel-cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return { kind: 'help' };
  const targets = list(values.targets) ?? [...targetNames];
  for (const target of targets) {
    if (!(targetNames as readonly string[]).includes(target)) {
      throw new Error(`unknown target ${target}; known: ${targetNames.join(', ')}`);
    }
  }
  const workloads = list(values.workloads);
  for (const workload of workloads ?? []) {
    if (!knownWorkloads.includes(workload)) {
      throw new Error(`unknown workload ${workload}; known: ${knownWorkloads.join(', ')}`);
    }
  }
  const quick = values.quick === true;
  return {
    kind: 'run',
    options: {
      targets: targetNames.filter((name) => targets.includes(name)),
      workloads,
      quick,
      durationSec: positiveInteger(
        values.duration,
        quick ? benchDefaults.quickDurationSec : benchDefaults.durationSec,
        '--duration',
        3600,
      ),
      warmupSec: nonNegativeInteger(
        values.warmup,
        quick ? benchDefaults.quickWarmupSec : benchDefaults.warmupSec,
        '--warmup',
        benchDefaults.warmupSecMax,
      ),
      quietWaitSec: nonNegativeInteger(
        values['quiet-wait'],
        quick ? benchDefaults.quickQuietWaitSec : benchDefaults.quietWaitSec,
        '--quiet-wait',
        benchDefaults.quietWaitSecMax,
      ),
      inflight: positiveInteger(values.inflight, benchDefaults.inflight, '--inflight', 10_000),
      clients: positiveInteger(values.clients, benchDefaults.clients, '--clients', 1000),
      generators: positiveInteger(
        values.generators,
        benchDefaults.generators,
        '--generators',
        benchDefaults.generatorsMax,
      ),
      scale: values.scale === true,
      install: values.install === true,
      outDir: values.out ?? benchDefaults.outDir,
      baseDir: values['base-dir'],
      keepData: values['keep-data'] === true,
      sequential: values.sequential === true,
      keelCpuProfileDir: values['keel-cpu-prof'],
    },
  };
}
