import type { Result } from '../../sim/metrics/result.ts';
import { parseSeriesFile, type SeriesFile } from './seriesFile.ts';

/**
 * Results written by the CLI, opened in the page: a `result.json` (with the `scenario.json`
 * that `--out` writes beside it, sim/cli/viewerFiles.ts), an output folder of `ethersim run
 * --out` or `compare` (one sub-folder per variant), or a `sweep` folder (`sweep.json`,
 * `variants/<id>/result.json`). Files arrive as (path, text) pairs from a file picker, a folder
 * picker or a drop; nothing here touches the DOM, so tests/web-fabric.test.ts drives it. The
 * `series.ndjson` beside a result (the fabric over time: seriesFile.ts) is read too when present.
 */
export interface InFile {
  /** Path relative to what was opened ("out/roce/result.json", or just "result.json"). */
  path: string;
  text(): Promise<string>;
}

export interface LoadedRun {
  name: string;
  result: Result;
  /** The scenario as it ran (scenario.json beside the result), or null when absent. */
  scenario: unknown | null;
  /** The fabric over time (series.ndjson beside the result), or null when absent or unreadable. */
  series?: SeriesFile | null;
  /** Why series.ndjson was not read, when it was there but is not one. */
  seriesNote?: string;
}

export interface SweepRow {
  id: string;
  name: string;
  set: Record<string, unknown>;
  result: Result | null;
  scenario: unknown | null;
  /** Its series.ndjson, read when the variant is opened (a sweep may hold hundreds). */
  loadSeries(): Promise<Pick<LoadedRun, 'series' | 'seriesNote'>>;
}

export type Loaded =
  | { kind: 'runs'; runs: LoadedRun[] }
  | { kind: 'sweep'; name: string; params: string[]; rows: SweepRow[] };

const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\.?\//, '');
const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '');
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

function parseResult(text: string, path: string): Result {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
  const m = (r as Result | null)?.meta;
  if (!m || typeof m.simTimePs !== 'number' || !Array.isArray((r as Result).flows))
    throw new Error(`${path}: not an ethersim result (no meta.simTimePs / flows)`);
  return r as Result;
}

/** Classify and parse what was opened. Throws with a one-line reason when nothing fits. */
export async function openResults(files: InFile[]): Promise<Loaded> {
  const byPath = new Map(files.map((f) => [norm(f.path), f]));
  const read = async (p: string) => (byPath.has(p) ? byPath.get(p)!.text() : null);
  const readJson = async (p: string) => {
    const t = await read(p);
    return t === null ? null : (JSON.parse(t) as unknown);
  };
  const readSeries = async (dir: string): Promise<Pick<LoadedRun, 'series' | 'seriesNote'>> => {
    const p = `${dir}series.ndjson`;
    const t = await read(p);
    if (t === null) return { series: null };
    try {
      return { series: parseSeriesFile(t, p) };
    } catch (e) {
      return { series: null, seriesNote: (e as Error).message };
    }
  };
  const sweepPath = [...byPath.keys()].filter((p) => baseOf(p) === 'sweep.json').sort((a, b) => a.length - b.length)[0];
  if (sweepPath !== undefined) {
    const m = JSON.parse((await read(sweepPath))!) as {
      format?: string;
      name: string;
      params: string[];
      variants: Array<{ id: string; name: string; set: Record<string, unknown> }>;
    };
    if (m.format !== 'ethersim-sweep') throw new Error(`${sweepPath}: not an ethersim sweep manifest`);
    const root = dirOf(sweepPath);
    const rows: SweepRow[] = [];
    for (const v of m.variants) {
      const p = `${root}variants/${v.id}/result.json`;
      const t = await read(p);
      rows.push({
        id: v.id,
        name: v.name,
        set: v.set,
        result: t === null ? null : parseResult(t, p),
        scenario: await readJson(`${root}variants/${v.id}/scenario.json`),
        loadSeries: () => readSeries(`${root}variants/${v.id}/`),
      });
    }
    return { kind: 'sweep', name: m.name, params: m.params, rows };
  }
  const results = [...byPath.keys()].filter((p) => baseOf(p) === 'result.json' || /\.result\.json$/.test(p)).sort();
  if (!results.length) {
    // A single JSON file of another name: try it as a result (a renamed download).
    const json = [...byPath.keys()].filter((p) => p.endsWith('.json') && baseOf(p) !== 'scenario.json');
    if (json.length === 1) results.push(json[0]);
    else throw new Error('no result.json among the files opened (pick a result.json or an ethersim --out folder)');
  }
  const runs: LoadedRun[] = [];
  for (const p of results) {
    const result = parseResult((await read(p))!, p);
    const dir = dirOf(p);
    // A variant's folder is named for it (compare); a single run's folder is its --out.
    const folder = baseOf(dir.replace(/\/$/, ''));
    const name = results.length > 1 && folder ? folder : result.meta.name;
    runs.push({ name, result, scenario: await readJson(`${dir}scenario.json`), ...(await readSeries(dir)) });
  }
  return { kind: 'runs', runs };
}

/** The summary metrics the sweep grid shows, per variant (the CLI's run table's headline rows). */
export const SWEEP_METRICS: Array<[string, (r: Result) => number]> = [
  ['flows done', (r) => r.summary.flowsDone],
  ['FCT p50 (µs)', (r) => r.summary.fctUs.p50],
  ['FCT p99 (µs)', (r) => r.summary.fctUs.p99],
  ['slowdown p99', (r) => r.summary.slowdown.p99],
  ['pkt latency p99 (µs)', (r) => r.summary.latencyUs.p99],
  ['PFC pauses', (r) => r.counters.pauseFrames],
  ['drops', (r) => r.counters.drops],
  ['sim time (µs)', (r) => r.meta.simTimePs / 1e6],
];
