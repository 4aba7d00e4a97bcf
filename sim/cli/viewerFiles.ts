import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.ts';

/**
 * What `--out` writes beside result.json for the browser (docs/browser.md, "Open results"):
 * `scenario.json`, the scenario exactly as it ran (defaults filled in, `--set`s applied). The
 * result alone does not say how the fabric was wired; with this file the page draws the
 * topology, replays pauses and queues on it, and a run can be reproduced from its folder.
 */
export const SCENARIO_FILE = 'scenario.json';

export function writeViewerFiles(
  dir: string,
  scenario: Scenario,
  write: (path: string, text: string) => void = writeFileSync,
): void {
  write(join(dir, SCENARIO_FILE), `${JSON.stringify(scenario)}\n`);
}
