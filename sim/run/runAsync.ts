import { aloneScenarios, applyAlone } from './jobsAlone.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Counters, Result, Series } from '../metrics/result.ts';
import {
  buildSimulation,
  buildPartitions,
  collectResult,
  collectPartitioned,
  finishSimulation,
  partitionsProgress,
  stallPsOf,
  stopLimits,
  seriesTextOf,
  type Progress,
  type Simulation,
} from './run.ts';
import { PartitionTurns } from './parallel/sequential.ts';
import { FabricSeries } from '../metrics/fabricSeries.ts';
import type { StopReason } from '../engine/simulator.ts';

/**
 * `runScenario`, but cooperative: the synchronous event loop runs in slices of `sliceEvents`
 * events and yields to the host's event loop between slices, so a worker can receive a
 * cancel message, and a page stays responsive. Slicing does not change the physics: the run
 * loop's whole state lives in the Simulator, and calling `sim.run` again with a larger event
 * budget continues exactly where the last slice stopped (tests/worker.test.ts checks the
 * result is byte-identical to runScenario's).
 *
 * Nothing here reads the wall clock; callers that want time-based throttling pass their own.
 */
export interface AsyncRunOptions {
  /** Called after every slice (and once at the end). */
  onProgress?: (p: Progress) => void;
  /** A read-only snapshot of the run so far (counters, queue series), every `snapshotEverySlices`. */
  onSnapshot?: (snapshot: Snapshot) => void;
  snapshotEverySlices?: number;
  /** Polled between slices; true ends the run with stopReason 'cancelled'. */
  isCancelled?: () => boolean;
  signal?: AbortSignal;
  /** Events per slice (default 16384: ~10–30 ms of wall time at this simulator's event rate). */
  sliceEvents?: number;
  /** Reads CDF files named by path (absent in a browser). */
  readText?: (path: string) => string;
  /** How to yield between slices (default: setImmediate in Node, a MessageChannel hop elsewhere). */
  yieldFn?: () => Promise<void>;
  /** Record the fabric over time (`series.ndjson`, sim/metrics/fabricSeries.ts). */
  series?: boolean;
}

/**
 * What a running simulation shows without disturbing it. (collectResult is not used mid-run:
 * it finalises analyses, so calling it early would change the final result.)
 */
export interface Snapshot extends Progress {
  counters: Counters;
  /** Queue-depth series so far (when metrics.queueSampleNs is set). */
  series: Series[];
}

export function snapshotOf(s: Simulation): Snapshot {
  return {
    simTimePs: s.sim.now,
    events: s.sim.events,
    flowsDone: s.flows.doneCount,
    flowsTotal: s.flows.count,
    counters: { ...s.fabric.counters },
    series: s.sampler !== null ? s.sampler.series().map((x) => ({ name: x.name, t: x.t.slice(), v: x.v.slice() })) : [],
  };
}

