import { Worker } from 'node:worker_threads';
import type { StopReason } from '../../engine/simulator.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { Result } from '../../metrics/result.ts';
import {
  buildSimulation,
  collectResult,
  finishSimulation,
  stopLimits,
  stallPsOf,
  seriesLinesOf,
  type RunOptions,
  type Simulation,
} from '../run.ts';
import { PartitionWindow, type WindowStatus } from './window.ts';
import { BarrierDriver, PartitionFailed, controlBytes, failRun, type PartitionTiming } from './barrier.ts';
import { absorbPartials, partialOf, type PartitionPartial } from './merge.ts';
import { partitionThreadStart, type ThreadStart } from '../workerBundle.ts';
import { finishAtLimit } from './sequential.ts';
import { wallClockMs } from '../wallClock.ts';

/**
 * A partitioned run with one Node worker thread per partition (this thread runs partition 0):
 * the partitions run their windows at the same time and meet at a barrier between windows
 * (barrier.ts). Same result as runPartitionedScenario in one thread, byte for byte.
 *
 * Message protocol with a partition's thread (partitionWorker.ts): it builds its partition and
 * answers `ready` with its outbox buffers; once every partition is ready, each gets `go` with
 * all partitions' buffers; at the end it sends its `partial` (merge.ts), or `error`.
 */
export interface ThreadedRunOptions extends Pick<RunOptions, 'maxMemoryBytes'> {
  /** Directory that relative file paths in the scenario (CDF files) are read from. */
  baseDir?: string;
  readText?: (path: string) => string;
  /** The partition threads' entry module (default: sim/run/workerBundle.ts partitionThreadStart). */
  workerEntry?: string;
  /** Called once every partition is built, just before the windows start, and when the last
   *  window has ended, before the results are merged (a benchmark's timer). */
  onBuilt?: () => void;
  onRunEnd?: () => void;
  /** Called after every window with the run's progress over all partitions (as runSimulation's
   *  onProgress; the caller throttles its output). */
  onProgress?: RunOptions['onProgress'];
  /** Time every partition's windows (`run --timing`): the run then has `timing`. */
  timing?: boolean;
  /** Record the fabric over time and hand over series.ndjson's lines (RunOptions.onSeries). */
  onSeries?: (lines: readonly string[]) => void;
}

export interface ThreadedRun {
  result: Result;
  /** Packet records in use at the peak, over all partitions. */
  peakPackets: number;
  /** With options.timing: where each partition's thread spent the run, and when the threads were ready. */
  timing?: {
    partitions: PartitionTiming[];
    /** Wall ms from starting the threads until every partition was built (threads start, load, build). */
    readyMs: number;
  };
}

type FromWorker =
  | { type: 'ready'; buffers: Array<Array<SharedArrayBuffer | null>> }
  | { type: 'partial'; partial: PartitionPartial; timing?: PartitionTiming }
  | { type: 'error'; message: string; name: string };

