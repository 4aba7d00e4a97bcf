import type { Quantiles, Result } from '../metrics/result.ts';
import { quantiles } from '../metrics/summary.ts';
import { bucketQuantilesUs } from '../metrics/latencyHistogram.ts';

export { bucketQuantilesUs };
import {
  designEffect,
  ksTest,
  ksTestBinned,
  quantileCiFractions,
  seedVariation,
  total,
  type Bucket,
  type KsOutcome,
  type SeedVariation,
} from './ks.ts';
import { VERSION } from '../version.ts';
import { studentTTwoSided, welchTest } from './welch.ts';

/** The quantiles a check compares, of one seed's values. */
export interface SeedQuantiles {
  p50: number;
  p99: number;
  p999: number;
}

/**
 * Latency-distribution baselines: what `ethersim baseline` records and `ethersim check` (and the
 * vitest matcher `toMatchLatencyBaseline`) compare against. A baseline pools one or more seeds
 * of one scenario: every flow's FCT (raw samples) and the per-packet one-way latency histogram
 * (LatencyHistogram buckets). A check pools other seeds of the same scenario (same
 * scenarioHash, which leaves the seed out) and asks whether the distributions moved:
 *   (a) a two-sample Kolmogorov–Smirnov test at significance alpha, on FCTs and on latency;
 *   (b) per-quantile relative tolerances (default p50 ±5 %, p99 ±10 %, p99.9 ±15 %), counted
 *       only when the change is also beyond sampling noise at the same alpha: with ≥ 2 seeds
 *       on each side, a Welch t-test on the seeds' own quantiles (the seed is the independent
 *       unit: it captures whatever correlation the flows or packets of one run share, tails
 *       included); otherwise order-statistic confidence intervals on the pooled samples;
 * Either failing is a regression. Unfinished flows count as an infinite FCT.
 *
 * FCTs of one seed are not independent draws: the flows of a run share the fabric (a
 * permutation's ECMP collisions are the same for every flow of that seed), so a seed is a
 * cluster. The sample sizes of (a) and (b) are divided by the design effect measured from the
 * seeds' own spread (ks.ts seedVariation), so a 1024-flow permutation is not taken for 1024
 * independent draws.
 */

export const BASELINE_FORMAT = 'ethersim-latency-baseline';
export const BASELINE_FORMAT_VERSION = 1;

export interface LatencyBaseline {
  format: typeof BASELINE_FORMAT;
  formatVersion: number;
  /** ethersim version that recorded it. */
  version: string;
  name: string;
  scenarioHash: string;
  seeds: number[];
  /** The scenario file as given to `ethersim baseline` (relative to where it ran), when known. */
  source?: string;
  /** `--set` overrides the baseline was recorded with; `check` applies them before its own. */
  sets: string[];
  fct: {
    unit: 'us';
    /** Finished flows' FCTs, sorted ascending, pooled over seeds. */
    samples: number[];
    unfinished: number;
    quantiles: Quantiles;
    /** KS distances between the recorded seeds (absent in baselines recorded before it existed). */
    seedVariation?: SeedVariation;
    /** Each recorded seed's FCT quantiles (null: unfinished flows reach that quantile). */
    seedQuantiles?: Array<Record<keyof SeedQuantiles, number | null>>;
  };
  /** Per job: its collectives' completion times (µs) pooled over the seeds, as fct (absent without jobs). */
  jobs?: Record<
    string,
    {
      samples: number[];
      unfinished: number;
      seedVariation: SeedVariation;
      seedQuantiles: Array<Record<keyof SeedQuantiles, number | null>>;
    }
  >;
  latency: {
    unit: 'ns';
    /** Pooled histogram: [lowNs, highNs, count] per non-empty bucket, ascending. */
    buckets: Array<[number, number, number]>;
    /** Quantiles in µs (bucket midpoints; ≤ 1 % relative error). */
    quantiles: Quantiles;
    /** Each recorded seed's latency quantiles (µs). */
    seedQuantiles?: SeedQuantiles[];
  };
}

