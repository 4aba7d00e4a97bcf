import { doubleFields } from '../engine/doubleFields.ts';
import type { Quantiles } from './result.ts';

/** Anything that takes one latency sample per packet (ps). */
export interface LatencyRecorder {
  record(ps: number): void;
}

const SUB_BITS = 7; // 128 linear sub-buckets per power of two ⇒ ≤ 1/128 < 1 % relative error
const SUB = 1 << SUB_BITS;

/**
 * Per-packet latency recorder with HDR-style log-linear buckets (bounded relative error, never
 * a sorted copy: docs/results.md#fields). The per-packet path is one clz32 and an array
 * increment (hdr-histogram-js's recordValue measured ~130 ns per call here, too slow for every
 * packet). Quantiles are read from the buckets by `bucketQuantilesUs`, the one implementation the
 * result, the baselines and the browser share. Values are recorded in nanoseconds.
 */
export class LatencyHistogram implements LatencyRecorder {
  private counts = new Float64Array(64 * SUB);
  total = 0;
  maxNs = 0;
  sumNs = 0;

  constructor() {
    // The sum outgrows a small integer (engine/doubleFields.ts).
    doubleFields(this, 'sumNs');
  }

  record(ps: number): void {
    const ns = Math.round(ps / 1000);
    this.counts[bucketOf(ns)]++;
    this.total++;
    this.sumNs += ns;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  /** The raw state, for merging partitions of one run (sim/run/parallel/merge.ts). */
  raw(): { counts: Float64Array; total: number; maxNs: number; sumNs: number } {
    return { counts: this.counts.slice(), total: this.total, maxNs: this.maxNs, sumNs: this.sumNs };
  }

  addRaw(o: { counts: Float64Array; total: number; maxNs: number; sumNs: number }): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += o.counts[i];
    this.total += o.total;
    this.sumNs += o.sumNs;
    if (o.maxNs > this.maxNs) this.maxNs = o.maxNs;
  }

  /** Merge another histogram's counts (pooling seeds or runs). */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
    this.sumNs += other.sumNs;
    if (other.maxNs > this.maxNs) this.maxNs = other.maxNs;
  }

  /** Quantiles in microseconds (bucketQuantilesUs with this run's exact max and mean). */
  quantilesUs(): Quantiles {
    return bucketQuantilesUs(this.buckets(), { maxNs: this.maxNs, sumNs: this.sumNs });
  }

  /** Non-empty buckets as [lowNs, highNs, count] triples (for plots and baselines). */
  buckets(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i];
      if (c > 0) out.push([bucketLow(i), bucketLow(i + 1), c]);
    }
    return out;
  }
}

/** Bucket of a non-negative integer: values < 128 exactly, then 128 sub-buckets per octave. */
export function bucketOf(v: number): number {
  if (v < SUB) return v < 0 ? 0 : v;
  if (v >= 2 ** 31) return bucketOfLarge(v);
  const e = 31 - Math.clz32(v) - SUB_BITS + 1; // ≥ 1
  return e * SUB + ((v >>> (e - 1)) - SUB);
}

function bucketOfLarge(v: number): number {
  const e = Math.floor(Math.log2(v)) - SUB_BITS + 1;
  return Math.min(64 * SUB - 1, e * SUB + (Math.floor(v / 2 ** (e - 1)) - SUB));
}

export function bucketLow(i: number): number {
  const e = Math.floor(i / SUB);
  if (e === 0) return i;
  return (SUB + (i % SUB)) * 2 ** (e - 1);
}

/** A histogram bucket: [lowNs, highNs (exclusive), count]. */
export type LatencyBucket = readonly [number, number, number];

/**
 * Quantiles (µs) of a bucketed latency sample, by nearest rank: the q-quantile is the midpoint of
 * the bucket holding the ⌈q·n⌉-th smallest sample (exact below 128 ns, within 1/256 relative above;
 * clamped to the exact maximum when it is known). The mean and the max are exact when the
 * recorder's sums are given, else computed from the midpoints (a baseline's stored buckets).
 */
export function bucketQuantilesUs(
  buckets: readonly LatencyBucket[],
  exact?: { maxNs: number; sumNs: number },
): Quantiles {
  let n = 0;
  for (const b of buckets) n += b[2];
  if (n === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
  const midNs = (b: LatencyBucket) => (b[0] + b[1] - 1) / 2;
  const maxNs = exact ? exact.maxNs : midNs(buckets[buckets.length - 1]);
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * n));
    let c = 0;
    for (const b of buckets) {
      c += b[2];
      if (c >= rank) return Math.min(midNs(b), maxNs) / 1000;
    }
    return maxNs / 1000;
  };
  let sumNs = 0;
  if (exact) sumNs = exact.sumNs;
  else for (const b of buckets) sumNs += midNs(b) * b[2];
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: maxNs / 1000,
    mean: sumNs / n / 1000,
    count: n,
  };
}
