/**
 * Two-sample Kolmogorov–Smirnov test.
 *
 *   D = sup_x |F_a(x) − F_b(x)|      (F the empirical CDFs)
 *
 * The null hypothesis (both samples from one distribution) is rejected at significance α when
 * D > c(α)·sqrt((n+m)/(n·m)), with c(α) = sqrt(−ln(α/2)/2) (c(0.05) = 1.358, c(0.01) = 1.628),
 * the large-sample critical value. The p-value is the asymptotic Kolmogorov distribution
 * Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} at λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, nₑ = nm/(n+m)
 * (Stephens' small-sample correction, as in Numerical Recipes' kstwo).
 *
 * Samples may contain +Infinity (an unfinished flow: later than any finished one).
 */

/** D for two samples (need not be sorted; ties handled: the CDFs are compared after each distinct value). */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n = x.length,
    m = y.length;
  if (n === 0 || m === 0) return n === m ? 0 : 1;
  let i = 0,
    j = 0,
    d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  return d;
}

/** E[K²] of the Kolmogorov distribution (K = lim sqrt(n·m/(n+m))·D under H0): π²/12. */
export const KOLMOGOROV_MEAN_SQUARE = Math.PI ** 2 / 12;

/** Per-seed samples smaller than this say too little about seed-to-seed variation (asymptotics). */
export const MIN_SEED_SAMPLES = 20;

/** Seed-to-seed spread of one scenario's samples, as KS distances between its seeds. */
export interface SeedVariation {
  /** Seed pairs measured (pairs where both seeds have ≥ MIN_SEED_SAMPLES values). */
  pairs: number;
  /** Mean of λ² = n·m/(n+m)·D² over those pairs (π²/12 ≈ 0.822 for independent draws). */
  meanLambda2: number;
}

/**
 * How far apart a scenario's seeds are, as KS statistics: for every pair of seeds, λ² =
 * n·m/(n+m)·D². If a seed's values were independent draws from one distribution, λ² would
 * average π²/12; flows of one run share a fabric (a permutation's flows collide on the same
 * links in every run of that seed), so a seed is a *cluster* of correlated values and λ² is
 * larger. The ratio is the design effect of cluster sampling (designEffect below).
 */
export function seedVariation(perSeed: ReadonlyArray<ArrayLike<number>>): SeedVariation {
  let pairs = 0,
    sum = 0;
  for (let i = 0; i < perSeed.length; i++) {
    for (let j = i + 1; j < perSeed.length; j++) {
      const n = perSeed[i].length,
        m = perSeed[j].length;
      if (n < MIN_SEED_SAMPLES || m < MIN_SEED_SAMPLES) continue;
      const d = ksStatistic(perSeed[i], perSeed[j]);
      sum += ((n * m) / (n + m)) * d * d;
      pairs++;
    }
  }
  return { pairs, meanLambda2: pairs > 0 ? sum / pairs : 0 };
}

/**
 * Design effect from seed variations (pooled over their pairs): mean λ² / (π²/12), at least 1;
 * 1 when no pair was measured. Dividing sample sizes by it gives the effective number of
 * independent values (Kish's design effect for clustered samples), which is what the KS
 * critical value and the quantile confidence intervals assume.
 */
export function designEffect(...variations: ReadonlyArray<SeedVariation | undefined>): number {
  let pairs = 0,
    sum = 0;
  for (const v of variations) {
    if (!v || v.pairs === 0) continue;
    pairs += v.pairs;
    sum += v.pairs * v.meanLambda2;
  }
  return pairs > 0 ? Math.max(1, sum / pairs / KOLMOGOROV_MEAN_SQUARE) : 1;
}

/** The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Distribution-free confidence interval for the q-quantile of a sample of `nEff` effective
 * values, as fractions of the sample: the order statistics whose ranks bound nq ± z·sqrt(nq(1−q))
 * (normal approximation to the binomial count of values below the quantile), z for two-sided
 * confidence 1 − alpha. A bound beyond the sample is −∞ / +∞ (reported as fraction < 0 or > 1):
 * with few values in the tail, the sample cannot bound the quantile there.
 */
export function quantileCiFractions(q: number, nEff: number, alpha: number): [number, number] {
  const z = normalQuantile(1 - alpha / 2);
  const half = z * Math.sqrt(nEff * q * (1 - q));
  // Ranks are 1-based: the nearest-rank estimate of the q-quantile is rank ceil(nq).
  const lo = Math.floor(nEff * q - half) / nEff;
  const hi = Math.ceil(nEff * q + half) / nEff;
  return [lo <= 0 ? -1 : lo, hi > 1 ? 2 : hi];
}

