import { describe, it, expect } from 'vitest';
import {
  ksStatistic,
  ksStatisticBinned,
  ksCriticalCoefficient,
  ksCriticalValue,
  kolmogorovQ,
  ksPValue,
  ksTest,
  designEffect,
  normalQuantile,
  quantileCiFractions,
} from '../sim/regression/ks.ts';
import {
  compareToBaseline,
  fctSampleOfSeeds,
  makeBaseline,
  type DistributionSample,
} from '../sim/regression/baseline.ts';
import { studentTTwoSided, welchTest } from '../sim/regression/welch.ts';

/** A small seeded generator (mulberry32) and normal draws (Box–Muller). */
function rng(seed: number) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}
const draw = (seed: number, n: number, shift = 0) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => r.normal() + shift);
};

describe('Kolmogorov–Smirnov', () => {
  it('c(α) matches the published two-sample table: 1.22, 1.36, 1.48, 1.63, 1.73, 1.95', () => {
    expect(ksCriticalCoefficient(0.1)).toBeCloseTo(1.224, 3);
    expect(ksCriticalCoefficient(0.05)).toBeCloseTo(1.358, 3);
    expect(ksCriticalCoefficient(0.025)).toBeCloseTo(1.48, 3);
    expect(ksCriticalCoefficient(0.01)).toBeCloseTo(1.628, 3);
    expect(ksCriticalCoefficient(0.005)).toBeCloseTo(1.731, 3);
    expect(ksCriticalCoefficient(0.001)).toBeCloseTo(1.949, 3);
    // n = m = 100 at α = 0.05: 1.358 · sqrt(200 / 10000) = 0.1921
    expect(ksCriticalValue(0.05, 100, 100)).toBeCloseTo(0.19206, 4);
    expect(ksCriticalValue(0.01, 40, 60)).toBeCloseTo(1.6276 * Math.sqrt(100 / 2400), 4);
    expect(() => ksCriticalCoefficient(0)).toThrow(/alpha/);
  });

  it('the Kolmogorov survival function at known points (both series branches)', () => {
    expect(kolmogorovQ(1.358)).toBeCloseTo(0.05, 3);
    expect(kolmogorovQ(1.628)).toBeCloseTo(0.01, 3);
    expect(kolmogorovQ(1.0)).toBeCloseTo(0.27, 3); // P(K ≤ 1) = 0.7300
    expect(kolmogorovQ(0.5)).toBeCloseTo(0.9639, 3); // P(K ≤ 0.5) = 0.0361
    // continuity across the branch point at 1.18
    expect(Math.abs(kolmogorovQ(1.1799999) - kolmogorovQ(1.18))).toBeLessThan(1e-6);
    expect(kolmogorovQ(0)).toBe(1);
    expect(kolmogorovQ(3)).toBeLessThan(1e-7);
  });

  it('D by hand on tiny samples, ties included', () => {
    // F_a steps 0.2 at 1..5; F_b steps 1/6 at 3..8. At x=5: F_a = 1, F_b = 3/6 → D = 0.5
    expect(ksStatistic([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8])).toBeCloseTo(0.5, 12);
    expect(ksStatistic([5, 4, 3, 2, 1], [8, 7, 6, 5, 4, 3])).toBeCloseTo(0.5, 12); // order does not matter
    // ties: a = {1,1,2}, b = {1,2,2}: at x=1 F_a = 2/3, F_b = 1/3; at 2 both 1 → D = 1/3
    // (comparing before the tie is consumed on both sides would give 2/3)
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12);
    expect(ksStatistic([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatistic([1, 2], [3, 4])).toBe(1);
    expect(ksStatistic([1, 2, Infinity], [1, 2, 3])).toBeCloseTo(1 / 3, 12);
  });

  it('binned D equals raw D when each value has its own bucket, and never exceeds it', () => {
    const a = [1, 1, 2, 5, 7],
      b = [2, 3, 3, 5, 9, 9];
    const hist = (xs: number[]) =>
      [...new Set(xs)]
        .sort((p, q) => p - q)
        .map((v) => [v, v + 1, xs.filter((x) => x === v).length] as [number, number, number]);
    expect(ksStatisticBinned(hist(a), hist(b))).toBeCloseTo(ksStatistic(a, b), 12);
    // coarse buckets [0,4), [4,8), [8,12)
    const coarse = (xs: number[]) =>
      [0, 4, 8]
        .map((lo) => [lo, lo + 4, xs.filter((x) => x >= lo && x < lo + 4).length] as [number, number, number])
        .filter((x) => x[2] > 0);
    expect(ksStatisticBinned(coarse(a), coarse(b))).toBeLessThanOrEqual(ksStatistic(a, b));
  });

  it('synthetic samples: same distribution passes, a 0.3σ shift is detected, the false-alarm rate is about α', () => {
    expect(ksTest(draw(1, 500), draw(2, 500), 0.01).reject).toBe(false);
    const shifted = ksTest(draw(1, 500), draw(2, 500, 0.3), 0.01);
    expect(shifted.reject).toBe(true);
    expect(shifted.pValue).toBeLessThan(0.01);
    let rejects = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) if (ksTest(draw(1000 + t, 200), draw(5000 + t, 150), 0.05).reject) rejects++;
    // the asymptotic critical value is slightly conservative at these sizes
    expect(rejects / trials).toBeGreaterThan(0.01);
    expect(rejects / trials).toBeLessThan(0.08);
    // p-value and critical value agree: D just above critical ⇒ p just below α
    const crit = ksCriticalValue(0.05, 200, 150);
    expect(ksPValue(crit * 1.001, 200, 150)).toBeLessThan(0.055);
    expect(ksPValue(crit * 1.001, 200, 150)).toBeGreaterThan(0.04);
  });
});