/** What a check compares with a baseline: one or more runs of one scenario, pooled. */
export interface DistributionSample {
  name: string;
  scenarioHash: string;
  seeds: number[];
  fctUs: number[];
  unfinished: number;
  /** KS distances between the pooled seeds' FCTs (unfinished = +∞). */
  fctSeedVariation: SeedVariation;
  /** Per seed: FCT quantiles (+∞ where unfinished flows reach them). */
  fctSeedQuantiles: SeedQuantiles[];
  /** Per seed: latency quantiles (µs), when the runs carry histograms. */
  latencySeedQuantiles: SeedQuantiles[];
  latencyBuckets: Array<[number, number, number]>;
  /** False when the runs did not carry histogram buckets (then latency is compared by quantiles only). */
  hasLatencyBuckets: boolean;
  /** Per job (collectives, jobs, traces): per seed, its collectives' completion times (µs, +∞ unfinished). */
  jobSeeds?: Record<string, number[][]>;
  /** Latency quantiles (µs) when only a single Result's summary was available. */
  latencyQuantilesUs?: Quantiles;
}

/** A run with its latency histogram (from runScenarioWithHistogramAsync or the worker's runDetailed). */
export interface RunWithHistogram {
  result: Result;
  latencyBuckets?: ReadonlyArray<readonly [number, number, number]>;
}

/** Pool runs (several seeds of one scenario). Throws if they are of different scenarios. */
export function poolRuns(runs: readonly RunWithHistogram[]): DistributionSample {
  if (runs.length === 0) throw new Error('poolRuns: no runs');
  const hash = runs[0].result.meta.scenarioHash;
  for (const r of runs) {
    if (r.result.meta.scenarioHash !== hash)
      throw new Error(`poolRuns: runs of different scenarios (${hash} and ${r.result.meta.scenarioHash})`);
  }
  const perSeed = runs.map((r) => r.result.flows.map((f) => (f.fctPs >= 0 ? f.fctPs / 1e6 : Infinity)));
  const hasLatencyBuckets = runs.every((r) => r.latencyBuckets !== undefined);
  const latencyBuckets = hasLatencyBuckets ? mergeBuckets(runs.map((r) => r.latencyBuckets!)) : [];
  return {
    name: runs[0].result.meta.name,
    scenarioHash: hash,
    seeds: runs.map((r) => r.result.meta.seed),
    ...fctSampleOfSeeds(perSeed),
    latencySeedQuantiles: hasLatencyBuckets ? runs.map((r) => pick(bucketQuantilesUs(r.latencyBuckets!))) : [],
    latencyBuckets,
    hasLatencyBuckets,
    latencyQuantilesUs: !hasLatencyBuckets && runs.length === 1 ? runs[0].result.summary.latencyUs : undefined,
    ...(runs[0].result.jobs?.length ? { jobSeeds: jobSeedsOf(runs) } : {}),
  };
}

/**
 * The FCT part of a sample from each seed's FCTs (µs, +∞ for an unfinished flow): pooled finished
 * FCTs sorted, the unfinished count, the seeds' KS spread and their own quantiles.
 */
export function fctSampleOfSeeds(
  perSeed: ReadonlyArray<readonly number[]>,
): Pick<DistributionSample, 'fctUs' | 'unfinished' | 'fctSeedVariation' | 'fctSeedQuantiles'> {
  const all = perSeed.flat();
  const fctUs = all.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    fctUs,
    unfinished: all.length - fctUs.length,
    fctSeedVariation: seedVariation(perSeed),
    fctSeedQuantiles: perSeed.map((v) => pick(quantiles(v))),
  };
}

function pick(q: Quantiles): SeedQuantiles {
  return { p50: q.p50, p99: q.p99, p999: q.p999 };
}

/** Each job's collectives' completion times (µs; +∞ unfinished), per seed. */
function jobSeedsOf(runs: readonly RunWithHistogram[]): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const r of runs)
    for (const j of r.result.jobs ?? []) {
      out[j.name] ??= [];
      out[j.name].push(j.collectives.map((c) => (c.timePs >= 0 ? c.timePs / 1e6 : Infinity)));
    }
  return out;
}

