/**
 * The suite's own use of `ethersim/vitest` (sim/api/vitest.ts, which registers
 * `expect(runs).toMatchLatencyBaseline(path)`): loadBaseline and checkSeeds from there, and
 * runSeeds running a scenario file's seeds in this thread (the public runSeeds uses worker
 * threads; the tests here keep their processes to the two vitest forks).
 *
 *   import { runSeeds } from './helpers/latencyBaseline.ts';
 *   expect(await runSeeds('scenarios/incast-roce.yaml', [], [33, 34])).toMatchLatencyBaseline('tests/baselines/incast-roce.json');
 */
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../sim/scenario/load.ts';
import { runScenarioWithHistogramAsync } from '../../sim/run/runAsync.ts';
import type { RunWithHistogram } from '../../sim/regression/baseline.ts';

export { checkSeeds, readBaseline as loadBaseline } from '../../sim/api/vitest.ts';

/** Run a scenario file under several seeds in this thread, with histograms (for the matcher). */
export async function runSeeds(file: string, sets: string[], seeds: number[]): Promise<RunWithHistogram[]> {
  const text = readFileSync(file, 'utf8');
  const out: RunWithHistogram[] = [];
  for (const seed of seeds)
    out.push(await runScenarioWithHistogramAsync(parseScenario(text, file, [...sets, `seed=${seed}`])));
  return out;
}
