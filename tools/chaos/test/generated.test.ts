// Goal: the checker never rejects a history produced by a truly atomic register, and does reject
// one where a single read was corrupted. Method: a seeded simulation gives every operation a
// random invocation, a linearization point inside its interval and a completion; applying the
// operations in linearization-point order yields the observed values. Some operations lose their
// reply (unknown outcome) and take effect or not at random. Seeds are printed on failure.

import { mulberry32 } from '@keel/raft';
import { describe, expect, it } from 'vitest';
import type { Operation, Value } from '../src/history';
import { checkHistory } from '../src/linearizability';

interface Planned {
  op: Operation;
  linearizeMs: number;
  takesEffect: boolean;
}

function simulate(seed: number, processes: number, opsPerProcess: number, keys: readonly string[]): Operation[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const values: Value[] = ['a', 'b', 'c', 7];
  const planned: Planned[] = [];
  for (let process = 0; process < processes; process++) {
    let nowMs = random() * 10;
    for (let i = 0; i < opsPerProcess; i++) {
      const invokeMs = nowMs;
      const linearizeMs = invokeMs + random() * 20;
      const completeMs = linearizeMs + random() * 20;
      const unknown = random() < 0.1;
      const takesEffect = !unknown || random() < 0.5;
      const key = pick(keys);
      const base = {
        process,
        key,
        invokeMs,
        completeMs: unknown ? null : completeMs,
        outcome: unknown ? ('unknown' as const) : ('ok' as const),
      };
      const kind = random();
      const op: Operation =
        kind < 0.4
          ? { ...base, type: 'read', value: null }
          : kind < 0.75
            ? { ...base, type: 'write', value: pick(values) }
            : { ...base, type: 'cas', expected: random() < 0.2 ? null : pick(values), value: pick(values) };
      planned.push({ op, linearizeMs, takesEffect });
      // A client whose reply was lost moves on after its own timeout.
      nowMs = completeMs + random() * 5;
    }
  }
  const state = new Map<string, Value>();
  for (const { op, takesEffect } of [...planned].sort((x, y) => x.linearizeMs - y.linearizeMs)) {
    if (!takesEffect) continue;
    const current = state.get(op.key) ?? null;
    if (op.type === 'read') {
      if (op.outcome === 'ok') op.value = current;
    } else if (op.type === 'write') {
      state.set(op.key, op.value);
    } else if (op.expected === current) {
      state.set(op.key, op.value);
    } else if (op.outcome === 'ok') {
      op.outcome = 'fail';
    }
  }
  return planned.map((p) => p.op);
}

describe('generated histories of an atomic register', () => {
  const seeds = Array.from({ length: 60 }, (_, i) => 1000 + i);

  it.each(seeds)('seed %i checks linearizable', (seed) => {
    const history = simulate(seed, 5, 14, ['x', 'y']);
    const result = checkHistory(history);
    expect(result.verdict, `seed ${seed}`).toBe('linearizable');
  });

  it.each(seeds)('seed %i with one read corrupted checks non-linearizable', (seed) => {
    const history = simulate(seed, 5, 14, ['x', 'y']);
    const reads = history.filter((op) => op.type === 'read' && op.outcome === 'ok');
    const victim = reads[Math.floor(mulberry32(seed ^ 0x5eed)() * reads.length)];
    expect(victim, `seed ${seed} has a read`).toBeDefined();
    victim!.value = 'never-written';
    const result = checkHistory(history);
    expect(result.verdict, `seed ${seed}`).toBe('not-linearizable');
    const failed = result.keys.find((k) => k.verdict === 'not-linearizable');
    expect(failed?.key).toBe(victim!.key);
  });

  it('the simulation really interleaves: histories overlap and include unknown outcomes and failed and successful cas', () => {
    const history = simulate(1000, 5, 14, ['x']);
    const overlapping = history.some((a) =>
      history.some(
        (b) => a !== b && a.invokeMs < (b.completeMs ?? Infinity) && b.invokeMs < (a.completeMs ?? Infinity),
      ),
    );
    expect(overlapping).toBe(true);
    const all = seeds.flatMap((seed) => simulate(seed, 5, 14, ['x', 'y']));
    expect(all.some((op) => op.outcome === 'unknown' && op.type !== 'read')).toBe(true);
    expect(all.some((op) => op.type === 'cas' && op.outcome === 'fail')).toBe(true);
    expect(all.some((op) => op.type === 'cas' && op.outcome === 'ok')).toBe(true);
  });
});
