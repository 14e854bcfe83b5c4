/**
 * Goal: the CLI's report names every failing seed with its violation and the exact command
 * that replays it, ends with the summary line, and the replayed command finds the same bug.
 * Method: run the CLI's seed loop against a broken core, capture the printed lines, then
 * replay the printed seed with the library and compare.
 */
import { describe, expect, it } from 'vitest';
import { runSeedRange } from '../../src/sim/run-seeds';
import { runSimulation } from '../../src/sim/simulation';
import { brokenCores } from './broken-cores';

describe('sim - seed runner report', () => {
  it('prints the violation, the replay command and the summary last', () => {
    const broken = brokenCores.find((c) => c.name === 'returns stale read indexes');
    if (broken === undefined) throw new Error('missing broken core');
    const lines: string[] = [];
    const summary = runSeedRange({ seeds: [1, 2, 3], nodes: [3], steps: 2000, createRaft: broken.createRaft }, (line) =>
      lines.push(line),
    );
    expect(summary.runs).toBe(3);
    expect(summary.violations).toBeGreaterThan(0);
    expect(lines[lines.length - 1]).toBe(`sim: 3 seeds, ${summary.steps} steps, ${summary.violations} violations`);
    const fail = lines.findIndex((l) => l.startsWith('FAIL seed '));
    expect(lines[fail]).toMatch(/^FAIL seed (\d+) nodes 3: read-linearizability at step \d+/);
    const seed = Number(/^FAIL seed (\d+)/.exec(lines[fail] ?? '')?.[1]);
    expect(lines[fail + 1]).toBe(`  replay: npm run sim -- --seed ${seed} --nodes 3 --steps 2000`);
    const replayed = runSimulation({ seed, nodes: 3, steps: 2000, createRaft: broken.createRaft });
    expect(`FAIL seed ${seed} nodes 3: ${replayed.violations[0]?.kind} at step ${replayed.violations[0]?.step}`).toBe(
      lines[fail]?.slice(0, lines[fail]?.indexOf(' (')),
    );
  });

  it('reports a clean range with zero violations', () => {
    const lines: string[] = [];
    const summary = runSeedRange({ seeds: [1, 2], nodes: [3, 5], steps: 500 }, (line) => lines.push(line));
    expect(summary).toMatchObject({ runs: 4, violations: 0 });
    expect(lines).toEqual([`sim: 4 seeds, ${summary.steps} steps, 0 violations`]);
  });
});