describe('baseline comparison (synthetic)', () => {
  const sample = (fct: number[], latency: Array<[number, number, number]>, hash = 'h'): DistributionSample => ({
    name: 's',
    scenarioHash: hash,
    seeds: [1],
    fctUs: [...fct].sort((a, b) => a - b),
    unfinished: 0,
    fctSeedVariation: { pairs: 0, meanLambda2: 0 },
    fctSeedQuantiles: [],
    latencySeedQuantiles: [],
    latencyBuckets: latency,
    hasLatencyBuckets: true,
  });
  const lat: Array<[number, number, number]> = [
    [1000, 1008, 500],
    [2000, 2016, 400],
    [4000, 4032, 100],
  ];
  const base = makeBaseline(
    sample(
      draw(1, 400).map((x) => 100 + 10 * x),
      lat,
    ),
  );

  it('the same distribution passes; a uniform 8 % slowdown moves p50 (±5 %) but not p99 (±10 %)', () => {
    expect(
      compareToBaseline(
        base,
        sample(
          draw(2, 400).map((x) => 100 + 10 * x),
          lat,
        ),
      ).ok,
    ).toBe(true);
    const r = compareToBaseline(
      base,
      sample(
        draw(2, 400).map((x) => 1.08 * (100 + 10 * x)),
        lat,
      ),
    );
    expect(r.ok).toBe(false);
    expect(r.moved).toContain('fct p50');
    expect(r.moved).not.toContain('fct p99');
    expect(r.moved).toContain('fct KS');
    expect(r.moved.filter((m) => m.startsWith('latency'))).toEqual([]);
  });

  it('latency: a heavier tail moves p99.9 and the KS; unfinished flows make FCT quantiles infinite', () => {
    const tail: Array<[number, number, number]> = [
      [1000, 1008, 500],
      [2000, 2016, 300],
      [4000, 4032, 100],
      [8000, 8064, 100],
    ];
    const r = compareToBaseline(
      base,
      sample(
        draw(2, 400).map((x) => 100 + 10 * x),
        tail,
      ),
    );
    expect(r.moved).toEqual(expect.arrayContaining(['latency p99', 'latency p99.9', 'latency KS']));
    const s = sample(
      draw(2, 392).map((x) => 100 + 10 * x),
      lat,
    );
    s.unfinished = 8; // 2 % of flows never finish: p99 and p99.9 are infinite
    const moved = compareToBaseline(base, s).moved;
    expect(moved).toEqual(expect.arrayContaining(['fct p99', 'fct p99.9']));
    expect(moved).not.toContain('fct p50');
  });

  it('a scenario hash mismatch is reported with no rows', () => {
    const r = compareToBaseline(base, sample([1, 2], lat, 'other'));
    expect(r.hashMatch).toBe(false);
    expect(r.ok).toBe(false);
    expect(r.rows).toEqual([]);
  });
});

describe('Welch t-test and normal quantiles', () => {
  it('Student t tails match closed forms and numerical integration of the density', () => {
    expect(studentTTwoSided(1, 1)).toBeCloseTo(0.5, 10); // Cauchy
    expect(studentTTwoSided(2, 2)).toBeCloseTo(1 - 2 / Math.sqrt(6), 10); // ν = 2 closed form
    expect(studentTTwoSided(2.776445, 4)).toBeCloseTo(0.05, 6); // t table, 4 df
    expect(studentTTwoSided(1.959964, 1e7)).toBeCloseTo(0.05, 5); // → normal
  });

  it('Welch: t, Satterthwaite df and p-value of a worked example (Simpson integration: p = 0.107531)', () => {
    const w = welchTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    expect(w.t).toBeCloseTo(-3 / Math.sqrt(2.5), 12);
    expect(w.df).toBeCloseTo(6.25 / 1.0625, 12);
    expect(w.pValue).toBeCloseTo(0.1075312, 6);
    expect(welchTest([3, 3], [3, 3]).pValue).toBe(1);
    expect(welchTest([3, 3], [4, 4]).pValue).toBe(0);
  });

  it('normal quantiles: 1.959964 and 2.575829; order-statistic intervals run off a thin tail', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
    const [lo, hi] = quantileCiFractions(0.5, 1000, 0.01); // 500 ± 2.576·√250 = 500 ± 40.7 ranks
    expect(lo).toBeCloseTo(459 / 1000, 12);
    expect(hi).toBeCloseTo(541 / 1000, 12);
    // p99.9 of 3072 values: 3.07 expected beyond it, the upper bound is beyond the sample
    expect(quantileCiFractions(0.999, 3072, 0.01)[1]).toBeGreaterThan(1);
  });
});

