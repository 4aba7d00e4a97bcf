import * as hdr from 'hdr-histogram-js';
import { doubleFields } from '../engine/doubleFields.ts';
import type { Quantiles } from './result.ts';

/** Anything that takes one latency sample per packet (ps). */
export interface LatencyRecorder {
  record(ps: number): void;
}

const SUB_BITS = 7; // 128 linear sub-buckets per power of two ⇒ ≤ 1/128 < 1 % relative error
const SUB = 1 << SUB_BITS;

/**
 * Per-packet latency recorder with HDR-style log-linear buckets (DESIGN.md: bounded
 * relative error, never a sorted copy). The per-packet path is one clz32 and an array
 * increment (hdr-histogram-js's recordValue measured ~130 ns per call here, too slow for
 * every packet); at the end the buckets are folded into an hdr-histogram-js histogram,
 * which answers the quantile queries and gives the portable encoding used by baselines.
 * Values are recorded in nanoseconds.
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

  /** The equivalent hdr-histogram-js histogram (each bucket recorded at its midpoint). */
  toHdr(): hdr.Histogram {
    const h = hdr.build({
      numberOfSignificantValueDigits: 2,
      autoResize: true,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 2,
    });
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i];
      if (c > 0) h.recordValueWithCount(bucketMid(i), c);
    }
    return h;
  }

  /** Quantiles in microseconds. */
  quantilesUs(): Quantiles {
    if (this.total === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
    const h = this.toHdr();
    const us = (ns: number) => ns / 1000;
    return {
      p50: us(Math.min(h.getValueAtPercentile(50), this.maxNs)),
      p90: us(Math.min(h.getValueAtPercentile(90), this.maxNs)),
      p99: us(Math.min(h.getValueAtPercentile(99), this.maxNs)),
      p999: us(Math.min(h.getValueAtPercentile(99.9), this.maxNs)),
      max: us(this.maxNs),
      mean: us(this.sumNs / this.total),
      count: this.total,
    };
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

function bucketMid(i: number): number {
  return Math.floor((bucketLow(i) + bucketLow(i + 1) - 1) / 2);
}
