/**
 * The simulator's worker face, exposed through comlink. The same module runs in a browser Web
 * Worker (`new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })` then
 * `Comlink.wrap<SimWorkerApi>(worker)`) and in a Node `worker_threads` worker (started through
 * `sim/run/workerNode.mjs`, which registers tsx first; see `sim/run/workerClient.ts`), where comlink's
 * node adapter wraps `parentPort`.
 *
 *   const api = Comlink.wrap<SimWorkerApi>(worker);
 *   const result = await api.run(yamlTextOrObject, { seed: 3, sets: ['transport.cc=dcqcn'] },
 *                                Comlink.proxy((p) => draw(p)));
 *   api.cancel();   // the pending run resolves with meta.stopReason 'cancelled'
 *
 * The run goes in slices (sim/run/runAsync.ts) and yields between them, so `cancel` is received
 * within one slice (≈ 10–30 ms). Results cross as plain data (structured clone): the Result is
 * JSON-shaped, identical to `runScenario`'s for the same scenario and seed (except meta.wallMs).
 * Invalid scenarios reject with an Error named 'ScenarioError' whose message has one line per
 * problem.
 */
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { loadScenario, scenarioHash } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';
import type { Progress } from './run.ts';
import { runSimulationAsync, runScenarioWithHistogramAsync, type Snapshot } from './runAsync.ts';
import { buildSimulation, collectResult, seriesTextOf } from './run.ts';
import { FabricSeries } from '../metrics/fabricSeries.ts';
import { aloneScenarios, applyAlone } from './jobsAlone.ts';
import { VERSION } from '../version.ts';
import { wallClockMs } from './wallClock.ts';

export type { Progress, Snapshot };

export interface WorkerRunOptions {
  /** Run with this seed instead of the scenario's. */
  seed?: number;
  /** `path=value` overrides, as on the command line. */
  sets?: string[];
  /** Minimum wall time between progress callbacks (default 100 ms; 0 = every slice). */
  progressEveryMs?: number;
  /** Minimum wall time between snapshot callbacks (default 500 ms). */
  snapshotEveryMs?: number;
  /** Events per slice (default 16384). */
  sliceEvents?: number;
  /** Name shown in the result (meta.name); default the scenario's. */
  name?: string;
  /** Name used in error messages for the scenario text (default "scenario"). */
  sourceName?: string;
  /** Node only: directory that relative file paths in the scenario (CDF files) are read from. */
  baseDir?: string;
  /** Record the fabric over time: DetailedResult.series. */
  series?: boolean;
}

export interface DetailedResult {
  result: Result;
  /** Per-packet one-way latency histogram: [lowNs, highNs, count] for each non-empty bucket. */
  latencyBuckets: Array<[number, number, number]>;
  /** `series.ndjson`'s text (sim/metrics/fabricSeries.ts), when asked for with `series`. */
  series?: string;
}

export interface SimWorkerApi {
  /** The package version (and a cheap way to wait until the worker is up). */
  version(): string;
  /** Validate; returns the scenario (defaults filled in) and its hash. Rejects with a ScenarioError. */
  validate(input: unknown, opts?: WorkerRunOptions): { scenario: Scenario; hash: string };
  /** Run one scenario (a raw object, or YAML/JSON text). */
  run(
    input: unknown,
    opts?: WorkerRunOptions,
    onProgress?: (p: Progress) => void,
    onSnapshot?: (snapshot: Snapshot) => void,
  ): Promise<Result>;
  /** As run, also returning the latency histogram buckets (for baselines). */
  runDetailed(input: unknown, opts?: WorkerRunOptions, onProgress?: (p: Progress) => void): Promise<DetailedResult>;
  /** Cancel every run in progress in this worker; they resolve with stopReason 'cancelled'. */
  cancel(): void;
}

/** Scenario text or object + seed/sets → a validated scenario. */
export function scenarioFromInput(input: unknown, opts: WorkerRunOptions = {}): Scenario {
  const text = typeof input === 'string' ? input : JSON.stringify(input ?? null);
  const sets = [...(opts.sets ?? [])];
  if (opts.seed !== undefined) sets.push(`seed=${opts.seed}`);
  const s = loadScenario(text, opts.sourceName ?? 'scenario', sets).scenario;
  if (opts.name !== undefined) s.name = opts.name;
  return s;
}

// Progress/snapshot throttling and meta.wallMs only (wallClock.ts).
const clock = wallClockMs;

let generation = 0;

function readerFor(baseDir: string | undefined): ((p: string, encoding?: 'utf8' | 'latin1') => string) | undefined {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (m: string) => unknown } })
    .process;
  if (!proc?.versions?.node) return undefined;
  // process.getBuiltinModule is Node ≥ 20.16; fall back to no reader (scenarios with CDF files then fail clearly).
  const fs = proc.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  const path = proc.getBuiltinModule?.('node:path') as typeof import('node:path') | undefined;
  if (!fs || !path) return undefined;
  return (p: string, encoding: 'utf8' | 'latin1' = 'utf8') =>
    fs.readFileSync(path.resolve(baseDir ?? '.', p), encoding);
}

