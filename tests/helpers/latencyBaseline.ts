/**
 * `expect(x).toMatchLatencyBaseline('tests/baselines/NAME.json', options?)`: the distribution
 * check of `ethersim check` as a vitest matcher. `x` is one run or several seeds of one
 * scenario: a Result, a `{ result, latencyBuckets }` (runScenarioWithHistogramAsync, or the
 * worker's runDetailed), an array of either, or a pooled DistributionSample. With histogram
 * buckets the per-packet latency gets a KS test too; a bare Result is compared on FCTs (KS and
 * quantiles) and on its latency quantiles. The scenario hash must match the baseline's.
 *
 *   import { runSeeds } from './helpers/latencyBaseline.ts';
 *   expect(await runSeeds('scenarios/incast-roce.yaml', [], [33, 34])).toMatchLatencyBaseline('tests/baselines/incast-roce.json');
 *
 * Importing this module registers the matcher.
 */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Result } from '../../sim/metrics/result.ts';
import { parseScenario } from '../../sim/scenario/load.ts';
import { runScenarioWithHistogramAsync } from '../../sim/run/runAsync.ts';
import {
  poolRuns,
  parseBaseline,
  compareToBaseline,
  formatCheckReport,
  type CheckOptions,
  type DistributionSample,
  type RunWithHistogram,
  type LatencyBaseline,
} from '../../sim/regression/baseline.ts';

export type LatencyBaselineSubject =
  | Result
  | RunWithHistogram
  | ReadonlyArray<Result | RunWithHistogram>
  | DistributionSample;

function isSample(x: unknown): x is DistributionSample {
  return (
    !!x &&
    typeof x === 'object' &&
    Array.isArray((x as DistributionSample).fctUs) &&
    typeof (x as DistributionSample).scenarioHash === 'string'
  );
}
function asRun(x: Result | RunWithHistogram): RunWithHistogram {
  return 'meta' in x ? { result: x as Result } : (x as RunWithHistogram);
}
export function toSample(x: LatencyBaselineSubject): DistributionSample {
  if (isSample(x)) return x;
  const list = Array.isArray(x) ? x : [x as Result | RunWithHistogram];
  return poolRuns(list.map(asRun));
}

export function loadBaseline(path: string): LatencyBaseline {
  return parseBaseline(readFileSync(path, 'utf8'), path);
}

/** Run a scenario file under several seeds in this thread, with histograms (for the matcher). */
export async function runSeeds(file: string, sets: string[], seeds: number[]): Promise<RunWithHistogram[]> {
  const text = readFileSync(file, 'utf8');
  const out: RunWithHistogram[] = [];
  for (const seed of seeds)
    out.push(await runScenarioWithHistogramAsync(parseScenario(text, file, [...sets, `seed=${seed}`])));
  return out;
}

/** The seeds a check uses by default: as many as the baseline, right after its largest. */
export function checkSeeds(b: LatencyBaseline, n = b.seeds.length): number[] {
  const first = Math.max(...b.seeds) + 1;
  return Array.from({ length: n }, (_, i) => first + i);
}

expect.extend({
  toMatchLatencyBaseline(received: LatencyBaselineSubject, path: string, options: CheckOptions = {}) {
    const baseline = loadBaseline(path);
    const report = compareToBaseline(baseline, toSample(received), options);
    const text = formatCheckReport(report);
    return {
      pass: report.ok,
      message: () =>
        report.ok
          ? `expected the distributions to differ from ${path}, but nothing moved:\n${text}`
          : `expected the distributions to match ${path}:\n${text}`,
    };
  },
});

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: vitest declares Matchers<T = any>; a merged declaration must match it.
  interface Matchers<T = any> {
    /** Pooled FCT and per-packet latency distributions match the baseline file (KS + quantile tolerances). */
    toMatchLatencyBaseline(path: string, options?: CheckOptions): T;
  }
}