/** Sum histograms with the same bucket scheme. */
export function mergeBuckets(
  lists: ReadonlyArray<ReadonlyArray<readonly [number, number, number]>>,
): Array<[number, number, number]> {
  const m = new Map<number, [number, number, number]>();
  for (const list of lists) {
    for (const [lo, hi, c] of list) {
      const e = m.get(lo);
      if (e) e[2] += c;
      else m.set(lo, [lo, hi, c]);
    }
  }
  return [...m.values()].sort((a, b) => a[0] - b[0]);
}

/** FCT quantiles with unfinished flows counted as +Infinity. */
export function fctQuantiles(fctUs: readonly number[], unfinished: number): Quantiles {
  const all = unfinished > 0 ? [...fctUs, ...Array<number>(unfinished).fill(Infinity)] : fctUs;
  return quantiles(all);
}

export function makeBaseline(sample: DistributionSample, sets: string[] = [], source?: string): LatencyBaseline {
  if (!sample.hasLatencyBuckets)
    throw new Error(
      'makeBaseline: the runs carry no latency histogram (use runDetailed / runScenarioWithHistogramAsync)',
    );
  const q = fctQuantiles(sample.fctUs, sample.unfinished);
  return {
    format: BASELINE_FORMAT,
    formatVersion: BASELINE_FORMAT_VERSION,
    version: VERSION,
    name: sample.name,
    scenarioHash: sample.scenarioHash,
    seeds: sample.seeds,
    source,
    sets,
    fct: {
      unit: 'us',
      samples: sample.fctUs,
      unfinished: sample.unfinished,
      quantiles: jsonSafe(q) as unknown as Quantiles,
      seedVariation: sample.fctSeedVariation,
      seedQuantiles: sample.fctSeedQuantiles.map((x) => jsonSafe(x)),
    },
    ...(sample.jobSeeds
      ? {
          jobs: Object.fromEntries(
            Object.entries(sample.jobSeeds).map(([name, perSeed]) => {
              const f = fctSampleOfSeeds(perSeed);
              return [
                name,
                {
                  samples: f.fctUs,
                  unfinished: f.unfinished,
                  seedVariation: f.fctSeedVariation,
                  seedQuantiles: f.fctSeedQuantiles.map((x) => jsonSafe(x)),
                },
              ];
            }),
          ),
        }
      : {}),
    latency: {
      unit: 'ns',
      buckets: sample.latencyBuckets,
      quantiles: bucketQuantilesUs(sample.latencyBuckets),
      seedQuantiles: sample.latencySeedQuantiles,
    },
  };
}

/** The same numbers with +∞ as null (JSON has no Infinity; null = unfinished flows reach it). */
function jsonSafe<T extends object>(q: T): { [K in keyof T]: number | null } {
  const o = { ...q } as Record<string, number | null>;
  for (const k of Object.keys(o)) if (o[k] === Infinity) o[k] = null;
  return o as { [K in keyof T]: number | null };
}

/** Parse and check a baseline file's text. */
export function parseBaseline(text: string, source = 'baseline'): LatencyBaseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${source}: not JSON: ${(e as Error).message}`);
  }
  const b = doc as Partial<LatencyBaseline>;
  if (!b || b.format !== BASELINE_FORMAT)
    throw new BaselineError(
      `${source}: not an ethersim latency baseline (format field is ${JSON.stringify(b?.format)})`,
    );
  if (b.formatVersion !== BASELINE_FORMAT_VERSION)
    throw new BaselineError(
      `${source}: baseline format version ${b.formatVersion}, this ethersim reads ${BASELINE_FORMAT_VERSION}; re-record it with \`ethersim baseline\``,
    );
  if (typeof b.scenarioHash !== 'string' || !Array.isArray(b.fct?.samples) || !Array.isArray(b.latency?.buckets))
    throw new BaselineError(`${source}: baseline is missing scenarioHash, fct.samples or latency.buckets`);
  return b as LatencyBaseline;
}

export class BaselineError extends Error {
  override name = 'BaselineError';
}

// ------------------------------------------------------------------ comparison