/** Yield to the event loop without the 4 ms clamp browsers put on nested setTimeout(0). */
export function defaultYield(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function')
    return new Promise((r) => {
      g.setImmediate!(r);
    });
  if (typeof MessageChannel === 'function') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

/** Run a built simulation in slices; returns the engine's stop reason (as runSimulation does). */
export async function runSimulationAsync(
  s: Simulation,
  options: AsyncRunOptions = {},
  series: FabricSeries | null = null,
): Promise<StopReason> {
  const { sim, flows } = s;
  const slice = Math.max(1, Math.floor(options.sliceEvents ?? 16384));
  const limits = stopLimits(s);
  const maxEvents = limits.maxEvents;
  const yieldFn = options.yieldFn ?? defaultYield;
  const cancelled = () => (options.signal?.aborted ?? false) || (options.isCancelled?.() ?? false);
  const progress = () =>
    options.onProgress?.({
      simTimePs: sim.now,
      events: sim.events,
      flowsDone: flows.doneCount,
      flowsTotal: flows.count,
    });
  const snapEvery = Math.max(1, options.snapshotEverySlices ?? 8);
  let reason: StopReason;
  const endPs = limits.timeLimitPs;
  for (let n = 1; ; n++) {
    if (cancelled()) {
      reason = 'cancelled';
      break;
    }
    limits.maxEvents = Math.min(maxEvents, sim.events + slice);
    // A slice also ends at the series' next sample time (runSliced in run.ts: the same run).
    if (series) limits.timeLimitPs = Math.min(endPs, series.nextPs);
    // between() is not used: the slice boundary is the event budget, the batch the slice.
    reason = sim.run(s.fabric, limits, undefined, slice);
    if (series && reason === 'timeLimit' && sim.now < endPs) {
      series.sample();
      continue;
    }
    if (reason !== 'eventBudget' || sim.events >= maxEvents) break;
    progress();
    if (options.onSnapshot && n % snapEvery === 0) options.onSnapshot(snapshotOf(s));
    await yieldFn();
  }
  series?.finish();
  finishSimulation(s);
  progress();
  return reason;
}

/** Build, run in slices and collect: the same Result as runScenario (meta.wallMs 0). */
export async function runScenarioAsync(scenario: Scenario, options: AsyncRunOptions = {}): Promise<Result> {
  return (await runScenarioWithHistogramAsync(scenario, options)).result;
}

/** As runScenarioAsync, also returning the per-packet latency histogram's buckets [lowNs, highNs, count]. */
export async function runScenarioWithHistogramAsync(
  scenario: Scenario,
  options: AsyncRunOptions = {},
): Promise<{ result: Result; latencyBuckets: Array<[number, number, number]>; series?: string }> {
  if (scenario.engine.partitions > 1) {
    const parts = buildPartitions(scenario, { readText: options.readText }, options.series === true);
    const reason = await runPartitionsAsync(parts, options);
    let series: string | undefined;
    const result = collectPartitioned(parts, reason, (lines) => (series = lines.join('')));
    return { result, latencyBuckets: parts[0].latency ? parts[0].latency.buckets() : [], series };
  }
  const s = buildSimulation(scenario, { readText: options.readText });
  const rec = options.series ? new FabricSeries(s.fabric, s.flows) : null;
  const reason = await runSimulationAsync(s, options, rec);
  const result = collectResult(s, reason);
  const series = seriesTextOf(rec, result);
  if (reason !== 'cancelled') {
    // The jobs' alone runs (sim/run/jobsAlone.ts), after the shared one.
    const alone: Array<{ job: string; result: Result }> = [];
    for (const a of aloneScenarios(scenario)) {
      const r = await runScenarioWithHistogramAsync(a.scenario, { ...options, onProgress: undefined, series: false });
      if (r.result.meta.stopReason === 'cancelled') return { result: r.result, latencyBuckets: [] };
      alone.push({ job: a.job, result: r.result });
    }
    applyAlone(result, alone);
  }
  return { result, latencyBuckets: s.latency ? s.latency.buckets() : [], series };
}

/**
 * The partitions of a partitioned run taking turns in this thread (parallel/sequential.ts),
 * yielding to the host's event loop once at least `sliceEvents` events have run since the last
 * yield: the same result as runPartitionedScenario. Progress is reported between slices;
 * snapshots are not (a partitioned run is read once, at its end).
 */
export async function runPartitionsAsync(parts: Simulation[], options: AsyncRunOptions = {}): Promise<StopReason> {
  const slice = Math.max(1, Math.floor(options.sliceEvents ?? 16384));
  const yieldFn = options.yieldFn ?? defaultYield;
  const cancelled = () => (options.signal?.aborted ?? false) || (options.isCancelled?.() ?? false);
  const turns = new PartitionTurns(parts, stopLimits(parts[0]), stallPsOf(parts[0]));
  const events = () => parts.reduce((n, p) => n + p.sim.events, 0);
  let mark = 0;
  for (;;) {
    if (cancelled()) {
      turns.cancel();
      break;
    }
    const r = turns.step();
    if (r !== null) break;
    const n = events();
    if (n - mark >= slice) {
      mark = n;
      options.onProgress?.(partitionsProgress(parts));
      await yieldFn();
    }
  }
  options.onProgress?.(partitionsProgress(parts));
  return turns.reason!;
}
