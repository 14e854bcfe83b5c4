/**
 * A latency histogram with logarithmic buckets, in the spirit of HdrHistogram: each power of two
 * is split into {@link subBucketsPerPowerOfTwo} linear sub-buckets, so any recorded value is
 * known to within 1/64 (about 1.6%) whatever its magnitude, in constant memory and O(1) per
 * record. Values are microseconds (non-negative; fractions are rounded up to a whole microsecond).
 */

/** Linear sub-buckets per power of two: the histogram's relative precision is 1/this. */
export const subBucketsPerPowerOfTwo = 64;
/** Largest exponent kept: 2^40 µs is about 12.7 days, far beyond any benchmark. */
const exponentMax = 40;
const bucketCount = (exponentMax + 1) * subBucketsPerPowerOfTwo;

/** The serialisable form of a histogram (sparse: only non-empty buckets). */
export interface HistogramSnapshot {
  readonly count: number;
  readonly sumMicros: number;
  readonly minMicros: number;
  readonly maxMicros: number;
  /** `[bucketIndex, count]` pairs of the non-empty buckets. */
  readonly buckets: readonly (readonly [number, number])[];
}

/** Index of the bucket that holds `micros` (already a whole number >= 0). */
export function bucketIndexOf(micros: number): number {
  if (micros < 1) return 0;
  const exponent = Math.min(exponentMax, Math.floor(Math.log2(micros)));
  const base = 2 ** exponent;
  const sub = Math.min(subBucketsPerPowerOfTwo - 1, Math.floor(((micros - base) / base) * subBucketsPerPowerOfTwo));
  return exponent * subBucketsPerPowerOfTwo + sub;
}

/** Highest value (µs) that falls into bucket `index`: percentiles report this bound, never less than the truth. */
export function bucketUpperBoundOf(index: number): number {
  const exponent = Math.floor(index / subBucketsPerPowerOfTwo);
  const sub = index % subBucketsPerPowerOfTwo;
  const base = 2 ** exponent;
  return base + ((sub + 1) * base) / subBucketsPerPowerOfTwo;
}

/** Log-bucket latency histogram (microseconds). */
export class LatencyHistogram {
  private readonly counts = new Float64Array(bucketCount);
  private total = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  /** Records one latency in microseconds. */
  record(micros: number): void {
    if (!Number.isFinite(micros) || micros < 0)
      throw new RangeError(`latency must be a finite value >= 0, got ${micros}`);
    const whole = Math.ceil(micros);
    const index = bucketIndexOf(whole);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total += 1;
    this.sum += whole;
    if (whole < this.min) this.min = whole;
    if (whole > this.max) this.max = whole;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.total;
  }

  /** Mean in microseconds (0 when empty). */
  get meanMicros(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** Largest recorded value in microseconds (0 when empty). */
  get maxMicros(): number {
    return this.max;
  }

  /**
   * The value at quantile `q` (0 < q <= 1) in microseconds: the upper bound of the bucket holding
   * the ceil(q * count)-th smallest value, capped at the largest value recorded. 0 when empty.
   */
  quantileMicros(q: number): number {
    if (!(q > 0 && q <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${q}`);
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let index = 0; index < bucketCount; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) return Math.max(this.min, Math.min(this.max, bucketUpperBoundOf(index)));
    }
    return this.max;
  }

  /** Adds every value of `other` to this histogram (e.g. from a second generator process). */
  merge(other: LatencyHistogram | HistogramSnapshot): void {
    const snapshot = other instanceof LatencyHistogram ? other.toSnapshot() : other;
    if (snapshot.count === 0) return;
    for (const [index, count] of snapshot.buckets) {
      if (!Number.isInteger(index) || index < 0 || index >= bucketCount)
        throw new RangeError(`bad bucket index ${index}`);
      this.counts[index] = (this.counts[index] ?? 0) + count;
    }
    this.total += snapshot.count;
    this.sum += snapshot.sumMicros;
    this.min = Math.min(this.min, snapshot.minMicros);
    this.max = Math.max(this.max, snapshot.maxMicros);
  }

  /** The sparse, JSON-friendly form. */
  toSnapshot(): HistogramSnapshot {
    const buckets: [number, number][] = [];
    this.counts.forEach((count, index) => {
      if (count > 0) buckets.push([index, count]);
    });
    return {
      count: this.total,
      sumMicros: this.sum,
      minMicros: this.total === 0 ? 0 : this.min,
      maxMicros: this.max,
      buckets,
    };
  }

  /** Rebuilds a histogram from its snapshot. */
  static fromSnapshot(snapshot: HistogramSnapshot): LatencyHistogram {
    const histogram = new LatencyHistogram();
    histogram.merge(snapshot);
    return histogram;
  }
}
