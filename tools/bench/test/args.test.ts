// Goal: `keel-bench` flags parse into the options the run uses, with the documented defaults, and
// bad flags fail with a readable message instead of running something else.
// Method: parse fixed argument lists with parseBenchArgs and compare the options.
import { describe, expect, it } from 'vitest';
import { benchDefaults, parseBenchArgs, usage } from '../src/args';
import { workloadNames } from '../src/workloads';

function options(argv: string[]) {
  const request = parseBenchArgs(argv, workloadNames);
  if (request.kind !== 'run') throw new Error('expected a run');
  return request.options;
}

describe('args - parsing', () => {
  it('defaults to every target and every standard workload for a full run', () => {
    const parsed = options([]);
    expect(parsed.targets).toEqual(['keel', 'zookeeper', 'etcd']);
    expect(parsed.workloads).toBeUndefined();
    expect(parsed.quick).toBe(false);
    expect(parsed.durationSec).toBe(benchDefaults.durationSec);
    expect(parsed.warmupSec).toBe(benchDefaults.warmupSec);
    expect(parsed.warmupSec).toBe(3);
    expect(parsed.inflight).toBe(benchDefaults.inflight);
    expect(parsed.generators).toBe(1);
    expect(parsed.outDir).toBe('bench-results');
    expect(parsed.sequential).toBe(false);
  });

  it('reads the issue example: targets, quick, workloads and duration', () => {
    const parsed = options(['--targets', 'etcd,keel', '--quick', '--workloads', 'create,mixed', '--duration', '7']);
    // Report order (Keel first), whatever order was typed.
    expect(parsed.targets).toEqual(['keel', 'etcd']);
    expect(parsed.workloads).toEqual(['create', 'mixed']);
    expect(parsed.quick).toBe(true);
    expect(parsed.durationSec).toBe(7);
  });

  it('shortens the duration with --quick when none is given', () => {
    expect(options(['--quick']).durationSec).toBe(benchDefaults.quickDurationSec);
  });

  it('warms up 3 s in a full run and 1 s with --quick unless --warmup says otherwise', () => {
    expect(options(['--quick']).warmupSec).toBe(benchDefaults.quickWarmupSec);
    expect(benchDefaults.quickWarmupSec).toBe(1);
    expect(options(['--warmup', '7']).warmupSec).toBe(7);
    expect(options(['--quick', '--warmup=5']).warmupSec).toBe(5);
    expect(options(['--warmup', '0']).warmupSec).toBe(0);
    expect(options(['--warmup', '600']).warmupSec).toBe(600);
    // The duration stays the measured window, whatever the warm-up.
    expect(options(['--warmup', '7', '--duration', '9']).durationSec).toBe(9);
    expect(usage(workloadNames)).toContain('--warmup <s>');
  });

  it('waits up to 10 s for a quiet machine, 2 s with --quick, unless --quiet-wait says otherwise', () => {
    expect(options([]).quietWaitSec).toBe(10);
    expect(options(['--quick']).quietWaitSec).toBe(2);
    expect(options(['--quiet-wait', '0']).quietWaitSec).toBe(0);
    expect(options(['--quick', '--quiet-wait=30']).quietWaitSec).toBe(30);
    expect(() => options(['--quiet-wait=-1'])).toThrow(/--quiet-wait must be an integer from 0 to 600/);
    expect(() => options(['--quiet-wait', '601'])).toThrow(/--quiet-wait/);
    expect(usage(workloadNames)).toContain('--quiet-wait <s>');
  });

  it('accepts --generators, --inflight, --clients, --scale, --install and --out', () => {
    const parsed = options([
      '--generators=2',
      '--inflight=16',
      '--clients=4',
      '--scale',
      '--install',
      '--out=/tmp/x',
      '--keep-data',
      '--keel-cpu-prof=/tmp/prof',
      '--sequential',
    ]);
    expect(parsed).toMatchObject({
      generators: 2,
      inflight: 16,
      clients: 4,
      scale: true,
      install: true,
      outDir: '/tmp/x',
      keepData: true,
      keelCpuProfileDir: '/tmp/prof',
      sequential: true,
    });
  });

  it('returns help for -h', () => {
    expect(parseBenchArgs(['-h'], workloadNames)).toEqual({ kind: 'help' });
    expect(usage(workloadNames)).toContain('--targets');
  });
});

describe('args - refusals', () => {
  it.each([
    [['--targets', 'consul'], /unknown target consul/],
    [['--workloads', 'create,nope'], /unknown workload nope/],
    [['--duration', '0'], /--duration must be an integer/],
    [['--duration', 'ten'], /--duration must be an integer/],
    [['--generators', '9'], /--generators must be an integer from 1 to 4/],
    [['--warmup', '601'], /--warmup must be an integer from 0 to 600, got 601/],
    [['--warmup=-1'], /--warmup must be an integer from 0 to 600/],
    [['--warmup', '1.5'], /--warmup must be an integer from 0 to 600/],
    [['--warmup', 'soon'], /--warmup must be an integer from 0 to 600/],
    [['--warmup', ''], /--warmup must be an integer from 0 to 600/],
    [['--targets', ','], /empty list/],
    [['--frobnicate'], /frobnicate/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBenchArgs(argv, workloadNames)).toThrow(message);
  });
});
