#!/usr/bin/env node
/**
 * `keel-bench-floor` (`npm run bench:floor -- [--duration s] [--warmup s] [--with-keel]`): runs the
 * floor (see `floor-run.ts`) and prints its figures as Markdown; with `--with-keel`, also Keel's
 * counterparts of both phases and its share of the floor.
 */
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { nonNegativeInteger, positiveInteger } from '../args';
import { startKeel } from '../clusters/keel';
import { stopAllOnSignals } from '../clusters/processes';
import { runWorkload } from '../run';
import { selectWorkloads } from '../workloads';
import { type FloorPhase, runFloor } from './floor-run';
import { floorShares, type KeelAgainstFloor } from './floor-share';

const usage = `usage: keel-bench-floor [--duration <s>] [--warmup <s>] [--quiet-wait <s>] [--base-dir <dir>] [--with-keel]
  --with-keel       also run a three-member Keel cluster (create one at a time, lock-2) and print Keel's share of the floor
  --duration <s>    measured seconds of each phase (default 10)
  --warmup <s>      unmeasured seconds before each phase (default 2)
  --quiet-wait <s>  longest wait for a quiet machine before each phase (default 10, 0 for none)
  --base-dir <dir>  where the members' files go (default: the system's temporary directory)
`;

function row(name: string, phase: FloorPhase): string {
  const cpu = phase.cpuMicrosPerOp;
  return `| ${name} | ${phase.opsPerSec.toLocaleString('en-US')} | ${phase.latency.p50Ms} | ${phase.latency.p99Ms} | ${cpu.leader} | ${cpu.followers.join(' / ')} | ${cpu.client} | ${cpu.total} |`;
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        duration: { type: 'string' },
        warmup: { type: 'string' },
        'quiet-wait': { type: 'string' },
        'base-dir': { type: 'string' },
        'with-keel': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  let durationSec: number;
  let warmupSec: number;
  let quietWaitSec: number;
  try {
    // Whole seconds, as `npm run bench` takes them.
    durationSec = positiveInteger(values.duration as string | undefined, 10, '--duration', 600);
    warmupSec = nonNegativeInteger(values.warmup as string | undefined, 2, '--warmup', 600);
    quietWaitSec = nonNegativeInteger(values['quiet-wait'] as string | undefined, 10, '--quiet-wait', 600);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  stopAllOnSignals();
  const baseDir = values['base-dir'] as string | undefined;
  const result = await runFloor({
    durationMs: durationSec * 1000,
    warmupMs: warmupSec * 1000,
    quietWaitMs: quietWaitSec * 1000,
    ...(baseDir === undefined ? {} : { baseDir }),
  });
  process.stdout.write(
    [
      `Floor: a leader and two followers (floor-member) on loopback, O_DSYNC writes, committed on 2 of 3 copies; ${warmupSec} s warm-up + ${durationSec} s per phase.`,
      '',
      '| phase | ops/s | p50 ms | p99 ms | CPU µs/op leader | followers | client | total |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      row('one write at a time', result.sequential),
      row('lock hand-over (2 clients, 2 writes each)', result.handOver),
      '',
    ].join('\n'),
  );
  if (values['with-keel'] === true) {
    const keel = await measureKeel(durationSec * 1000, warmupSec * 1000, baseDir);
    const shares = floorShares(result, keel);
    process.stdout.write(
      [
        '',
        'Keel, three members on loopback, the same durations: `create` with one request in flight on one session, and `lock-2`.',
        '',
        '| phase | floor ops/s | Keel workload | Keel ops/s | Keel / floor |',
        '|---|---:|---|---:|---:|',
        ...shares.map(
          (share) =>
            `| ${share.phase} | ${share.floorOpsPerSec.toLocaleString('en-US')} | ${share.keelWorkload} | ${share.keelOpsPerSec.toLocaleString('en-US')} | ${(share.share * 100).toFixed(0)}% |`,
        ),
        '',
      ].join('\n'),
    );
    if (shares.length < 2) {
      process.stderr.write(`Keel was not measured in every phase: ${JSON.stringify(keel)}\n`);
      return 1;
    }
  }
  return 0;
}

/** Runs Keel's counterparts of the two phases on a fresh three-member cluster. */
async function measureKeel(
  durationMs: number,
  warmupMs: number,
  baseDir: string | undefined,
): Promise<KeelAgainstFloor> {
  // The cluster makes its own directory under the base and removes it when stopped.
  const cluster = await startKeel({ baseDir: baseDir ?? tmpdir(), members: 3 });
  try {
    const load = { durationMs, warmupMs, inflight: 1, clients: 1, quick: false };
    const [create, lock] = selectWorkloads(['create', 'lock-2'], false);
    if (create === undefined || lock === undefined) throw new Error('the create and lock-2 workloads are missing');
    return {
      oneAtATime: await runWorkload(create, cluster, load, 1),
      handOver: await runWorkload(lock, cluster, load, 1),
    };
  } finally {
    await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
