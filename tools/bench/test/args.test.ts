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
    [['--targets', ','], /empty list/],
    [['--frobnicate'], /frobnicate/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBenchArgs(argv, workloadNames)).toThrow(message);
  });
});
