// Goal: the log-bucket histogram reports quantiles within its stated precision (1/64) and never
// below the true value, merges exactly, and survives its JSON snapshot.
// Method: record known value sets (uniform ranges, single values, skewed sets) and compare the
// reported quantiles with the exact order statistics computed from the same values.
import { describe, expect, it } from 'vitest';
import { bucketIndexOf, bucketUpperBoundOf, LatencyHistogram, subBucketsPerPowerOfTwo } from '../src/load/histogram';

function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] ?? 0;
}

describe('histogram - buckets', () => {
  it('puts every value into a bucket whose upper bound is at least the value and within 1/64 of it', () => {
    for (const value of [1, 2, 3, 63, 64, 65, 100, 127, 128, 1000, 4095, 4096, 123_456, 10_000_000]) {
      const upper = bucketUpperBoundOf(bucketIndexOf(value));
      expect(upper).toBeGreaterThanOrEqual(value);
      expect((upper - value) / value).toBeLessThanOrEqual(1 / subBucketsPerPowerOfTwo + 1e-12);
    }
  });

  it('keeps bucket indexes increasing with the value', () => {
    let previous = -1;
    for (let value = 1; value < 100_000; value = Math.ceil(value * 1.01)) {
      const index = bucketIndexOf(value);
      expect(index).toBeGreaterThanOrEqual(previous);
      previous = index;
    }
  });
});

describe('histogram - quantiles', () => {
  it('reports p50/p99/p999 of 1..100000 within 1/64 above the exact values', () => {
    const histogram = new LatencyHistogram();
    const values: number[] = [];
    for (let value = 1; value <= 100_000; value++) {
      histogram.record(value);
      values.push(value);
    }
    for (const q of [0.5, 0.99, 0.999]) {
      const exact = exactQuantile(values, q);
      const reported = histogram.quantileMicros(q);
      expect(reported).toBeGreaterThanOrEqual(exact);
      expect((reported - exact) / exact).toBeLessThanOrEqual(1 / subBucketsPerPowerOfTwo);
    }
    expect(histogram.count).toBe(100_000);
    expect(histogram.maxMicros).toBe(100_000);
    expect(histogram.meanMicros).toBeCloseTo(50_000.5, 6);
  });

  it('sees a slow tail: 990 fast values and 10 slow ones give p99 fast and p999 slow', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 990; i++) histogram.record(500);
    for (let i = 0; i < 10; i++) histogram.record(80_000);
    expect(histogram.quantileMicros(0.5)).toBeLessThan(510);
    expect(histogram.quantileMicros(0.99)).toBeLessThan(510);
    expect(histogram.quantileMicros(0.999)).toBe(80_000);
  });

  it('caps quantiles at the largest and smallest values recorded', () => {
    const histogram = new LatencyHistogram();
    histogram.record(1000);
    expect(histogram.quantileMicros(0.5)).toBe(1000);
    expect(histogram.quantileMicros(1)).toBe(1000);
  });

  it('rounds fractions up to whole microseconds and counts 0', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0);
    histogram.record(0.2);
    expect(histogram.count).toBe(2);
    expect(histogram.maxMicros).toBe(1);
    // 0 and 1 share the lowest bucket, whose reported value is its bound capped at the maximum.
    expect(histogram.quantileMicros(0.5)).toBe(1);
  });

  it('answers 0 when empty and refuses bad input', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.quantileMicros(0.99)).toBe(0);
    expect(histogram.meanMicros).toBe(0);
    expect(() => histogram.record(-1)).toThrow(RangeError);
    expect(() => histogram.record(Number.NaN)).toThrow(RangeError);
    expect(() => histogram.quantileMicros(0)).toThrow(RangeError);
    expect(() => histogram.quantileMicros(1.5)).toThrow(RangeError);
  });
});

describe('histogram - merge and snapshot', () => {
  it('merging two halves gives the same quantiles as recording everything in one', () => {
    const whole = new LatencyHistogram();
    const left = new LatencyHistogram();
    const right = new LatencyHistogram();
    for (let value = 1; value <= 20_000; value += 3) {
      whole.record(value * 7);
      (value % 2 === 0 ? left : right).record(value * 7);
    }
    left.merge(right);
    for (const q of [0.1, 0.5, 0.9, 0.99, 0.999, 1]) expect(left.quantileMicros(q)).toBe(whole.quantileMicros(q));
    expect(left.count).toBe(whole.count);
    expect(left.meanMicros).toBeCloseTo(whole.meanMicros, 9);
  });

  it('round-trips through a JSON snapshot', () => {
    const histogram = new LatencyHistogram();
    for (const value of [5, 50, 500, 5000, 50_000]) histogram.record(value);
    const copy = LatencyHistogram.fromSnapshot(JSON.parse(JSON.stringify(histogram.toSnapshot())));
    expect(copy.toSnapshot()).toEqual(histogram.toSnapshot());
    expect(copy.quantileMicros(0.99)).toBe(histogram.quantileMicros(0.99));
  });

  it('refuses a snapshot with an impossible bucket', () => {
    const histogram = new LatencyHistogram();
    expect(() => histogram.merge({ count: 1, sumMicros: 1, minMicros: 1, maxMicros: 1, buckets: [[1e9, 1]] })).toThrow(
      RangeError,
    );
  });
});
