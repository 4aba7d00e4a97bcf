/**
 * `ethersim/vitest`: the distribution check as a vitest matcher, for regression tests in your
 * own suite. Importing this module registers it:
 *
 *   import 'ethersim/vitest';
 *   import { readScenario, runSeeds } from 'ethersim';
 *   const runs = await runSeeds(readScenario('scenarios/incast.yaml'), [5, 6, 7, 8]);
 *   expect(runs).toMatchLatencyBaseline('baselines/incast.json');
 *
 * The subject is what checkAgainstBaseline takes (runs with histograms, results, or a pooled
 * sample); the baseline is a file path (read relative to the current directory) or an object.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import {
  checkAgainstBaseline,
  formatCheckReport,
  parseBaseline,
  type CheckOptions,
  type LatencyBaseline,
  type Runs,
} from './baseline.ts';

export { checkSeeds } from './baseline.ts';

/** Read a baseline file (as `ethersim baseline --out` writes it). */
export function readBaseline(path: string): LatencyBaseline {
  return parseBaseline(readFileSync(path, 'utf8'), path);
}

expect.extend({
  toMatchLatencyBaseline(received: Runs, baseline: string | LatencyBaseline, options: CheckOptions = {}) {
    const b = typeof baseline === 'string' ? readBaseline(baseline) : baseline;
    const where = typeof baseline === 'string' ? baseline : `the baseline of "${b.name}"`;
    const report = checkAgainstBaseline(b, received, options);
    const text = formatCheckReport(report);
    return {
      pass: report.ok,
      message: () =>
        report.ok
          ? `expected the distributions to differ from ${where}, but nothing moved:\n${text}`
          : `expected the distributions to match ${where}:\n${text}`,
    };
  },
});

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: vitest declares Matchers<T = any>; a merged declaration must match it.
  interface Matchers<T = any> {
    /** The pooled FCT and per-packet latency distributions match the baseline (KS tests + quantile tolerances). */
    toMatchLatencyBaseline(baseline: string | LatencyBaseline, options?: CheckOptions): T;
  }
}
