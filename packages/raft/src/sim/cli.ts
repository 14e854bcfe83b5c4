/**
 * `npm run sim -- --seeds N [--nodes 3|5] [--steps K] [--seed S] [--first S] [--long]`
 *
 * Runs seeded simulations, prints every failing seed with its violation and the command that
 * replays it, and ends with `sim: <seeds> seeds, <steps> steps, <violations> violations`.
 * Exits non-zero when any invariant broke.
 */
import { runSeedRange } from './run-seeds';

interface CliArgs {
  seeds: number;
  first: number;
  seed: number | null;
  nodes: number[];
  steps: number;
  leaseReads: boolean;
  tornWrites: boolean;
  forwarding: boolean;
  pipelined: boolean;
  applyBeforeDurable: boolean;
  peerGone: boolean;
  snapshotReadFaults: boolean;
  trace: boolean;
  verbose: boolean;
}

const USAGE =
  'usage: sim [--seeds N] [--first S] [--seed S] [--nodes 3|5] [--steps K] [--long] [--lease-reads] [--no-torn-writes] [--no-forwarding] [--pipelined] [--apply-before-durable] [--peer-gone] [--snapshot-read-faults] [--trace] [--verbose]';

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    seeds: 100,
    first: 1,
    seed: null,
    nodes: [3, 5],
    steps: 3000,
    leaseReads: false,
    tornWrites: true,
    forwarding: true,
    pipelined: false,
    applyBeforeDurable: false,
    peerGone: false,
    snapshotReadFaults: false,
    trace: false,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): number => {
      const raw = argv[++i];
      const n = Number(raw);
      if (raw === undefined || !Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a whole number`);
      return n;
    };
    switch (flag) {
      case '--seeds':
        args.seeds = value();
        break;
      case '--first':
        args.first = value();
        break;
      case '--seed':
        args.seed = value();
        break;
      case '--nodes':
        args.nodes = [value()];
        break;
      case '--steps':
        args.steps = value();
        break;
      case '--long':
        args.seeds = 2000;
        args.steps = 10000;
        break;
      case '--lease-reads':
        args.leaseReads = true;
        break;
      case '--no-torn-writes':
        args.tornWrites = false;
        break;
      case '--no-forwarding':
        args.forwarding = false;
        break;
      case '--pipelined':
        args.pipelined = true;
        break;
      case '--apply-before-durable':
        args.applyBeforeDurable = true;
        break;
      case '--peer-gone':
        args.peerGone = true;
        break;
      case '--snapshot-read-faults':
        args.snapshotReadFaults = true;
        break;
      case '--trace':
        args.trace = true;
        break;
      case '--verbose':
        args.verbose = true;
        break;
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  return args;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const seeds = args.seed === null ? Array.from({ length: args.seeds }, (_, i) => args.first + i) : [args.seed];
  const summary = runSeedRange(
    {
      seeds,
      nodes: args.nodes,
      steps: args.steps,
      leaseReads: args.leaseReads,
      tornWrites: args.tornWrites,
      forwarding: args.forwarding,
      pipelined: args.pipelined,
      applyBeforeDurable: args.applyBeforeDurable,
      peerGone: args.peerGone,
      snapshotReadFaults: args.snapshotReadFaults,
      trace: args.trace,
      verbose: args.verbose,
    },
    (line) => console.log(line),
  );
  return summary.violations > 0 ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
}