async function runDetailedImpl(
  input: unknown,
  opts: WorkerRunOptions = {},
  onProgress?: (p: Progress) => void,
  onSnapshot?: (snapshot: Snapshot) => void,
): Promise<DetailedResult> {
  const myGeneration = generation;
  const scenario = scenarioFromInput(input, opts);
  const t0 = clock();
  const progressEvery = opts.progressEveryMs ?? 100;
  const snapshotEvery = opts.snapshotEveryMs ?? 500;
  let lastProgress = -Infinity;
  let lastSnapshot = t0;
  const throttled = onProgress
    ? (p: Progress) => {
        const now = clock();
        if (now - lastProgress < progressEvery) return;
        lastProgress = now;
        void onProgress(p);
      }
    : undefined;
  if (scenario.engine.partitions > 1) {
    // Partitions take turns in this thread (sim/run/parallel/sequential.ts): the threaded run's result.
    const d = await runScenarioWithHistogramAsync(scenario, {
      readText: readerFor(opts.baseDir),
      sliceEvents: opts.sliceEvents,
      isCancelled: () => generation !== myGeneration,
      onProgress: throttled,
      series: opts.series,
    });
    if (onProgress)
      void onProgress({
        simTimePs: d.result.meta.simTimePs,
        events: d.result.meta.events,
        flowsDone: d.result.summary.flowsDone,
        flowsTotal: d.result.summary.flowsTotal,
      });
    d.result.meta.wallMs = clock() - t0;
    return d;
  }
  const s = buildSimulation(scenario, { readText: readerFor(opts.baseDir) });
  const rec = opts.series ? new FabricSeries(s.fabric, s.flows) : null;
  const reason = await runSimulationAsync(
    s,
    {
      sliceEvents: opts.sliceEvents,
      isCancelled: () => generation !== myGeneration,
      onProgress: throttled,
      onSnapshot: onSnapshot
        ? (snap) => {
            const now = clock();
            if (now - lastSnapshot < snapshotEvery) return;
            lastSnapshot = now;
            void onSnapshot(snap);
          }
        : undefined,
      snapshotEverySlices: 1,
    },
    rec,
  );
  if (onProgress)
    void onProgress({
      simTimePs: s.sim.now,
      events: s.sim.events,
      flowsDone: s.flows.doneCount,
      flowsTotal: s.flows.count,
    });
  const result = collectResult(s, reason);
  const series = seriesTextOf(rec, result);
  if (reason !== 'cancelled') {
    // The jobs' alone runs (sim/run/jobsAlone.ts), after the shared one.
    const alone: Array<{ job: string; result: Result }> = [];
    for (const a of aloneScenarios(scenario)) {
      const r = await runScenarioWithHistogramAsync(a.scenario, {
        readText: readerFor(opts.baseDir),
        sliceEvents: opts.sliceEvents,
        isCancelled: () => generation !== myGeneration,
      });
      if (r.result.meta.stopReason === 'cancelled') {
        result.meta.stopReason = 'cancelled';
        break;
      }
      alone.push({ job: a.job, result: r.result });
    }
    applyAlone(result, alone);
  }
  result.meta.wallMs = clock() - t0;
  return { result, latencyBuckets: s.latency ? s.latency.buckets() : [], series };
}

export const simWorkerApi: SimWorkerApi = {
  version: () => VERSION,
  validate: (input, opts) => {
    const scenario = scenarioFromInput(input, opts);
    return { scenario, hash: scenarioHash(scenario) };
  },
  run: async (input, opts, onProgress, onSnapshot) =>
    (await runDetailedImpl(input, opts, onProgress, onSnapshot)).result,
  runDetailed: (input, opts, onProgress) => runDetailedImpl(input, opts, onProgress),
  cancel: () => {
    generation++;
  },
};

// ---------------------------------------------------------------- expose, where we are a worker

type NodeWorkerThreads = typeof import('node:worker_threads');

function exposeHere(): void {
  const g = globalThis as {
    WorkerGlobalScope?: unknown;
    process?: { versions?: { node?: string }; getBuiltinModule?: (m: string) => unknown };
  };
  if (typeof g.WorkerGlobalScope !== 'undefined') {
    expose(simWorkerApi); // a browser (or Deno) Web Worker
    return;
  }
  const wt = g.process?.versions?.node
    ? (g.process.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined)
    : undefined;
  if (
    wt &&
    !wt.isMainThread &&
    wt.parentPort &&
    (wt.workerData as { ethersimWorker?: boolean } | undefined)?.ethersimWorker
  ) {
    expose(simWorkerApi, nodeEndpoint(wt.parentPort as unknown as Parameters<typeof nodeEndpoint>[0]));
  }
}

exposeHere();