export async function runPartitionedThreaded(
  scenario: Scenario,
  options: ThreadedRunOptions = {},
): Promise<ThreadedRun> {
  const n = scenario.engine.partitions;
  if (n <= 1)
    throw new Error(
      'runPartitionedThreaded: the scenario has one partition (engine.partitions); run it with runScenario',
    );
  // The --timing report only (wallClock.ts).
  const clock = options.timing === true ? wallClockMs : undefined;
  const startMs = clock?.() ?? 0;
  const control = new SharedArrayBuffer(controlBytes(n));
  const start: ThreadStart =
    options.workerEntry !== undefined
      ? { file: options.workerEntry, eval: false, data: {} }
      : await partitionThreadStart();
  const workers: Worker[] = [];
  let finished = false;
  // Per partition thread: messages not yet asked for, and requests (next) not yet answered.
  const arrived: Array<Array<FromWorker>> = [];
  const asking: Array<Array<(m: FromWorker) => void>> = [];
  const next = (lp: number): Promise<FromWorker> =>
    new Promise((resolve) => {
      const q = arrived[lp];
      if (q.length > 0) resolve(q.shift()!);
      else asking[lp].push(resolve);
    });
  for (let lp = 1; lp < n; lp++) {
    arrived[lp] = [];
    asking[lp] = [];
    const w = new Worker(start.file, {
      eval: start.eval,
      workerData: {
        ...start.data,
        scenario,
        lp,
        control,
        baseDir: options.baseDir,
        maxMemoryBytes: options.maxMemoryBytes,
        timing: options.timing,
        series: options.onSeries !== undefined,
      },
    });
    const deliver = (m: FromWorker) => {
      const r = asking[lp].shift();
      if (r) r(m);
      else arrived[lp].push(m);
    };
    // A thread that dies (an error outside the run's own handling, out of memory, exit) ends the
    // run: every other partition's barrier throws (this thread waits at its barriers without
    // blocking its event loop, so it hears of it).
    const died = (m: FromWorker) => {
      if (!finished) failRun(control);
      deliver(m);
    };
    w.on('message', deliver);
    w.on('error', (e) => died({ type: 'error', message: e.message, name: e.name }));
    w.on('exit', (code) => {
      if (code !== 0) died({ type: 'error', message: `partition ${lp} thread exited (code ${code})`, name: 'Error' });
    });
    workers.push(w);
  }
  try {
    const s0 = buildSimulation(scenario, {
      readText: options.readText,
      maxMemoryBytes: options.maxMemoryBytes,
      partition: { lp: 0, shared: true, series: options.onSeries !== undefined },
    });
    const buffers: Array<Array<Array<SharedArrayBuffer | null>>> = [outboxBuffers(s0)];
    for (let lp = 1; lp < n; lp++) {
      const m = await next(lp);
      if (m.type !== 'ready') throw workerError(m);
      buffers[lp] = m.buffers;
    }
    for (const w of workers) w.postMessage({ type: 'go', buffers });
    const readyMs = (clock?.() ?? 0) - startMs;
    options.onBuilt?.();
    const win = new PartitionWindow(s0);
    const driver = new BarrierDriver(win, control, n, buffers, clock);
    const stop = stopLimits(s0);
    let reason: StopReason;
    try {
      const flowsTotal = s0.flows.count;
      const onWindow =
        options.onProgress === undefined
          ? undefined
          : (statuses: WindowStatus[], endPs: number) => {
              let events = 0,
                flowsDone = 0;
              for (const st of statuses) {
                events += st.events;
                flowsDone += st.flowsDone;
              }
              options.onProgress!({ simTimePs: Math.min(endPs, stop.timeLimitPs), events, flowsDone, flowsTotal });
            };
      reason = await driver.run(stop.timeLimitPs, stop.maxEvents, stallPsOf(s0), s0.plan!.windowPs, true, onWindow);
    } catch (e) {
      if (!(e instanceof PartitionFailed)) driver.fail();
      throw e;
    }
    options.onRunEnd?.();
    if (reason === 'timeLimit') finishAtLimit([s0], stop.timeLimitPs);
    finishSimulation(s0);
    const others: PartitionPartial[] = [];
    const timings: PartitionTiming[] = [driver.timing];
    for (let lp = 1; lp < n; lp++) {
      const m = await next(lp);
      if (m.type !== 'partial') throw workerError(m);
      others.push(m.partial);
      if (m.timing !== undefined) timings.push(m.timing);
    }
    const merged = absorbPartials(s0, [partialOf(s0), ...others]);
    const result = collectResult(s0, reason);
    const lines = seriesLinesOf(merged.series, result);
    if (lines !== undefined) options.onSeries?.(lines);
    return {
      result,
      peakPackets: merged.peakPackets,
      ...(clock !== undefined ? { timing: { partitions: timings, readyMs } } : {}),
    };
  } catch (e) {
    if (e instanceof PartitionFailed) {
      // The partition that failed says why.
      for (let lp = 1; lp < n; lp++) {
        const m = await next(lp);
        if (m.type === 'error') throw workerError(m);
      }
    }
    throw e;
  } finally {
    finished = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function outboxBuffers(s: Simulation): Array<Array<SharedArrayBuffer | null>> {
  return s.outboxSets!.map((set) =>
    set.map((b, dst) => (dst === s.fabric.partition ? null : (b.buffer as SharedArrayBuffer))),
  );
}

function workerError(m: FromWorker): Error {
  const e = new Error(m.type === 'error' ? m.message : `unexpected message from a partition thread: ${m.type}`);
  if (m.type === 'error') e.name = m.name;
  return e;
}
