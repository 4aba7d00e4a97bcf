/**
 * Welch's two-sample t-test on small samples (one value per seed), with the Student t
 * distribution computed exactly through the regularized incomplete beta function
 * (Numerical Recipes §6.4 continued fraction; Abramowitz & Stegun 26.7.1):
 *
 *   P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2)
 *   t = (mean_a − mean_b) / sqrt(s_a²/n_a + s_b²/n_b)
 *   ν = (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1))   (Welch–Satterthwaite)
 *
 * Used by the baseline check to ask whether a quantile moved by more than its seed-to-seed
 * spread: the seeds are the independent units of a simulation study, the flows of one seed are
 * not (baseline.ts).
 */

function lnGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), |relative error| < 1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1,
    d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaCf(a, b, x)) / a : 1 - (front * betaCf(b, a, 1 - x)) / b;
}

/** Two-sided tail probability P(|T| > |t|) of Student's t with ν degrees of freedom (ν > 0, real). */
export function studentTTwoSided(t: number, nu: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
}

export interface WelchOutcome {
  t: number;
  df: number;
  /** Two-sided p-value; 1 when both samples are constant and equal, 0 when constant and different. */
  pValue: number;
}

/** Welch's t-test of equal means; each sample needs ≥ 2 finite values. */
export function welchTest(a: readonly number[], b: readonly number[]): WelchOutcome {
  if (a.length < 2 || b.length < 2) throw new RangeError('welchTest: each sample needs at least 2 values');
  const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const variance = (x: readonly number[], m: number) => x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
  const ma = mean(a),
    mb = mean(b);
  const va = variance(a, ma) / a.length,
    vb = variance(b, mb) / b.length;
  const se2 = va + vb;
  if (se2 === 0) return { t: ma === mb ? 0 : Infinity, df: a.length + b.length - 2, pValue: ma === mb ? 1 : 0 };
  const t = (ma - mb) / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  return { t, df, pValue: studentTTwoSided(t, df) };
}