describe('seed clustering: design effect and seed-level quantile tests', () => {
  /** `seeds` runs of `n` flows: each seed shifts all its flows by one draw of spread `between`. */
  const clustered = (firstSeed: number, seeds: number, n: number, between: number, shift = 0): DistributionSample => {
    const perSeed: number[][] = [];
    for (let k = 0; k < seeds; k++) {
      const off = between * rng(7919 * (firstSeed + k)).normal();
      perSeed.push(draw(firstSeed + k, n).map((x) => 100 + 5 * (x + off + shift)));
    }
    return {
      name: 'c',
      scenarioHash: 'h',
      seeds: perSeed.map((_, k) => firstSeed + k),
      ...fctSampleOfSeeds(perSeed),
      latencySeedQuantiles: [],
      latencyBuckets: [[1000, 1008, 10]],
      hasLatencyBuckets: true,
    };
  };

  it('independent seeds: design effect ≈ 1; seeds that shift all their flows together: ≫ 1', () => {
    const indep = clustered(1, 8, 1000, 0);
    expect(designEffect(indep.fctSeedVariation)).toBeLessThan(1.8);
    const clus = clustered(1, 8, 1000, 0.3);
    expect(clus.fctSeedVariation.pairs).toBe(28);
    // λ² ≈ n/2 · D² with D ≈ 0.4 × the seed offset difference (0.3·√2 σ): about 15 × π²/12
    expect(designEffect(clus.fctSeedVariation)).toBeGreaterThan(5);
    expect(designEffect(undefined, { pairs: 0, meanLambda2: 0 })).toBe(1);
  });

  it('clustered seeds: other seeds of the same distribution pass; counted as independent flows they would not', () => {
    const base = makeBaseline(clustered(1, 4, 1000, 0.2));
    const other = clustered(11, 4, 1000, 0.2);
    const r = compareToBaseline(base, other);
    expect(r.fctDesignEffect).toBeGreaterThan(3);
    expect(r.ok).toBe(true);
    // The same data with the seed structure removed: 4000 "independent" flows per side.
    const flat = { ...base, fct: { ...base.fct, seedVariation: undefined, seedQuantiles: undefined } };
    const r2 = compareToBaseline(flat, {
      ...other,
      fctSeedVariation: { pairs: 0, meanLambda2: 0 },
      fctSeedQuantiles: [],
    });
    expect(r2.moved).toContain('fct KS');
  });

  it('clustered seeds: a shift of every flow by 4 seed spreads (+3.2 % p50) is still caught', () => {
    const base = makeBaseline(clustered(1, 6, 1000, 0.2, 0), [], undefined);
    const r = compareToBaseline(base, clustered(21, 6, 1000, 0.2, 0.8), { tolerances: { p50: 0.02 } });
    expect(r.moved).toEqual(expect.arrayContaining(['fct p50', 'fct KS']));
  });

  it('a tail quantile beyond its tolerance but inside the seeds\' own spread is "within noise"; the same tail in every seed moves', () => {
    const base = makeBaseline(clustered(1, 3, 1000, 0));
    const withSlowFlows = (seedsHit: number) => {
      const cur = clustered(11, 3, 1000, 0);
      // Fifteen very slow flows (an ECMP collision) in each of the first `seedsHit` seeds.
      const slowFct = base.fct.quantiles.p999 * 1.3;
      let fcts = cur.fctUs.slice(0, cur.fctUs.length - 15 * seedsHit);
      for (let k = 0; k < seedsHit; k++) {
        fcts = fcts.concat(Array<number>(15).fill(slowFct + k));
        cur.fctSeedQuantiles[k] = { ...cur.fctSeedQuantiles[k], p999: slowFct + k };
      }
      return compareToBaseline(base, { ...cur, fctUs: fcts.sort((a, b) => a - b) }).rows.find(
        (x) => x.distribution === 'fct' && x.test === 'p99.9',
      )!;
    };
    // One seed of three: pooled p99.9 +30 %, and 15 pooled flows beyond the baseline's p99.9 (as
    // independent draws that would be significant), but across seeds it is one outlier.
    const one = withSlowFlows(1);
    expect(one.change).toBeGreaterThan(0.15);
    expect(one.withinNoise).toBe(true);
    expect(one.moved).toBe(false);
    // Every seed: the seeds agree, so the tail moved.
    const all = withSlowFlows(3);
    expect(all.change).toBeGreaterThan(0.15);
    expect(all.moved).toBe(true);
  });

  it('flows that stop finishing are never noise: p99.9 going from finite to unfinished moves', () => {
    const base = makeBaseline(clustered(1, 3, 1000, 0));
    const cur = clustered(11, 3, 1000, 0);
    const r = compareToBaseline(base, { ...cur, fctUs: cur.fctUs.slice(0, -4), unfinished: 4 });
    const row = r.rows.find((x) => x.distribution === 'fct' && x.test === 'p99.9')!;
    expect(row.current).toBe(Infinity);
    expect(row.moved).toBe(true);
  });
});
