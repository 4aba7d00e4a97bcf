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
  const n = x.length, m = y.length;
  if (n === 0 || m === 0) return n === m ? 0 : 1;
  let i = 0, j = 0, d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  return d;
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
  const na = total(a), nb = total(b);
  if (na === 0 || nb === 0) return na === nb ? 0 : 1;
  const edges = new Map<number, [number, number]>(); // upper edge → [count a, count b]
  for (const [, hi, c] of a) { const e = edges.get(hi) ?? [0, 0]; e[0] += c; edges.set(hi, e); }
  for (const [, hi, c] of b) { const e = edges.get(hi) ?? [0, 0]; e[1] += c; edges.set(hi, e); }
  let ca = 0, cb = 0, d = 0;
  for (const hi of [...edges.keys()].sort((p, q) => p - q)) {
    const [x, y] = edges.get(hi)!;
    ca += x; cb += y;
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
    for (let k = 1; k <= 50; k++) s += Math.exp(-((2 * k - 1) ** 2) * Math.PI ** 2 / (8 * lambda * lambda));
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

/** The two-sample test on raw samples. */
export function ksTest(a: ArrayLike<number>, b: ArrayLike<number>, alpha = 0.01): KsOutcome {
  return outcome(ksStatistic(a, b), a.length, b.length, alpha);
}

/**
 * The two-sample test on histograms. `effectiveN` caps the sample sizes used for the critical
 * value: per-packet latencies are strongly autocorrelated (packets of one flow queue behind each
 * other), so counting every packet as an independent draw would flag seed-to-seed noise.
 */
export function ksTestBinned(a: readonly Bucket[], b: readonly Bucket[], alpha = 0.01, effectiveN = Infinity): KsOutcome {
  return outcome(ksStatisticBinned(a, b), Math.min(total(a), effectiveN), Math.min(total(b), effectiveN), alpha);
}
