/**
 * The public API's distribution regression (browser-safe): record a latency baseline from runs
 * of one scenario under several seeds, and check other runs against it — what `ethersim
 * baseline` and `ethersim check` do, and what the `ethersim/vitest` matcher calls.
 */
import type { Result } from '../metrics/result.ts';
import {
  BaselineError,
  compareToBaseline,
  DEFAULT_TOLERANCES,
  formatCheckReport,
  makeBaseline,
  parseBaseline,
  poolRuns,
  type CheckOptions,
  type CheckReport,
  type CheckRow,
  type DistributionSample,
  type LatencyBaseline,
  type RunWithHistogram,
  type Tolerances,
} from '../regression/baseline.ts';

export { BaselineError, DEFAULT_TOLERANCES, formatCheckReport, parseBaseline };
export type { CheckOptions, CheckReport, CheckRow, DistributionSample, LatencyBaseline, RunWithHistogram, Tolerances };

/**
 * What a check or a baseline is made of: one run or several seeds of one scenario — results
 * (compared on FCTs, and on latency quantiles), runs with their latency histograms (from
 * runAll / runSeeds: latency gets a KS test too), or an already pooled sample.
 */
export type Runs = Result | RunWithHistogram | ReadonlyArray<Result | RunWithHistogram> | DistributionSample;

function isSample(x: unknown): x is DistributionSample {
  return (
    !!x &&
    typeof x === 'object' &&
    Array.isArray((x as DistributionSample).fctUs) &&
    typeof (x as DistributionSample).scenarioHash === 'string'
  );
}

/** Pool runs of one scenario into the sample a check compares. Throws if they are of different scenarios. */
export function poolSeeds(runs: Runs): DistributionSample {
  if (isSample(runs)) return runs;
  const list = Array.isArray(runs) ? runs : [runs as Result | RunWithHistogram];
  return poolRuns(list.map((x) => ('meta' in x ? { result: x as Result } : (x as RunWithHistogram))));
}

/**
 * A baseline of runs of one scenario (several seeds, each with its latency histogram: runSeeds).
 * `sets` and `source` are recorded in it for the reader (the overrides and the file they came from).
 */
export function recordBaseline(
  runs: readonly RunWithHistogram[],
  options: { sets?: string[]; source?: string } = {},
): LatencyBaseline {
  return makeBaseline(poolSeeds(runs), options.sets ?? [], options.source);
}

/**
 * Compare runs with a baseline (an object or its JSON text): KS tests and per-quantile
 * tolerances on the FCT and per-packet latency distributions. `report.ok` is false when a
 * distribution moved (`report.moved` names what) or the scenario is not the baseline's.
 */
export function checkAgainstBaseline(
  baseline: LatencyBaseline | string,
  runs: Runs,
  options: CheckOptions = {},
): CheckReport {
  const b = typeof baseline === 'string' ? parseBaseline(baseline) : baseline;
  return compareToBaseline(b, poolSeeds(runs), options);
}

/** The seeds a check runs by default: as many as the baseline has, right after its largest. */
export function checkSeeds(baseline: LatencyBaseline, n = baseline.seeds.length): number[] {
  const first = Math.max(...baseline.seeds) + 1;
  return Array.from({ length: n }, (_, i) => first + i);
}
