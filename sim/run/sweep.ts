import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
  writeSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import type { LoadedScenario } from '../scenario/load.ts';
import { applyVariant, ScenarioError } from '../scenario/load.ts';
import { canonicalJson, fnv1a64Hex, scenarioHash } from '../scenario/hash.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';
import { jobMetrics } from '../metrics/jobs.ts';
import { VERSION } from '../version.ts';

/**
 * Sweeps: a `sweep:` block maps scenario paths to lists of values; the grid is every
 * combination (the first path outermost). Each grid point is a variant with a stable id
 * (a readable slug plus a hash of its settings, independent of its position), so a re-run
 * skips variants whose result is already on disk, and `--shard I/N` takes every N-th variant
 * (index mod N = I−1) so N machines share a grid.
 *
 * Output directory:
 *   sweep.json                  manifest: base scenario hash, parameters, every variant (id, set, hash), shard
 *   variants/<id>/result.json   one Result per finished variant (written to a temp name, then renamed)
 *   results.csv                 tidy: variant,<param…>,metric,value — one row per (variant, metric)
 */

export interface SweepVariant {
  index: number;
  id: string;
  name: string;
  set: Record<string, unknown>;
  scenario: Scenario;
  hash: string;
}

export interface SweepManifest {
  format: 'ethersim-sweep';
  version: string;
  name: string;
  baseHash: string;
  params: string[];
  variants: Array<{
    index: number;
    id: string;
    name: string;
    set: Record<string, unknown>;
    scenarioHash: string;
    seed: number;
  }>;
  /** The shard this directory holds, or null for the whole grid. */
  shard: { index: number; count: number } | null;
}

function valueText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function slug(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9._=-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 60) || 'variant'
  );
}

/** The most variants one sweep may have (each is a run and a result folder; 10,000 runs of even a
 *  second each are hours: such a study is several sweeps, or shards). */
export const MAX_SWEEP_VARIANTS = 10_000;

