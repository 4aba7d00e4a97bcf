import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.ts';

/**
 * What `--out` writes beside result.json for the browser (docs/browser.md, "Open results"):
 * `scenario.json`, the scenario exactly as it ran (defaults filled in, `--set`s applied). The
 * result alone does not say how the fabric was wired; with this file the page draws the
 * topology, replays pauses and queues on it, and a run can be reproduced from its folder.
 */
export const SCENARIO_FILE = 'scenario.json';

/**
 * `series.ndjson`: the fabric over time (every port's queue, utilisation and pause state, every
 * flow's delivered bytes; sim/metrics/fabricSeries.ts, docs/results.md "The time-series file"),
 * from which the page draws an opened run's heatmaps (a partitioned run's joined from its
 * partitions' parts, sim/run/parallel/merge.ts).
 */
export const SERIES_FILE = 'series.ndjson';

/** series: the NDJSON text, or its lines (FabricSeries.ndjsonLines), which `write` takes in turn. */
export function writeViewerFiles(
  dir: string,
  scenario: Scenario,
  write: (path: string, text: string | readonly string[]) => void,
  series?: string | readonly string[],
): void {
  write(join(dir, SCENARIO_FILE), `${JSON.stringify(scenario)}\n`);
  if (series !== undefined) write(join(dir, SERIES_FILE), series);
}
