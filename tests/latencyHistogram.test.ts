import { describe, expect, it } from 'vitest';
import { bucketQuantilesUs, LatencyHistogram } from '../sim/metrics/latencyHistogram.ts';
import { RandomStreams } from '../sim/engine/random.ts';

/** Nearest-rank quantile of a sorted sample: the ⌈q·n⌉-th smallest. */
const nearestRank = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];

describe('latency quantiles: one implementation', () => {
  // A long-tailed sample in ns: a 50 µs body and a tail to 2 ms (ps recorded, as the fabric does).
  const r = new RandomStreams(7).stream('test/latency');
  const rng = () => r.next();
  const samplesNs: number[] = [];
  for (let i = 0; i < 20_000; i++)
    samplesNs.push(Math.round(40_000 + 10_000 * rng() + (rng() < 0.02 ? 2e6 * rng() : 0)));
  const h = new LatencyHistogram();
  for (const ns of samplesNs) h.record(ns * 1000);
  const sorted = [...samplesNs].sort((a, b) => a - b);

  it("the run's quantiles and a baseline's (from the stored buckets) agree on the same samples", () => {
    const run = h.quantilesUs();
    const stored = bucketQuantilesUs(h.buckets());
    for (const k of ['p50', 'p90', 'p99', 'p999'] as const) expect(run[k]).toBe(stored[k]);
    expect(run.count).toBe(stored.count);
  });

  it('each quantile is within the buckets’ 1/256 relative error of the exact nearest rank', () => {
    const q = h.quantilesUs();
    for (const [k, p] of [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p99', 0.99],
      ['p999', 0.999],
    ] as const) {
      const exactUs = nearestRank(sorted, p) / 1000;
      expect(Math.abs(q[k] - exactUs) / exactUs, k).toBeLessThanOrEqual(1 / 256);
    }
    expect(q.max).toBe(sorted[sorted.length - 1] / 1000);
    expect(q.mean).toBeCloseTo(samplesNs.reduce((a, b) => a + b, 0) / samplesNs.length / 1000, 9);
  });

  it('is exact below 128 ns and empty gives zeros', () => {
    const small = new LatencyHistogram();
    for (const ns of [5, 7, 7, 100, 120]) small.record(ns * 1000);
    expect(small.quantilesUs()).toMatchObject({ p50: 0.007, p90: 0.12, max: 0.12, count: 5 });
    expect(new LatencyHistogram().quantilesUs()).toEqual({
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
      mean: 0,
      count: 0,
    });
  });
});