/** A histogram bucket: [lowNs, highNs, count]. */
export type Bucket = readonly [number, number, number];

/**
 * D for two histograms over the same bucket boundaries (LatencyHistogram's log-linear buckets),
 * comparing the CDFs at every bucket's upper edge. It is the KS statistic of the binned data,
 * a lower bound on the unbinned one (binning can only hide differences inside a bucket, each
 * ≤ 1 % wide).
 */
export function ksStatisticBinned(a: readonly Bucket[], b: readonly Bucket[]): number {
  const na = total(a),
    nb = total(b);
  if (na === 0 || nb === 0) return na === nb ? 0 : 1;
  const edges = new Map<number, [number, number]>(); // upper edge → [count a, count b]
  for (const [, hi, c] of a) {
    const e = edges.get(hi) ?? [0, 0];
    e[0] += c;
    edges.set(hi, e);
  }
  for (const [, hi, c] of b) {
    const e = edges.get(hi) ?? [0, 0];
    e[1] += c;
    edges.set(hi, e);
  }
  let ca = 0,
    cb = 0,
    d = 0;
  for (const hi of [...edges.keys()].sort((p, q) => p - q)) {
    const [x, y] = edges.get(hi)!;
    ca += x;
    cb += y;
    d = Math.max(d, Math.abs(ca / na - cb / nb));
  }
  return d;
}

export function total(buckets: readonly Bucket[]): number {
  let n = 0;
  for (const b of buckets) n += b[2];
  return n;
}

/** c(α) = sqrt(−ln(α/2)/2): the asymptotic two-sample critical coefficient. */
export function ksCriticalCoefficient(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha: expected a number in (0, 1), got ${alpha}`);
  return Math.sqrt(-Math.log(alpha / 2) / 2);
}

/** The critical D at significance α for sample sizes n and m: c(α)·sqrt((n+m)/(n·m)). */
export function ksCriticalValue(alpha: number, n: number, m: number): number {
  return ksCriticalCoefficient(alpha) * Math.sqrt((n + m) / (n * m));
}

/** Q_KS(λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²}, the Kolmogorov distribution's survival function. */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 1.18) {
    // The alternating series converges slowly for small λ; use the dual (Jacobi theta) form:
    // P(K ≤ λ) = sqrt(2π)/λ Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}.
    if (lambda <= 0) return 1;
    let s = 0;
    for (let k = 1; k <= 50; k++) s += Math.exp((-((2 * k - 1) ** 2) * Math.PI ** 2) / (8 * lambda * lambda));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    s += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/** Asymptotic p-value of D for sample sizes n and m. */
export function ksPValue(d: number, n: number, m: number): number {
  if (n === 0 || m === 0) return 1;
  const ne = (n * m) / (n + m);
  const sq = Math.sqrt(ne);
  return kolmogorovQ((sq + 0.12 + 0.11 / sq) * d);
}

export interface KsOutcome {
  d: number;
  n: number;
  m: number;
  /** Critical D at alpha. */
  critical: number;
  pValue: number;
  /** D > critical: the samples differ at significance alpha. */
  reject: boolean;
}

function outcome(d: number, n: number, m: number, alpha: number): KsOutcome {
  if (n === 0 || m === 0) return { d, n, m, critical: 0, pValue: d > 0 ? 0 : 1, reject: d > 0 };
  const critical = ksCriticalValue(alpha, n, m);
  return { d, n, m, critical, pValue: ksPValue(d, n, m), reject: d > critical };
}

/**
 * The two-sample test on raw samples. `designEff` (≥ 1) divides both sample sizes for the
 * critical value and p-value: values that come in correlated clusters (the flows of one seed)
 * carry fewer independent draws than their count (seedVariation / designEffect above).
 */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>, alpha = 0.01, designEff = 1): KsOutcome {
  return outcome(ksStatistic(a, b), a.length / designEff, b.length / designEff, alpha);
}

/**
 * The two-sample test on histograms. `effectiveN` caps the sample sizes used for the critical
 * value: per-packet latencies are strongly autocorrelated (packets of one flow queue behind each
 * other), so counting every packet as an independent draw would flag seed-to-seed noise.
 */
export function ksTestBinned(
  a: readonly Bucket[],
  b: readonly Bucket[],
  alpha = 0.01,
  effectiveN = Infinity,
): KsOutcome {
  return outcome(ksStatisticBinned(a, b), Math.min(total(a), effectiveN), Math.min(total(b), effectiveN), alpha);
}