export interface Tolerances {
  p50: number;
  p99: number;
  p999: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { p50: 0.05, p99: 0.1, p999: 0.15 };

export interface CheckOptions {
  /** KS significance (default 0.01). */
  alpha?: number;
  tolerances?: Partial<Tolerances>;
  /**
   * Per-packet latencies are not independent draws; the KS critical value for latency uses at
   * most this many samples per side (default 1000). See docs/regression.md.
   */
  latencyEffectiveN?: number;
}

export interface CheckRow {
  /** 'fct', 'latency', or 'job <name>' (a job's collective completion times). */
  distribution: string;
  /** 'p50' | 'p99' | 'p99.9' | 'KS' */
  test: string;
  baseline: number;
  current: number;
  /** Relative change for quantiles; D for KS. */
  change: number;
  /** Allowed relative change for quantiles; critical D for KS. */
  limit: number;
  /** KS p-value (KS rows only). */
  pValue?: number;
  /**
   * Quantile rows: the change is beyond the tolerance but inside sampling noise (the seed-level
   * t-test, or the order-statistic intervals, find no significant difference), so it does not
   * count as moved.
   */
  withinNoise?: boolean;
  moved: boolean;
}

export interface CheckReport {
  name: string;
  hashMatch: boolean;
  baselineHash: string;
  currentHash: string;
  baselineSeeds: number[];
  currentSeeds: number[];
  rows: CheckRow[];
  /** FCT design effect (≥ 1): by how much the seeds' clustering divides the sample sizes. */
  fctDesignEffect: number;
  /** Names of what moved, e.g. ['fct p99', 'latency KS']. */
  moved: string[];
  /** What the check could not judge, and why (e.g. a KS difference with one seed). */
  notes: string[];
  ok: boolean;
}

const QUANTILE_KEYS: Array<[keyof Tolerances, 'p50' | 'p99' | 'p999', string]> = [
  ['p50', 'p50', 'p50'],
  ['p99', 'p99', 'p99'],
  ['p999', 'p999', 'p99.9'],
];

/** The value at fraction f of a sorted sample (nearest rank); f < 0 is −∞, f > 1 is +∞. */
function sortedAt(a: readonly number[], f: number): number {
  if (f < 0) return -Infinity;
  if (f > 1) return Infinity;
  const n = a.length;
  return a[Math.min(n - 1, Math.max(0, Math.ceil(f * n) - 1))];
}

/** The value (µs, bucket midpoint) at fraction f of a histogram in ns; f < 0 is −∞, f > 1 is +∞. */
function bucketAt(buckets: readonly Bucket[], f: number): number {
  if (f < 0) return -Infinity;
  if (f > 1) return Infinity;
  const n = total(buckets);
  const rank = Math.max(1, Math.ceil(f * n));
  let c = 0;
  for (const b of buckets) {
    c += b[2];
    if (c >= rank) return (b[0] + b[1] - 1) / 2 / 1000;
  }
  const last = buckets[buckets.length - 1];
  return (last[0] + last[1] - 1) / 2 / 1000;
}

const QUANTILE_Q: Record<'p50' | 'p99' | 'p999', number> = { p50: 0.5, p99: 0.99, p999: 0.999 };

/**
 * The seed-level test: both sides have ≥ 2 seeds with a finite value of this quantile. The
 * seeds are independent runs, so their quantiles are independent draws whatever the flows or
 * packets within a run share; Welch's t-test at `alpha` on them. Null when it cannot apply.
 */
function seedShiftSignificant(
  base: ReadonlyArray<number | null> | undefined,
  cur: readonly number[],
  alpha: number,
): boolean | null {
  if (!base || base.length < 2 || cur.length < 1) return null;
  const b = base.map((v) => (v === null ? Infinity : v));
  if (!b.every(Number.isFinite) || !cur.every(Number.isFinite)) return null;
  if (cur.length >= 2) return welchTest(b, cur).pValue < alpha;
  // One current seed: is it outside the baseline seeds' prediction interval? A new seed's
  // quantile x against k baseline seeds of mean m and standard deviation s: t = |x − m| /
  // (s·√(1 + 1/k)) with k − 1 degrees of freedom (the standard prediction interval for one new
  // observation). The seed is the unit, so seed-to-seed spread is not taken for a change; with
  // identical baseline seeds (s = 0) there is no spread to judge by and the caller falls back.
  const k = b.length;
  const mean = b.reduce((a, v) => a + v, 0) / k;
  const sd = Math.sqrt(b.reduce((a, v) => a + (v - mean) ** 2, 0) / (k - 1));
  if (sd === 0) return null;
  return studentTTwoSided(Math.abs(cur[0] - mean) / (sd * Math.sqrt(1 + 1 / k)), k - 1) < alpha;
}

/**
 * Is the difference between two estimates of one quantile beyond sampling noise? Each side's
 * confidence interval (quantileCiFractions, at `alpha`, with its effective sample size) is read
 * off its own sample by `at`; the change is significant when either estimate lies outside the
 * other's interval.
 */
function quantileShiftSignificant(
  q: number,
  alpha: number,
  base: number,
  baseAt: (f: number) => number,
  baseNEff: number,
  cur: number,
  curAt: (f: number) => number,
  curNEff: number,
): boolean {
  const [bl, bh] = quantileCiFractions(q, baseNEff, alpha);
  const [cl, ch] = quantileCiFractions(q, curNEff, alpha);
  return cur < baseAt(bl) || cur > baseAt(bh) || base < curAt(cl) || base > curAt(ch);
}

function relChange(base: number | null, cur: number): number {
  const b = base === null ? Infinity : base;
  if (b === cur) return 0;
  if (!Number.isFinite(b) || !Number.isFinite(cur)) return Infinity;
  if (b === 0) return Infinity;
  return (cur - b) / b;
}

/** Compare a pooled sample with a baseline. A hash mismatch is reported (hashMatch false) with no rows. */
export function compareToBaseline(
  baseline: LatencyBaseline,
  sample: DistributionSample,
  options: CheckOptions = {},
): CheckReport {
  const alpha = options.alpha ?? 0.01;
  const tol = { ...DEFAULT_TOLERANCES, ...options.tolerances };
  const effN = options.latencyEffectiveN ?? 1000;
  const report: CheckReport = {
    name: baseline.name,
    hashMatch: baseline.scenarioHash === sample.scenarioHash,
    baselineHash: baseline.scenarioHash,
    currentHash: sample.scenarioHash,
    baselineSeeds: baseline.seeds,
    currentSeeds: sample.seeds,
    rows: [],
    fctDesignEffect: 1,
    moved: [],
    notes: [],
    ok: false,
  };
  if (!report.hashMatch) return report;

  // FCT
  const deff = designEffect(baseline.fct.seedVariation, sample.fctSeedVariation);
  // One current seed: quantiles are judged by the baseline seeds' prediction interval
  // (seedShiftSignificant); a KS rejection alone is reported, not counted (see the notes).
  const oneSeed = sample.seeds.length < 2;
  report.fctDesignEffect = deff;
  const inf = (n: number) => Array<number>(n).fill(Infinity);
  const bAll = [...baseline.fct.samples, ...inf(baseline.fct.unfinished)];
  const cAll = [...sample.fctUs, ...inf(sample.unfinished)];
  const bq = baseline.fct.quantiles as unknown as Record<string, number | null>;
  const cq = fctQuantiles(sample.fctUs, sample.unfinished);
  for (const [tk, qk, label] of QUANTILE_KEYS) {
    const b = bq[qk] ?? Infinity;
    const change = relChange(bq[qk], cq[qk]);
    const beyond = Math.abs(change) > tol[tk];
    let significant = false;
    if (beyond) {
      // Flows that stop finishing (or start finishing) at this quantile are never noise.
      if (Number.isFinite(b) !== Number.isFinite(cq[qk])) significant = true;
      else {
        const bySeed = seedShiftSignificant(
          baseline.fct.seedQuantiles?.map((x) => x[qk]),
          sample.fctSeedQuantiles.map((x) => x[qk]),
          alpha,
        );
        significant =
          bySeed ??
          quantileShiftSignificant(
            QUANTILE_Q[qk],
            alpha,
            b,
            (f) => sortedAt(bAll, f),
            bAll.length / deff,
            cq[qk],
            (f) => sortedAt(cAll, f),
            cAll.length / deff,
          );
      }
    }
    report.rows.push({
      distribution: 'fct',
      test: label,
      baseline: b,
      current: cq[qk],
      change,
      limit: tol[tk],
      withinNoise: beyond && !significant,
      moved: significant,
    });
  }
  const ks: KsOutcome = ksTest(bAll, cAll, alpha, deff);
  const fctKsOneSeed = ks.reject && oneSeed && deff > 1;
  report.rows.push({
    distribution: 'fct',
    test: 'KS',
    baseline: bAll.length,
    current: cAll.length,
    change: ks.d,
    limit: ks.critical,
    pValue: ks.pValue,
    withinNoise: fctKsOneSeed,
    moved: ks.reject && !fctKsOneSeed,
  });
  if (fctKsOneSeed)
    report.notes.push(
      `fct KS: D ${ks.d.toFixed(4)} > ${ks.critical.toFixed(4)}, but one seed cannot tell a change of shape from the seed-to-seed spread the baseline shows (design effect ${deff.toFixed(1)} from ${baseline.fct.seedVariation?.pairs ?? 0} seed pairs); not counted — check with --seeds 2 or more`,
    );

  // per-packet latency
  const lb = baseline.latency.quantiles;
  const lc = sample.hasLatencyBuckets ? bucketQuantilesUs(sample.latencyBuckets) : sample.latencyQuantilesUs;
  if (lc) {
    for (const [tk, qk, label] of QUANTILE_KEYS) {
      const change = relChange(lb[qk], lc[qk]);
      const beyond = Math.abs(change) > tol[tk];
      let significant = false;
      if (beyond) {
        const bySeed = seedShiftSignificant(
          baseline.latency.seedQuantiles?.map((x) => x[qk]),
          sample.latencySeedQuantiles.map((x) => x[qk]),
          alpha,
        );
        if (bySeed !== null) significant = bySeed;
        else if (!sample.hasLatencyBuckets)
          significant = true; // quantiles only: no noise estimate
        else {
          // Order statistics on the histograms, with the same effective sample cap as the KS test below.
          significant = quantileShiftSignificant(
            QUANTILE_Q[qk],
            alpha,
            lb[qk],
            (f) => bucketAt(baseline.latency.buckets, f),
            Math.min(total(baseline.latency.buckets), effN),
            lc[qk],
            (f) => bucketAt(sample.latencyBuckets, f),
            Math.min(total(sample.latencyBuckets), effN),
          );
        }
      }
      report.rows.push({
        distribution: 'latency',
        test: label,
        baseline: lb[qk],
        current: lc[qk],
        change,
        limit: tol[tk],
        withinNoise: beyond && !significant,
        moved: significant,
      });
    }
  }
  if (sample.hasLatencyBuckets) {
    const lks = ksTestBinned(baseline.latency.buckets, sample.latencyBuckets, alpha, effN);
    // Packets of one seed are clustered as its flows are (the same collisions): with one seed and
    // a baseline whose seeds differ, a KS difference alone is not evidence of a change either.
    const latKsOneSeed = lks.reject && oneSeed && deff > 1;
    report.rows.push({
      distribution: 'latency',
      test: 'KS',
      baseline: total(baseline.latency.buckets),
      current: total(sample.latencyBuckets),
      change: lks.d,
      limit: lks.critical,
      pValue: lks.pValue,
      withinNoise: latKsOneSeed,
      moved: lks.reject && !latKsOneSeed,
    });
    if (latKsOneSeed)
      report.notes.push(
        `latency KS: D ${lks.d.toFixed(4)} > ${lks.critical.toFixed(4)}, but with one seed it cannot be told from seed-to-seed spread; not counted — check with --seeds 2 or more`,
      );
  }
  // Jobs: each job's collective completion times, as the FCTs (quantiles with the seed-level
  // test, and KS with the seeds' design effect).
  for (const [name, b] of Object.entries(baseline.jobs ?? {})) {
    const perSeed = sample.jobSeeds?.[name];
    if (!perSeed) continue;
    const cur = fctSampleOfSeeds(perSeed);
    const bAllJ = [...b.samples, ...inf(b.unfinished)];
    const cAllJ = [...cur.fctUs, ...inf(cur.unfinished)];
    const bqJ = fctQuantiles(b.samples, b.unfinished);
    const cqJ = fctQuantiles(cur.fctUs, cur.unfinished);
    const deffJ = designEffect(b.seedVariation, cur.fctSeedVariation);
    for (const [tk, qk, label] of QUANTILE_KEYS) {
      const change = relChange(bqJ[qk], cqJ[qk]);
      const beyond = Math.abs(change) > tol[tk];
      let significant = false;
      if (beyond) {
        if (Number.isFinite(bqJ[qk]) !== Number.isFinite(cqJ[qk])) significant = true;
        else
          significant =
            seedShiftSignificant(
              b.seedQuantiles.map((x) => x[qk]),
              cur.fctSeedQuantiles.map((x) => x[qk]),
              alpha,
            ) ??
            quantileShiftSignificant(
              QUANTILE_Q[qk],
              alpha,
              bqJ[qk],
              (f) => sortedAt(bAllJ, f),
              bAllJ.length / deffJ,
              cqJ[qk],
              (f) => sortedAt(cAllJ, f),
              cAllJ.length / deffJ,
            );
      }
      report.rows.push({
        distribution: `job ${name}`,
        test: label,
        baseline: bqJ[qk],
        current: cqJ[qk],
        change,
        limit: tol[tk],
        withinNoise: beyond && !significant,
        moved: significant,
      });
    }
    const ksJ = ksTest(bAllJ, cAllJ, alpha, deffJ);
    report.rows.push({
      distribution: `job ${name}`,
      test: 'KS',
      baseline: bAllJ.length,
      current: cAllJ.length,
      change: ksJ.d,
      limit: ksJ.critical,
      pValue: ksJ.pValue,
      moved: ksJ.reject,
    });
  }
  report.moved = report.rows.filter((r) => r.moved).map((r) => `${r.distribution} ${r.test}`);
  report.ok = report.moved.length === 0;
  return report;
}

const fmt = (v: number) =>
  !Number.isFinite(v)
    ? v > 0
      ? 'unfinished'
      : String(v)
    : Math.abs(v) >= 100
      ? v.toFixed(1)
      : Math.abs(v) >= 1
        ? v.toFixed(2)
        : v.toPrecision(3);
const pct = (v: number) => (!Number.isFinite(v) ? '∞' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);

/** The check as a text table; moved rows are marked. */
export function formatCheckReport(r: CheckReport): string {
  if (!r.hashMatch) {
    return (
      `${r.name}: scenario hash mismatch: the baseline was recorded for scenario ${r.baselineHash}, this scenario is ${r.currentHash}.\n` +
      `  The fabric, traffic or parameters differ (the seed, name and description do not count).\n` +
      `  Check against the right baseline, or re-record it with \`ethersim baseline FILE --out BASELINE\` if the change is intended.\n`
    );
  }
  const head = ['', 'test', 'baseline', 'current', 'change', 'allowed', 'p-value', ''];
  const rows = r.rows.map((x) =>
    x.test === 'KS'
      ? [
          x.distribution,
          'KS D',
          `n=${x.baseline}`,
          `n=${x.current}`,
          x.change.toFixed(4),
          `≤ ${x.limit.toFixed(4)}`,
          x.pValue!.toPrecision(3),
          x.moved ? 'MOVED' : x.withinNoise ? 'not judged (1 seed)' : 'ok',
        ]
      : [
          `${x.distribution} (µs)`,
          x.test,
          fmt(x.baseline),
          fmt(x.current),
          pct(x.change),
          `±${(x.limit * 100).toFixed(0)}%`,
          '',
          x.moved ? 'MOVED' : x.withinNoise ? 'ok (within noise)' : 'ok',
        ],
  );
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((row) => [...row[c]].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (c >= 2 && c <= 6 ? cell.padStart(w[c]) : cell.padEnd(w[c])))
      .join('  ')
      .trimEnd();
  const title =
    `${r.name}: baseline seeds ${r.baselineSeeds.join(',')} vs seeds ${r.currentSeeds.join(',')}` +
    (r.fctDesignEffect > 1
      ? ` (FCT design effect ${r.fctDesignEffect.toFixed(1)}: flows of one seed are correlated)`
      : '');
  const verdict = r.ok ? 'ok: no distribution moved' : `REGRESSION: moved: ${r.moved.join(', ')}`;
  const notes = r.notes.map((n) => `note: ${n}`);
  return `${[title, line(head), ...rows.map(line), ...notes, verdict].join('\n')}\n`;
}
