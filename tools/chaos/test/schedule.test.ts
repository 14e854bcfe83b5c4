// Goal: a fault schedule is a pure function of its seed and options, respects the duration,
// never overlaps faults, uses only the kinds asked for, and varies with the seed.
// Method: draw schedules for many seeds and compare them; parse fault lists.
import { describe, expect, it } from 'vitest';
import { faultKinds, parseFaultKinds, planFaults } from '../src/faults/schedule';

const base = { durationMs: 60_000, nodes: 5, kinds: faultKinds };

describe('planFaults', () => {
  it('gives the same schedule for the same seed and different ones for different seeds', () => {
    expect(planFaults({ ...base, seed: 42 })).toEqual(planFaults({ ...base, seed: 42 }));
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify(planFaults({ ...base, seed }))));
    expect(distinct.size).toBe(20);
  });

  it('keeps faults apart, inside the duration and longer than an election timeout', () => {
    for (let seed = 0; seed < 50; seed++) {
      const schedule = planFaults({ ...base, seed });
      expect(schedule.length, `seed ${seed}`).toBeGreaterThan(5);
      let endMs = 0;
      for (const step of schedule) {
        expect(step.atMs).toBeGreaterThan(endMs);
        expect(step.durationMs).toBeGreaterThanOrEqual(1_500);
        endMs = step.atMs + step.durationMs;
      }
      expect(endMs).toBeLessThanOrEqual(base.durationMs);
    }
    const all = Array.from({ length: 20 }, (_, seed) => planFaults({ ...base, seed })).flat();
    expect(
      all.some((step) => step.durationMs > 8_000),
      'some faults outlast a session timeout',
    ).toBe(true);
  });

  it('uses only the requested kinds, and every kind over enough seeds', () => {
    const onlyPause = Array.from({ length: 10 }, (_, seed) => planFaults({ ...base, seed, kinds: ['pause'] })).flat();
    expect(new Set(onlyPause.map((s) => s.fault.kind))).toEqual(new Set(['pause']));
    const all = Array.from({ length: 10 }, (_, seed) => planFaults({ ...base, seed })).flat();
    expect(new Set(all.map((s) => s.fault.kind))).toEqual(new Set(faultKinds));
    const shapes = all.flatMap((s) => (s.fault.kind === 'partition' ? [s.fault.shape] : []));
    expect(new Set(shapes)).toEqual(new Set(['isolate', 'minority', 'outbound', 'inbound', 'bridge']));
  });

  it('plans link delays only when asked, around an election timeout', () => {
    const delays = Array.from({ length: 10 }, (_, seed) => planFaults({ ...base, seed, kinds: ['delay'] })).flat();
    expect(delays.length).toBeGreaterThan(0);
    for (const step of delays) {
      expect(step.fault.kind).toBe('delay');
      if (step.fault.kind === 'delay') expect(step.fault.delayMs).toBeGreaterThanOrEqual(100);
    }
  });

  it('plans nothing without kinds', () => {
    expect(planFaults({ ...base, seed: 1, kinds: [] })).toEqual([]);
  });
});

describe('parseFaultKinds', () => {
  it('parses a comma list and rejects unknown kinds', () => {
    expect(parseFaultKinds('kill,pause, partition,delay')).toEqual(['kill', 'pause', 'partition', 'delay']);
    expect(parseFaultKinds('none')).toEqual([]);
    expect(() => parseFaultKinds('kill,explode')).toThrow(/explode/);
  });
});
