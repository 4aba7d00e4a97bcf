import { readFileSync, existsSync, mkdirSync, statSync, rmSync } from 'node:fs';
import { dirname, resolve, join, basename, relative, sep } from 'node:path';
import type { Scenario } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';
import { loadScenario, scenarioHash, ScenarioError } from '../scenario/load.ts';
import {
  UsageError,
  loadFromArgs,
  makeReadText,
  isInputError,
  safeDirName,
  checkDirNames,
  printRunNotes,
  EXIT_OK,
  EXIT_RUN_FAILED,
  EXIT_INVALID,
  EXIT_REGRESSION,
  type CliIO,
  type RunArgs,
} from './io.ts';
import { formatCompareTable, formatResultTable, flowsCsv, fmtPs, type NamedResult } from './report.ts';
import { writeViewerFiles } from './viewerFiles.ts';
import { makeRunner, defaultJobs, CancelledError, type Runner } from '../run/pool.ts';
import type { DetailedResult } from '../run/worker.ts';
import {
  expandSweep,
  parseShard,
  inShard,
  manifestFor,
  finishedResult,
  writeVariantResult,
  finishSweepDir,
  mergeSweepDirs,
  removeStaleTemps,
  writeAtomic,
  readManifest,
  type SweepManifest,
} from '../run/sweep.ts';
import { canonicalJson } from '../scenario/hash.ts';
import {
  poolRuns,
  makeBaseline,
  parseBaseline,
  compareToBaseline,
  formatCheckReport,
  BaselineError,
  DEFAULT_TOLERANCES,
  type Tolerances,
} from '../regression/baseline.ts';

/**
 * The parallel and statistical commands: compare, sweep, merge, baseline, check. Loaded by
 * sim/cli/main.ts on demand. Simulations run in worker threads (sim/run/pool.ts), `--jobs N` of them
 * (default one per core); with --jobs 1 they run in this thread.
 */

type Command = (args: RunArgs, io: CliIO) => Promise<number>;

/** An AbortSignal: the caller's, or one that SIGINT (Ctrl-C) trips while the command runs. */
function withSignal<T>(io: CliIO, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (io.signal) return body(io.signal);
  const ac = new AbortController();
  const onInt = () => ac.abort();
  process.once('SIGINT', onInt);
  return body(ac.signal).finally(() => process.off('SIGINT', onInt));
}

function runnerFor(args: RunArgs, io: CliIO, scenarioPath: string | undefined, tasks: number, series = false): Runner {
  const jobs = Math.max(1, Math.min(args.jobs ?? defaultJobs(), tasks));
  return makeRunner(jobs, {
    baseDir: scenarioPath ? dirname(scenarioPath) : io.cwd,
    readText: scenarioPath ? makeReadText(scenarioPath, io.cwd) : undefined,
    series,
  });
}

interface Outcome {
  name: string;
  detailed?: DetailedResult;
  error?: string;
  inputError?: boolean;
}

