// Goal: with unique written values (what the chaos workloads produce), the checker stays
// tractable on one key shared by 20 concurrent clients with many unknown outcomes, and still
// catches a single lost write or stale read; unknown operations are pinned down soundly.
// Method: a seeded simulation of an atomic register (each operation takes effect at a random
// point inside its interval; a lost reply takes effect or not at random), checked within a step
// budget far below what the search without the unique-value bounds needs; then one corruption.
import { mulberry32 } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import type { Operation, Value } from '../src/history';
import { checkKey } from '../src/linearizability';
import { cas, read, write } from './ops';

interface Planned {
  op: Operation;
  atMs: number;
  takesEffect: boolean;
}

function simulate(seed: number, processes: number, opsPerProcess: number): Operation[] {
  const random = mulberry32(seed);
  const planned: Planned[] = [];
  let sequence = 0;
  for (let process = 0; process < processes; process++) {
    let nowMs = random() * 10;
    for (let i = 0; i < opsPerProcess; i++) {
      const invokeMs = nowMs;
      const atMs = invokeMs + random() * 20;
      const completeMs = atMs + random() * 20;
      const unknown = random() < 0.2;
      const base = {
        process,
        key: 'k',
        invokeMs,
        completeMs: unknown ? null : completeMs,
        outcome: unknown ? ('unknown' as const) : ('ok' as const),
      };
      const kind = random();
      const value = `v${sequence++}`;
      const op: Operation =
        kind < 0.4
          ? { ...base, type: 'read', value: null }
          : kind < 0.7
            ? { ...base, type: 'write', value }
            : { ...base, type: 'cas', expected: null, value };
      planned.push({ op, atMs, takesEffect: !unknown || random() < 0.5 });
      nowMs = completeMs + random() * 5;
    }
  }
  // Each cas expects the value current at a moment shortly before it, as a read-then-cas client does.
  let state: Value | null = 'init';
  const timeline: { atMs: number; state: Value | null }[] = [];
  for (const p of [...planned].sort((a, b) => a.atMs - b.atMs)) {
    const { op } = p;
    if (op.type === 'cas')
      op.expected = timeline.length > 3 ? timeline[timeline.length - 1 - Math.floor(random() * 3)]!.state : state;
    if (!p.takesEffect) continue;
    if (op.type === 'read') {
      if (op.outcome === 'ok') op.value = state;
    } else if (op.type === 'write') {
      state = op.value;
    } else if (op.expected === state) {
      state = op.value;
    } else if (op.outcome === 'ok') {
      op.outcome = 'fail';
    }
    timeline.push({ atMs: p.atMs, state });
  }
  return planned.map((p) => p.op);
}

// Far below what the search needs without the unique-value bounds (it exhausts 2,000,000 steps).
const stepsMax = 1_000_000;

describe('checker at scale with unique values', () => {
  it.each([7000, 7001, 7002, 7003])(
    'seed %i: 20 clients x 40 ops on one key check linearizable within the budget',
    (seed) => {
      const history = simulate(seed, 20, 40);
      expect(history.filter((op) => op.outcome === 'unknown').length).toBeGreaterThan(80);
      const result = checkKey('k', history, { initial: 'init', stepsMax });
      expect(result.verdict, `seed ${seed}`).toBe('linearizable');
    },
  );

  it.each(Array.from({ length: 10 }, (_, i) => 7100 + i))(
    'seed %i: one stale read among 8 clients makes it non-linearizable',
    (seed) => {
      const history = simulate(seed, 8, 60);
      const writes = history
        .filter((op) => op.type !== 'read' && op.outcome === 'ok')
        .sort((a, b) => a.completeMs! - b.completeMs!);
      // The latest read that began well after two acknowledged writes completed returns the older one.
      const victim = history
        .filter((op) => op.type === 'read' && op.outcome === 'ok')
        .sort((a, b) => b.invokeMs - a.invokeMs)
        .find((read) => writes.filter((w) => w.completeMs! < read.invokeMs - 100).length >= 2);
      expect(victim, `seed ${seed}`).toBeDefined();
      const stale = writes.find((w) => w.completeMs! < victim!.invokeMs - 100)!;
      victim!.value = stale.type === 'read' ? null : stale.value;
      expect(checkKey('k', history, { initial: 'init', stepsMax }).verdict, `seed ${seed}`).toBe('not-linearizable');
    },
  );
});

describe('unknown outcomes with unique values', () => {
  it('an unknown write nobody observed is optional', () => {
    expect(checkKey('k', [write(1, 'a', 0, 1), write(2, 'b', 2, null), read(3, 'a', 10, 11)]).verdict).toBe(
      'linearizable',
    );
  });

  it('an observed unknown write took effect before the observer returned', () => {
    const ops = [write(1, 'a', 0, 1), write(2, 'b', 2, null), read(3, 'b', 3, 4), read(4, 'a', 5, 6)];
    expect(checkKey('k', ops).verdict).toBe('not-linearizable');
  });

  it('a value observed before its unknown write was invoked is not linearizable', () => {
    expect(checkKey('k', [read(1, 'b', 0, 1), write(2, 'b', 5, null)]).verdict).toBe('not-linearizable');
  });

  it('an unknown cas observed through a later cas expectation is placed', () => {
    const ops = [write(1, 'a', 0, 1), cas(2, 'a', 'b', 2, null), cas(3, 'b', 'c', 3, 4), read(4, 'c', 5, 6)];
    expect(checkKey('k', ops).verdict).toBe('linearizable');
  });

  it('repeated values fall back to the unbounded search and stay sound', () => {
    const ops = [write(1, 'a', 0, 1), write(2, 'b', 2, null), write(3, 'b', 3, 4), read(4, 'b', 5, 6)];
    expect(checkKey('k', ops).verdict).toBe('linearizable');
  });
});
