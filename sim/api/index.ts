/**
 * ethersim's public API (the package's `ethersim` entry point, for Node). Everything a script,
 * a notebook or a test suite needs: read and validate a scenario; run it in this thread, in a
 * worker thread, on a thread per partition, or many at once; sweep a grid; record a latency
 * baseline and check runs against it. Every other module under sim/ is internal: its names may
 * change in any release. See docs/api.md.
 *
 * Three ways to run one scenario, by where it runs:
 *   runScenario      in this thread, synchronously (a partitioned scenario's partitions take turns)
 *   runInWorker      in a worker thread, so this thread stays free; progress and cancel
 *   runPartitioned   one thread per partition of a partitioned scenario (engine.partitions)
 * and one for many: runAll (a pool of worker threads), which compare, sweeps and seeds use.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { loadScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';
import { runScenario as runInThisThread, type Progress } from '../run/run.ts';
import { runPartitionedThreaded } from '../run/parallel/threads.ts';
import { CancelledError, defaultJobs, makeRunner } from '../run/pool.ts';
import { expandSweep, manifestFor, sweepCsv } from '../run/sweep.ts';
import { scenarioHash } from '../scenario/hash.ts';
import { spawnSimWorker, proxy } from '../run/workerClient.ts';
import { workerBundleEntry } from '../run/workerBundle.ts';
import type { RunWithHistogram } from '../regression/baseline.ts';
import { parseScenario, type ScenarioOptions } from './scenario.ts';

export * from './scenario.ts';
export * from './baseline.ts';
export { CancelledError };
export { VERSION } from '../version.ts';
export type { Scenario, ScenarioInput } from '../scenario/schema.ts';
export type { Result, Quantiles, FlowResult, PortPfcStat, Series, UetReport } from '../metrics/result.ts';
export type { Progress };

/** Where a run reads the files its scenario names (a workload's CDF file): relative paths start here. */
export interface FileOptions {
  /** Directory relative file paths in the scenario are read from (default: the current directory). */
  baseDir?: string;
}

function readerFrom(baseDir: string | undefined): (p: string) => string {
  return (p) => readFileSync(isAbsolute(p) ? p : resolve(baseDir ?? '.', p), 'utf8');
}

/**
 * Read and validate a scenario file (YAML or JSON). Errors name the file. Files the scenario
 * names (CDFs) are read relative to it: pass `dirname(path)` as `baseDir` when running it.
 */
export function readScenario(path: string, options: Omit<ScenarioOptions, 'sourceName'> = {}): Scenario {
  return parseScenario(readFileSync(path, 'utf8'), { ...options, sourceName: path });
}

export interface RunOptions extends FileOptions {
  /** Called now and then with how far the run has got. */
  onProgress?: (p: Progress) => void;
}

/**
 * Run a scenario in this thread and return its result. Synchronous: the thread is busy until
 * the run ends (use runInWorker to keep it free). Same scenario and seed ⇒ the same result,
 * byte for byte, whichever way it is run (except `meta.wallMs`, left 0 here).
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): Result {
  return runInThisThread(scenario, { onProgress: options.onProgress, readText: readerFrom(options.baseDir) });
}

export interface AsyncRunOptions extends RunOptions {
  /** Aborting it stops the run: the promise then resolves with `meta.stopReason` 'cancelled'. */
  signal?: AbortSignal;
}

/** Run a scenario in a Node worker thread (started for this run, ended after it). */
export async function runInWorker(scenario: Scenario, options: AsyncRunOptions = {}): Promise<Result> {
  const w = spawnSimWorker(await workerBundleEntry());
  const onAbort = () => void w.api.cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) onAbort();
    return await w.call((api) =>
      api.run(
        scenario,
        { baseDir: options.baseDir ? resolve(options.baseDir) : undefined },
        options.onProgress ? proxy(options.onProgress) : undefined,
      ),
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await w.terminate();
  }
}

/**
 * Run a partitioned scenario (`engine.partitions` ≥ 2) with one thread per partition. The
 * result is the one runScenario gives with the partitions taking turns in one thread.
 */
export async function runPartitioned(scenario: Scenario, options: RunOptions = {}): Promise<Result> {
  return (
    await runPartitionedThreaded(scenario, {
      baseDir: options.baseDir,
      readText: readerFrom(options.baseDir),
      onProgress: options.onProgress,
    })
  ).result;
}

export interface RunAllOptions extends FileOptions {
  /** Worker threads (default: the machine's cores; 1 runs them one after another in this thread). */
  jobs?: number;
  /** Aborting it cancels the runs: then runAll rejects with a CancelledError. */
  signal?: AbortSignal;
  /** Called as each run finishes, in the order they finish. */
  onResult?: (index: number, run: RunWithHistogram) => void;
}

/**
 * Run many scenarios in a pool of worker threads. Resolves, in the input's order, with each
 * result and its per-packet latency histogram (what baselines are made of); rejects with the
 * first failure once the others have settled.
 */
export async function runAll(scenarios: readonly Scenario[], options: RunAllOptions = {}): Promise<RunWithHistogram[]> {
  const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(), scenarios.length));
  const runner = makeRunner(jobs, {
    baseDir: options.baseDir ? resolve(options.baseDir) : undefined,
    readText: readerFrom(options.baseDir),
  });
  const onAbort = () => runner.cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) runner.cancel();
  try {
    const settled = await Promise.allSettled(
      scenarios.map(async (s, i) => {
        const d = await runner.run(s);
        if (d.result.meta.stopReason === 'cancelled') throw new CancelledError();
        options.onResult?.(i, d);
        return d as RunWithHistogram;
      }),
    );
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return settled.map((r) => (r as PromiseFulfilledResult<RunWithHistogram>).value);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await runner.close();
  }
}

/** Run one scenario under each of `seeds` (in parallel): the runs a baseline or a check pools. */
export function runSeeds(
  scenario: Scenario,
  seeds: readonly number[],
  options: RunAllOptions = {},
): Promise<RunWithHistogram[]> {
  return runAll(
    seeds.map((seed) => ({ ...scenario, seed })),
    options,
  );
}

export interface SweepRow {
  /** Stable id of the grid point (a slug of its settings plus a hash of them). */
  id: string;
  /** `path=value,…` of the grid point. */
  name: string;
  /** The grid point's settings: scenario path → value. */
  set: Record<string, unknown>;
  result: Result;
}

/**
 * Run every point of a scenario's `sweep:` grid (in parallel) and return the results with the
 * tidy CSV `ethersim sweep` writes (variant, one column per swept path, metric, value).
 */
export async function runSweep(
  input: string | object,
  options: ScenarioOptions & RunAllOptions = {},
): Promise<{ rows: SweepRow[]; csv: string }> {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  const sets = [...(options.sets ?? [])];
  if (options.seed !== undefined) sets.push(`seed=${options.seed}`);
  const loaded = loadScenario(text, options.sourceName ?? 'scenario', sets);
  const variants = expandSweep(loaded);
  const runs = await runAll(
    variants.map((v) => v.scenario),
    options,
  );
  const rows = variants.map((v, i) => ({ id: v.id, name: v.name, set: v.set, result: runs[i].result }));
  const manifest = manifestFor(
    loaded.scenario.name,
    scenarioHash(loaded.scenario),
    Object.keys(loaded.scenario.sweep ?? {}),
    variants,
    null,
  );
  return { rows, csv: sweepCsv(manifest, new Map(rows.map((r) => [r.id, r.result]))) };
}
