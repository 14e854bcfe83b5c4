// Goal: the chaos CLI parses its flags into run options, refuses bad ones with exit code 2, and
// formats the one summary line the issue asks for.
// Method: call the parser and chaosMain in-process with bad input (no cluster is started).
import { describe, expect, it } from 'vitest';
import { chaosMain, parseChaosArgs } from '../src/cli/chaos-main';
import { replayCommand, summaryLine } from '../src/run/run-chaos';

describe('chaos CLI', () => {
  it('parses every flag', () => {
    const options = parseChaosArgs([
      '--duration',
      '30',
      '--nodes',
      '5',
      '--faults',
      'kill,partition',
      '--workload',
      'lock',
      '--seed',
      '9',
      '--clients',
      '4',
      '--snapshot-every',
      '200',
    ]);
    expect(options).toEqual({
      workload: 'lock',
      nodes: 5,
      durationMs: 30_000,
      faults: ['kill', 'partition'],
      seed: 9,
      clients: 4,
      snapshotEveryEntries: 200,
    });
    if (options === 'help') throw new Error('unexpected help');
    expect(replayCommand(options)).toBe(
      'npm run chaos -- --duration 30 --nodes 5 --faults kill,partition --workload lock --seed 9 --clients 4 --snapshot-every 200',
    );
  });

  it('defaults to a 60 s register run on 3 members with every fault and a random seed', () => {
    const options = parseChaosArgs([]);
    expect(options).toMatchObject({ workload: 'register', nodes: 3, durationMs: 60_000, clients: 8 });
    expect(options !== 'help' && options.faults).toEqual(['kill', 'pause', 'partition', 'restart']);
  });

  it.each([
    [['--workload', 'queue']],
    [['--faults', 'kill,meteor']],
    [['--nodes', '0']],
    [['--duration', 'soon']],
    [['--seed', '-1']],
    [['--unknown']],
  ])('exits 2 on %j', async (argv) => {
    const err: string[] = [];
    const code = await chaosMain(argv, { out: () => {}, err: (line) => err.push(line) });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('Usage');
  });

  it('formats the summary line', () => {
    const line = summaryLine({
      ops: 10,
      acked: 7,
      lost: 1,
      anomalies: ['x', 'y'],
      linearizable: 'unknown',
      history: [],
      details: [],
    });
    expect(line).toBe('chaos: 10 ops, 7 acked, 1 lost, 2 anomalies, linearizable no');
  });
});