/** Every grid point of the loaded file's `sweep:` block. Throws ScenarioError for invalid points. */
export function expandSweep(loaded: LoadedScenario): SweepVariant[] {
  const sweep = loaded.scenario.sweep;
  if (!sweep || Object.keys(sweep).length === 0)
    throw new ScenarioError(['sweep: the scenario has no sweep: block (e.g. sweep: { transport.cc: [none, dcqcn] })']);
  const params = Object.keys(sweep);
  const size = params.reduce((n, p) => n * sweep[p].length, 1);
  if (size > MAX_SWEEP_VARIANTS)
    throw new ScenarioError([
      `sweep: the grid has ${size} variants (${params.map((p) => sweep[p].length).join(' × ')}); the limit is ${MAX_SWEEP_VARIANTS}: split it into several sweeps`,
    ]);
  let grid: Array<Record<string, unknown>> = [{}];
  for (const p of params) {
    const next: Array<Record<string, unknown>> = [];
    for (const g of grid) for (const v of sweep[p]) next.push({ ...g, [p]: v });
    grid = next;
  }
  const lines: string[] = [];
  const out: SweepVariant[] = [];
  grid.forEach((set, index) => {
    const name = params.map((p) => `${p}=${valueText(set[p])}`).join(',');
    const id = `${slug(params.map((p) => `${p.split('.').pop()}=${valueText(set[p])}`).join('_'))}-${fnv1a64Hex(canonicalJson(set)).slice(0, 8)}`;
    try {
      const scenario = applyVariant(loaded.raw, set, name);
      out.push({ index, id, name, set, scenario, hash: scenarioHash(scenario) });
    } catch (e) {
      if (e instanceof ScenarioError) lines.push(...e.lines.map((l) => l.replace(/^compare "/, 'sweep "')));
      else throw e;
    }
  });
  if (lines.length) throw new ScenarioError(collapseVariantErrors(lines));
  return out;
}

/**
 * One line per problem, not per grid point: a bad path or value in a sweep fails every variant
 * that has it, with the same message after the variant's name (`sweep "a=1,b=2": path: …`).
 */
function collapseVariantErrors(lines: string[]): string[] {
  const byProblem = new Map<string, string[]>();
  for (const l of lines) {
    const m = /^sweep "(.*?)": (.*)$/.exec(l);
    const key = m ? m[2] : l;
    const names = byProblem.get(key) ?? [];
    if (m) names.push(m[1]);
    byProblem.set(key, names);
  }
  return [...byProblem].map(([problem, names]) =>
    names.length === 0
      ? problem
      : `sweep "${names[0]}"${names.length > 1 ? ` (and ${names.length - 1} more variant${names.length > 2 ? 's' : ''})` : ''}: ${problem}`,
  );
}

/** `--shard I/N` → {index: I, count: N}; throws on malformed text. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN,
    count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new Error(`--shard: expected I/N with 1 ≤ I ≤ N, e.g. 2/4, got "${text}"`);
  return { index, count };
}

export function inShard(v: { index: number }, shard: { index: number; count: number } | null): boolean {
  return !shard || v.index % shard.count === shard.index - 1;
}

export function manifestFor(
  name: string,
  baseHash: string,
  params: string[],
  variants: SweepVariant[],
  shard: SweepManifest['shard'],
): SweepManifest {
  return {
    format: 'ethersim-sweep',
    version: VERSION,
    name,
    baseHash,
    params,
    variants: variants.map((v) => ({
      index: v.index,
      id: v.id,
      name: v.name,
      set: v.set,
      scenarioHash: v.hash,
      seed: v.scenario.seed,
    })),
    shard,
  };
}

export function resultPath(dir: string, id: string): string {
  return join(dir, 'variants', id, 'result.json');
}

/** A finished variant's result on disk, if it is there and belongs to this variant (same hash and seed). */
export function finishedResult(dir: string, v: { id: string; scenarioHash: string; seed: number }): Result | null {
  const p = resultPath(dir, v.id);
  if (!existsSync(p)) return null;
  try {
    const r = JSON.parse(readFileSync(p, 'utf8')) as Result;
    if (r.meta?.scenarioHash !== v.scenarioHash || r.meta.seed !== v.seed || r.meta.stopReason === 'cancelled')
      return null;
    return r;
  } catch {
    return null;
  }
}

/**
 * Write a file atomically: a temp name in the same directory, then rename (no partial files on a
 * crash or cancel; a failed write removes its temp file). `text` may come as pieces (a series'
 * lines: FabricSeries.ndjsonLines), written in turn, so that no string holds the whole file.
 */
export function writeAtomic(path: string, text: string | readonly string[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    if (typeof text === 'string') writeFileSync(tmp, text);
    else writePieces(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Pieces gathered into writes of about WRITE_CHUNK_CHARS characters: one call per small line would be a system call each. */
const WRITE_CHUNK_CHARS = 1 << 20;

function writePieces(path: string, pieces: readonly string[]): void {
  const fd = openSync(path, 'w');
  try {
    let buf = '';
    for (const p of pieces) {
      if (buf.length > 0 && buf.length + p.length > WRITE_CHUNK_CHARS) {
        writeAll(fd, buf);
        buf = '';
      }
      if (p.length >= WRITE_CHUNK_CHARS) writeAll(fd, p);
      else buf += p;
    }
    if (buf.length > 0) writeAll(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/** All of `text`: a write may take fewer bytes than it was given (a full disk), as writeFileSync knows. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

export function writeVariantResult(dir: string, id: string, result: Result): void {
  const d = join(dir, 'variants', id);
  mkdirSync(d, { recursive: true });
  writeAtomic(join(d, 'result.json'), `${JSON.stringify(result)}\n`);
}

/** Remove temp files left by a killed process. */
export function removeStaleTemps(dir: string): void {
  const vd = join(dir, 'variants');
  if (!existsSync(vd)) return;
  for (const id of readdirSync(vd)) {
    const d = join(vd, id);
    for (const f of readdirSync(d)) if (f.includes('.tmp-')) rmSync(join(d, f), { force: true });
  }
}

// ------------------------------------------------------------------ tidy CSV

/** The metrics one sweep row per (variant, metric) carries, in order. */
export function variantMetrics(r: Result): Array<[string, number | string]> {
  const s = r.summary,
    c = r.counters;
  const rows: Array<[string, number | string]> = [
    ['flowsDone', s.flowsDone],
    ['flowsTotal', s.flowsTotal],
    ['fct_p50_us', s.fctUs.p50],
    ['fct_p90_us', s.fctUs.p90],
    ['fct_p99_us', s.fctUs.p99],
    ['fct_p999_us', s.fctUs.p999],
    ['fct_max_us', s.fctUs.max],
    ['fct_mean_us', s.fctUs.mean],
    ['slowdown_p50', s.slowdown.p50],
    ['slowdown_p99', s.slowdown.p99],
    ['slowdown_p999', s.slowdown.p999],
    ['latency_p50_us', s.latencyUs.p50],
    ['latency_p99_us', s.latencyUs.p99],
    ['latency_p999_us', s.latencyUs.p999],
    ['latency_max_us', s.latencyUs.max],
    ['drops', c.drops],
    ['trims', c.trims],
    ['ecnMarks', c.ecnMarks],
    ['pauseFrames', c.pauseFrames],
    ['pausedTimePs', c.pausedTimePs],
    ['retransmits', c.retransmits],
    ['timeouts', c.timeouts],
    ['cnps', c.cnps],
  ];
  const victims = victimCount(r);
  if (victims !== null) rows.push(['victims', victims]);
  if (r.jobs) rows.push(...jobMetrics(r.jobs));
  rows.push(['simTimePs', r.meta.simTimePs], ['events', r.meta.events], ['stopReason', r.meta.stopReason]);
  return rows;
}

/** Victim flows from the congestion analysis, when the result carries one. */
export function victimCount(r: Result): number | null {
  const v = (r as { congestion?: { summary?: { victims?: unknown } } }).congestion?.summary?.victims;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.length;
  return null;
}

/**
 * One CSV cell. Text starting with =, +, -, @, a tab or a carriage return is prefixed with a
 * single quote, as the OWASP CSV-injection guidance says, so that a spreadsheet shows it rather
 * than evaluating it (a variant named `=HYPERLINK(…)` would be a live formula); numbers, even
 * negative ones, are left as they are.
 */
export function csvCell(v: unknown): string {
  let s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  const numeric = typeof v === 'number' || (/^[-+]?[\d.]/.test(s) && Number.isFinite(Number(s)));
  if (!numeric && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The tidy CSV of the given variants' results (grid order; variants without a result are left out). */
export function sweepCsv(manifest: SweepManifest, results: Map<string, Result>): string {
  const lines = [['variant', ...manifest.params, 'metric', 'value'].map(csvCell).join(',')];
  for (const v of manifest.variants) {
    const r = results.get(v.id);
    if (!r) continue;
    const head = [v.name, ...manifest.params.map((p) => valueText(v.set[p]))].map(csvCell).join(',');
    for (const [m, val] of variantMetrics(r)) lines.push(`${head},${csvCell(m)},${csvCell(val)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function readManifest(dir: string): SweepManifest {
  const p = join(dir, 'sweep.json');
  if (!existsSync(p)) throw new Error(`${dir}: not a sweep output directory (no sweep.json)`);
  const m = JSON.parse(readFileSync(p, 'utf8')) as SweepManifest;
  if (m.format !== 'ethersim-sweep') throw new Error(`${p}: not an ethersim sweep manifest`);
  return m;
}

/** Write the manifest and the CSV of every finished variant found in dir. Returns how many were finished. */
export function finishSweepDir(dir: string, manifest: SweepManifest): number {
  mkdirSync(dir, { recursive: true });
  const results = new Map<string, Result>();
  for (const v of manifest.variants) {
    if (!inShard(v, manifest.shard)) continue;
    const r = finishedResult(dir, v);
    if (r) results.set(v.id, r);
  }
  writeAtomic(join(dir, 'sweep.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeAtomic(join(dir, 'results.csv'), sweepCsv(manifest, results));
  return results.size;
}

/**
 * Join shard directories into `out`: checks that they are shards of one sweep, copies every
 * finished variant's result.json unchanged, writes the whole-grid manifest and CSV. Returns the
 * ids of variants found in no shard.
 */
export function mergeSweepDirs(
  dirs: string[],
  out: string,
): { merged: number; missing: string[]; manifest: SweepManifest } {
  if (dirs.length === 0) throw new Error('merge: no directories given');
  const manifests = dirs.map(readManifest);
  const first = manifests[0];
  const key = (m: SweepManifest) =>
    canonicalJson({ baseHash: m.baseHash, params: m.params, ids: m.variants.map((v) => v.id) });
  manifests.forEach((m, i) => {
    if (key(m) !== key(first))
      throw new Error(`merge: ${dirs[i]} holds a different sweep than ${dirs[0]} (scenario or grid differ)`);
  });
  const whole: SweepManifest = { ...first, shard: null };
  const results = new Map<string, Result>();
  const texts = new Map<string, string>();
  const from = new Map<string, string>();
  for (const dir of dirs) {
    for (const v of whole.variants) {
      if (results.has(v.id)) continue;
      const r = finishedResult(dir, v);
      if (r) {
        results.set(v.id, r);
        texts.set(v.id, readFileSync(resultPath(dir, v.id), 'utf8'));
        from.set(v.id, join(dir, 'variants', v.id));
      }
    }
  }
  for (const [id, text] of texts) {
    const d = join(out, 'variants', id);
    mkdirSync(d, { recursive: true });
    writeAtomic(resultPath(out, id), text);
    // The files beside it (scenario.json, series.ndjson: sim/cli/viewerFiles.ts) come along.
    for (const f of readdirSync(from.get(id)!)) {
      if (f === 'result.json' || f.includes('.tmp-')) continue;
      const tmp = join(d, `${f}.tmp-${process.pid}`);
      copyFileSync(join(from.get(id)!, f), tmp);
      renameSync(tmp, join(d, f));
    }
  }
  mkdirSync(out, { recursive: true });
  writeAtomic(join(out, 'sweep.json'), `${JSON.stringify(whole, null, 2)}\n`);
  writeAtomic(join(out, 'results.csv'), sweepCsv(whole, results));
  return {
    merged: results.size,
    missing: whole.variants.filter((v) => !results.has(v.id)).map((v) => v.id),
    manifest: whole,
  };
}