/** Run every scenario on the runner; a failure of one does not stop the others. Cancels on signal. */
async function runAll(
  runner: Runner,
  items: Array<{ name: string; scenario: Scenario }>,
  signal: AbortSignal,
  io: CliIO,
  progress: boolean,
  onDone?: (i: number, d: DetailedResult) => void,
): Promise<{ outcomes: Outcome[]; cancelled: boolean }> {
  let cancelled = signal.aborted;
  const onAbort = () => {
    cancelled = true;
    runner.cancel();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (cancelled) runner.cancel();
  let done = 0;
  try {
    const outcomes = await Promise.all(
      items.map(async (it, i): Promise<Outcome> => {
        try {
          const d = await runner.run(it.scenario);
          if (d.result.meta.stopReason === 'cancelled') return { name: it.name, error: 'cancelled' };
          d.result.meta.name = it.name;
          onDone?.(i, d);
          done++;
          if (progress)
            io.stderr(
              `ethersim: ${it.name}: done in ${(d.result.meta.wallMs / 1000).toFixed(2)} s (${done}/${items.length})\n`,
            );
          return { name: it.name, detailed: d };
        } catch (e) {
          if (e instanceof CancelledError) return { name: it.name, error: 'cancelled' };
          const err = e as Error;
          return {
            name: it.name,
            error: err?.message ?? String(e),
            inputError: isInputError(e) || err?.name === 'ScenarioError',
          };
        }
      }),
    );
    return { outcomes, cancelled };
  } finally {
    signal.removeEventListener('abort', onAbort);
    await runner.close();
  }
}

function reportFailures(outcomes: Outcome[], io: CliIO, multi: boolean): number {
  let exit = EXIT_OK;
  for (const o of outcomes) {
    if (o.detailed) {
      if (o.detailed.result.meta.stopReason === 'deadlock') {
        io.stderr(
          `ethersim: ${multi ? `variant "${o.name}": ` : ''}PFC deadlock detected at ${fmtPs(o.detailed.result.meta.simTimePs)}; the run stopped\n`,
        );
        if (exit === EXIT_OK) exit = EXIT_RUN_FAILED;
      }
      continue;
    }
    if (o.error === 'cancelled') continue;
    if (o.inputError) {
      for (const l of (o.error ?? '').split('\n')) io.stderr(`ethersim: ${multi ? `variant "${o.name}": ` : ''}${l}\n`);
      exit = Math.max(exit, EXIT_INVALID);
    } else {
      io.stderr(`ethersim: run failed${multi ? ` (variant "${o.name}")` : ''}: ${o.error}\n`);
      if (exit === EXIT_OK) exit = EXIT_RUN_FAILED;
    }
  }
  return exit;
}

// ------------------------------------------------------------------ compare

/** The variants of one compare: block, run in parallel (also used by `run` on such a file). */
export async function compareVariants(
  args: RunArgs,
  io: CliIO,
  scenarioPath: string | undefined,
  variants: Array<{ name: string; scenario: Scenario }>,
): Promise<number> {
  const names = new Set<string>();
  for (const v of variants) {
    if (names.has(v.name)) throw new UsageError(`compare: two variants are named "${v.name}"; names must be unique`);
    names.add(v.name);
  }
  if (args.out) checkDirNames(variants.map((v) => v.name));
  // With --out, each variant's series.ndjson too (viewerFiles.ts).
  const runner = runnerFor(args, io, scenarioPath, variants.length, !!args.out);
  const showProgress = !args.quiet && (args.progress || io.stderrIsTTY);
  const { outcomes, cancelled } = await withSignal(io, (signal) => runAll(runner, variants, signal, io, showProgress));
  if (cancelled) {
    io.stderr('ethersim: cancelled; nothing written\n');
    return EXIT_RUN_FAILED;
  }
  let exit = reportFailures(outcomes, io, true);
  for (const [i, o] of outcomes.entries())
    if (o.detailed) printRunNotes(io, o.detailed.result, variants[i].scenario, o.name);
  const results: NamedResult[] = outcomes
    .filter((o) => o.detailed)
    .map((o) => ({ name: o.name, result: o.detailed!.result }));
  const seriesOf = new Map(outcomes.map((o) => [o.name, o.detailed?.series]));

  if (args.out && results.length) {
    const outDir = resolve(io.cwd, args.out);
    try {
      results.forEach((r, i) => {
        const dir = join(outDir, safeDirName(r.name, i));
        mkdirSync(dir, { recursive: true });
        writeAtomic(join(dir, 'result.json'), `${JSON.stringify(r.result)}\n`);
        writeAtomic(join(dir, 'flows.csv'), flowsCsv(r.result.flows, r.result.jobs));
        const v = variants.find((x) => x.name === r.name);
        if (v) writeViewerFiles(dir, v.scenario, writeAtomic, seriesOf.get(r.name));
      });
    } catch (e) {
      io.stderr(`ethersim: cannot write results to ${args.out}: ${(e as Error).message}\n`);
      return EXIT_RUN_FAILED;
    }
  }
  if (args.json) {
    io.stdout(
      `${JSON.stringify({
        variants: outcomes.map((o) =>
          o.detailed ? { name: o.name, result: o.detailed.result } : { name: o.name, error: o.error },
        ),
      })}\n`,
    );
  } else if (!args.quiet && results.length) {
    io.stdout(results.length > 1 ? formatCompareTable(results) : formatResultTable(results));
  }
  if (results.length === 0) exit = Math.max(exit, EXIT_RUN_FAILED);
  return exit;
}

/** `compare FILE…`: one file with a compare: block, or several files (each a variant; a compare: block in any expands there). */
const compare: Command = async (args, io) => {
  if (args.files.length === 0) throw new UsageError('compare: missing scenario FILE (see `ethersim help`)');
  const all: Array<{ name: string; scenario: Scenario }> = [];
  let firstPath: string | undefined;
  for (const f of args.files) {
    const { path, loaded, variants } = loadFromArgs({ ...args, file: f }, io);
    firstPath ??= path;
    if (loaded.scenario.compare?.length) {
      all.push(
        ...variants.map((v) => ({
          name: args.files.length > 1 ? `${loaded.scenario.name}/${v.name}` : v.name,
          scenario: v.scenario,
        })),
      );
    } else {
      let name = loaded.scenario.name;
      if (all.some((x) => x.name === name)) name = basename(f).replace(/\.(ya?ml|json)$/i, '');
      all.push({ name, scenario: loaded.scenario });
    }
  }
  return compareVariants(args, io, firstPath, all);
};

// ------------------------------------------------------------------ sweep and merge

const sweep: Command = async (args, io) => {
  const { path, loaded } = loadFromArgs(args, io);
  let shard: { index: number; count: number } | null = null;
  if (args.shard !== undefined) {
    try {
      shard = parseShard(args.shard);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const variants = expandSweep(loaded);
  const outDir = resolve(io.cwd, args.out ?? join('out', `${safeDirName(loaded.scenario.name, 0)}-sweep`));
  const manifest = manifestFor(
    loaded.scenario.name,
    scenarioHash(loaded.scenario),
    Object.keys(loaded.scenario.sweep!),
    variants,
    shard,
  );
  const mine = variants.filter((v) => inShard(v, shard));
  // A folder holding another sweep (other scenario or grid) would mix the two: refused, or with
  // --force cleared first. The same sweep (any shard of it) resumes.
  const prior = existsSync(join(outDir, 'sweep.json')) ? readManifestOrNull(outDir) : undefined;
  if (prior !== undefined && (prior === null || sweepKey(prior) !== sweepKey(manifest))) {
    if (!args.force)
      throw new UsageError(
        `sweep: --out ${args.out ?? outDir} holds another sweep${prior ? ` ("${prior.name}": other scenario or grid)` : ''}; choose another folder, or add --force to clear its results`,
      );
    for (const f of ['variants', 'sweep.json', 'results.csv'])
      rmSync(join(outDir, f), { recursive: true, force: true });
  }
  removeStaleTemps(outDir);
  const todo = mine.filter((v) => !finishedResult(outDir, { id: v.id, scenarioHash: v.hash, seed: v.scenario.seed }));
  const say = (s: string) => {
    if (!args.quiet) io.stderr(`ethersim: ${s}\n`);
  };
  say(
    `sweep "${loaded.scenario.name}": ${variants.length} variants${shard ? `, shard ${shard.index}/${shard.count}: ${mine.length}` : ''}; ` +
      `${mine.length - todo.length} already finished, ${todo.length} to run → ${outDir}`,
  );
  let exit = EXIT_OK;
  if (todo.length) {
    const runner = runnerFor(args, io, path, todo.length, true);
    const { outcomes, cancelled } = await withSignal(io, (signal) =>
      runAll(
        runner,
        todo.map((v) => ({ name: v.name, scenario: v.scenario })),
        signal,
        io,
        !args.quiet,
        // each finished variant is written at once (atomically), so an interrupted sweep resumes
        // with its scenario.json and series.ndjson, so the page opens it with every view
        (i, d) => {
          writeVariantResult(outDir, todo[i].id, d.result);
          writeViewerFiles(join(outDir, 'variants', todo[i].id), todo[i].scenario, writeAtomic, d.series);
        },
      ),
    );
    if (cancelled) {
      say('cancelled: finished variants are kept (a re-run resumes); no summary written');
      return EXIT_RUN_FAILED;
    }
    exit = reportFailures(outcomes, io, true);
  }
  const finished = finishSweepDir(outDir, manifest);
  say(`${finished}/${mine.length} variants finished; wrote ${join(outDir, 'results.csv')}`);
  return exit;
};

/** What makes two sweep directories one sweep: the scenario, the parameters and the grid (not the shard). */
function sweepKey(m: SweepManifest): string {
  return canonicalJson({ baseHash: m.baseHash, params: m.params, ids: m.variants.map((v) => v.id) });
}

function readManifestOrNull(dir: string): SweepManifest | null {
  try {
    return readManifest(dir);
  } catch {
    return null;
  }
}

const merge: Command = async (args, io) => {
  if (args.files.length === 0)
    throw new UsageError('merge: give the sweep output directories to join (see `ethersim help`)');
  const dirs = args.files.map((d) => resolve(io.cwd, d));
  let out: string;
  try {
    const first = JSON.parse(readFileSync(join(dirs[0], 'sweep.json'), 'utf8')) as { name?: string };
    out = resolve(io.cwd, args.out ?? join('out', `${safeDirName(first.name ?? 'sweep', 0)}-sweep`));
  } catch {
    throw new UsageError(`merge: ${args.files[0]} is not a sweep output directory (no readable sweep.json)`);
  }
  if (dirs.includes(out))
    throw new UsageError(`merge: --out ${args.out ?? out} is one of the inputs; choose another directory`);
  let r: ReturnType<typeof mergeSweepDirs>;
  try {
    r = mergeSweepDirs(dirs, out);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!args.quiet)
    io.stderr(
      `ethersim: merged ${r.merged}/${r.manifest.variants.length} variants from ${dirs.length} directories into ${out}\n`,
    );
  if (r.missing.length) {
    io.stderr(
      `ethersim: merge: ${r.missing.length} variants have no result yet: ${r.missing.slice(0, 5).join(', ')}${r.missing.length > 5 ? ', …' : ''}\n`,
    );
    return EXIT_RUN_FAILED;
  }
  return EXIT_OK;
};

// ------------------------------------------------------------------ baseline and check

function seedRange(start: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

/** Run one scenario under several seeds (in parallel) and pool them. */
async function runSeeds(args: RunArgs, io: CliIO, path: string, scenario: Scenario, seeds: number[]) {
  const items = seeds.map((seed) => ({ name: `seed ${seed}`, scenario: { ...scenario, seed } }));
  const runner = runnerFor(args, io, path, items.length);
  const { outcomes, cancelled } = await withSignal(io, (signal) => runAll(runner, items, signal, io, args.progress));
  if (cancelled) return { cancelled: true as const };
  const exit = reportFailures(outcomes, io, true);
  if (exit !== EXIT_OK || outcomes.some((o) => !o.detailed)) return { exit: exit || EXIT_RUN_FAILED };
  const runs = outcomes.map((o) => o.detailed!);
  for (const r of runs) r.result.meta.name = scenario.name;
  return { sample: poolRuns(runs) };
}

function readScenarioText(args: RunArgs, io: CliIO): { path: string; text: string } {
  if (!args.file) throw new UsageError(`${args.command}: missing scenario FILE (see \`ethersim help\`)`);
  const path = resolve(io.cwd, args.file);
  if (!existsSync(path)) throw new UsageError(`cannot read scenario file ${args.file}: no such file`);
  return { path, text: readFileSync(path, 'utf8') };
}

const baseline: Command = async (args, io) => {
  if (!args.out) throw new UsageError('baseline: --out BASELINE.json is required (e.g. tests/baselines/NAME.json)');
  const { path, text } = readScenarioText(args, io);
  const scenario = loadScenario(text, args.file!, args.sets).scenario;
  const first = args.seed !== undefined ? Number(args.seed) : scenario.seed;
  const seeds = seedRange(first, args.seeds ?? 4);
  const r = await runSeeds(args, io, path, scenario, seeds);
  if ('cancelled' in r) {
    io.stderr('ethersim: cancelled; no baseline written\n');
    return EXIT_RUN_FAILED;
  }
  if (!r.sample) return r.exit!;
  const b = makeBaseline(r.sample, args.sets, relative(io.cwd, path).split(sep).join('/'));
  const out = resolve(io.cwd, args.out);
  mkdirSync(dirname(out), { recursive: true });
  // one number array per line keeps diffs of re-recorded baselines readable
  const json = JSON.stringify(b, null, 2).replace(
    /\[\s+([-\d.e+,\s]+?)\s+\]/g,
    (_, body: string) => `[${body.replace(/\s+/g, '')}]`,
  );
  writeAtomic(out, `${json}\n`);
  if (!args.quiet) {
    const q = b.fct.quantiles,
      l = b.latency.quantiles;
    io.stderr(
      `ethersim: baseline for "${b.name}" (hash ${b.scenarioHash}, seeds ${seeds.join(',')}): ` +
        `${b.fct.samples.length} FCTs (${b.fct.unfinished} unfinished), p50/p99 ${q.p50?.toFixed(2) ?? '∞'}/${q.p99?.toFixed(2) ?? '∞'} µs; ` +
        `${l.count} packets, latency p50/p99 ${l.p50.toFixed(2)}/${l.p99.toFixed(2)} µs → ${args.out}\n`,
    );
  }
  return EXIT_OK;
};

function parseTolerances(text: string | undefined): Tolerances {
  const t = { ...DEFAULT_TOLERANCES };
  if (!text) return t;
  for (const part of text.split(',')) {
    const m = /^\s*(p50|p99|p999|p99\.9)\s*=\s*([\d.]+)(%?)\s*$/.exec(part);
    if (!m) throw new UsageError(`--tol: expected e.g. p50=0.05,p99=0.1,p999=0.15 (or p50=5%,p99=10%), got "${part}"`);
    const key = (m[1] === 'p99.9' ? 'p999' : m[1]) as keyof Tolerances;
    t[key] = Number(m[2]) / (m[3] ? 100 : 1);
  }
  return t;
}

const check: Command = async (args, io) => {
  if (!args.baseline) throw new UsageError('check: --baseline BASELINE.json is required');
  const tolerances = parseTolerances(args.tol);
  const { path, text } = readScenarioText(args, io);
  const bpath = resolve(io.cwd, args.baseline);
  if (!existsSync(bpath))
    throw new UsageError(
      `check: no such baseline file ${args.baseline} (record one with \`ethersim baseline FILE --out ${args.baseline}\`)`,
    );
  if (statSync(bpath).isDirectory())
    throw new UsageError(`check: baseline ${args.baseline} is a directory; give the baseline's JSON file`);
  let base: ReturnType<typeof parseBaseline>;
  try {
    base = parseBaseline(readFileSync(bpath, 'utf8'), args.baseline);
  } catch (e) {
    if (e instanceof BaselineError) throw new UsageError(e.message);
    throw e;
  }
  // The scenario the baseline describes: FILE with the overrides the baseline was recorded with.
  const recorded = loadScenario(text, args.file!, base.sets).scenario;
  const fileHash = scenarioHash(recorded);
  if (fileHash !== base.scenarioHash) {
    const msg =
      `check: scenario hash mismatch: ${args.baseline} was recorded for scenario ${base.scenarioHash} ("${base.name}"), ` +
      `but ${args.file}${base.sets.length ? ` with ${base.sets.map((s) => `--set ${s}`).join(' ')}` : ''} is ${fileHash}. ` +
      `The fabric, traffic or parameters differ (seed, name and description do not count): check against the right baseline, ` +
      `or re-record it with \`ethersim baseline ${args.file} --out ${args.baseline}\` if the change is intended`;
    if (args.json)
      io.stdout(
        `${JSON.stringify({ ok: false, hashMatch: false, baselineHash: base.scenarioHash, currentHash: fileHash })}\n`,
      );
    io.stderr(`ethersim: ${msg}\n`);
    return EXIT_INVALID;
  }
  // What-if overrides given to check itself apply on top (they change what runs, not which baseline fits).
  const scenario = args.sets.length ? loadScenario(text, args.file!, [...base.sets, ...args.sets]).scenario : recorded;
  const n = args.seeds ?? base.seeds.length;
  const first = args.seed !== undefined ? Number(args.seed) : Math.max(...base.seeds) + 1;
  const seeds = seedRange(first, n);
  const overlap = seeds.filter((s) => base.seeds.includes(s));
  if (overlap.length && !args.quiet)
    io.stderr(
      `ethersim: note: seeds ${overlap.join(',')} are also in the baseline; the check is then partly a replay\n`,
    );
  const r = await runSeeds(args, io, path, scenario, seeds);
  if ('cancelled' in r) {
    io.stderr('ethersim: cancelled\n');
    return EXIT_RUN_FAILED;
  }
  if (!r.sample) return r.exit!;
  r.sample.scenarioHash = fileHash; // compared as the file's scenario; overrides are the what-if
  const report = compareToBaseline(base, r.sample, { alpha: args.alpha, tolerances, latencyEffectiveN: args.latencyN });
  if (args.json) io.stdout(`${JSON.stringify({ ...report, sets: args.sets })}\n`);
  else if (!args.quiet || !report.ok)
    io.stdout(
      (args.sets.length ? `with ${args.sets.map((s) => `--set ${s}`).join(' ')}\n` : '') + formatCheckReport(report),
    );
  return report.ok ? EXIT_OK : EXIT_REGRESSION;
};

export const commands: Record<'compare' | 'sweep' | 'merge' | 'baseline' | 'check', Command> = {
  compare,
  sweep,
  merge,
  baseline,
  check,
};

export { ScenarioError };
export type { Result };
