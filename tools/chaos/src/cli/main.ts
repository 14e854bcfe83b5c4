import { readFile } from 'node:fs/promises';
import { HistoryParseError, type Operation, parseHistory } from '../history';
import { type CheckOptions, checkHistory, type KeyResult } from '../linearizability';

/** Exit codes of `chaos:check`. */
export const EXIT_LINEARIZABLE = 0;
export const EXIT_NOT_LINEARIZABLE = 1;
export const EXIT_BAD_INPUT = 2;
/** The step budget ran out on some key: neither verdict is proven. */
export const EXIT_UNKNOWN = 3;

/** Where the CLI writes; tests capture it instead of the process streams. */
export interface CliOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function describe(op: Operation): string {
  const what =
    op.type === 'cas'
      ? `cas(${JSON.stringify(op.expected)} -> ${JSON.stringify(op.value)})`
      : `${op.type}(${JSON.stringify(op.value)})`;
  const end = op.completeMs === null ? '?' : String(op.completeMs);
  return `${what} by ${op.process} [${op.invokeMs}, ${end}] ${op.outcome}`;
}

function report(result: KeyResult, output: CliOutput): void {
  if (result.verdict === 'unknown') {
    output.out(`key ${result.key}: unknown (step budget of ${result.steps - 1} exhausted)`);
    return;
  }
  const explanation = result.explanation;
  if (!explanation) return;
  output.out(`key ${result.key}: NOT linearizable`);
  output.out(`  longest linearizable prefix (${explanation.prefix.length} ops):`);
  for (const op of explanation.prefix) output.out(`    ${describe(op)}`);
  output.out(`  value after prefix: ${JSON.stringify(explanation.state)}`);
  output.out(`  cannot place: ${describe(explanation.blocked)}`);
}

/** Runs the checker on `argv` (`[FILE, --steps-max N]`); returns the exit code. */
export async function main(argv: readonly string[], output: CliOutput = processOutput): Promise<number> {
  const files: string[] = [];
  const options: CheckOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--steps-max') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) {
        output.err('chaos-check: --steps-max needs a positive integer');
        return EXIT_BAD_INPUT;
      }
      options.stepsMax = n;
    } else files.push(arg);
  }
  if (files.length !== 1) {
    output.err('usage: chaos-check [--steps-max N] HISTORY.jsonl');
    return EXIT_BAD_INPUT;
  }
  let operations: Operation[];
  try {
    operations = parseHistory(await readFile(files[0]!, 'utf8'));
  } catch (error) {
    if (error instanceof HistoryParseError || (error as NodeJS.ErrnoException).code !== undefined) {
      output.err(`chaos-check: ${(error as Error).message}`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
  const result = checkHistory(operations, options);
  for (const key of result.keys) report(key, output);
  const verdict = { linearizable: 'yes', 'not-linearizable': 'no', unknown: 'unknown' }[result.verdict];
  output.out(`chaos-check: ${operations.length} ops, ${result.keys.length} keys, linearizable ${verdict}`);
  if (result.verdict === 'linearizable') return EXIT_LINEARIZABLE;
  return result.verdict === 'not-linearizable' ? EXIT_NOT_LINEARIZABLE : EXIT_UNKNOWN;
}
