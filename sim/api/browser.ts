/**
 * ethersim's public API in a browser (the `browser` condition of the `ethersim` entry point):
 * the Node entry's scenario and baseline functions and runScenario; no file reading and no
 * threads (run in a Web Worker with `ethersim/worker` to keep the page responsive).
 */
import type { Result } from '../metrics/result.ts';
import { runScenario as runInThisThread, type Progress } from '../run/run.ts';
import type { Scenario } from '../scenario/schema.ts';

export * from './scenario.ts';
export * from './baseline.ts';
export { VERSION } from '../version.ts';
export type { Scenario, ScenarioInput } from '../scenario/schema.ts';
export type { Result, Quantiles, FlowResult, PortPfcStat, Series, UetReport } from '../metrics/result.ts';
export type { Progress };

/** Run a scenario in this thread (synchronous) and return its result; see the Node entry's runScenario. */
export function runScenario(scenario: Scenario, options: { onProgress?: (p: Progress) => void } = {}): Result {
  return runInThisThread(scenario, { onProgress: options.onProgress });
}
