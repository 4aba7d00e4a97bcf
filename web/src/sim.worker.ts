/**
 * The page's simulation worker: the same sim/ core as the CLI, run in slices with the controls a
 * live view needs (pace in simulated µs per wall second, pause, resume, single step, cancel), and
 * streaming compact port snapshots (web/src/snapshot.ts, one transferred ArrayBuffer each) at a
 * bounded rate. The physics is untouched: slicing a run by event budget or by time limit
 * continues exactly where the last slice stopped, so the final Result is the one runScenario
 * gives for the same scenario and seed (tests/e2e/web.e2e.test.ts checks the digest).
 *
 * sim/run/worker.ts is the general-purpose worker face (CLI pool, Node); this one adds pacing and
 * snapshots for the browser and leaves that file alone.
 */
import { expose, transfer } from 'comlink';
import {
  buildSimulation,
  buildPartitions,
  collectPartitioned,
  collectResult,
  type Simulation,
} from '../../sim/run/run.ts';
import { runPartitionsAsync } from '../../sim/run/runAsync.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import type { Result } from '../../sim/metrics/result.ts';
import { LiveSampler, flowPath } from './liveSampler.ts';
import { KIND_TAPE, snapshotKind } from './snapshot.ts';
import {
  newControl,
  reanchor,
  runLive,
  wake,
  type Control,
  type LiveProgress,
  type LiveRunOptions,
} from './liveRun.ts';

export type { LiveProgress, LiveRunOptions };

export interface LiveRunOutput {
  result: Result;
  /** Per-packet one-way latency histogram: [lowNs, highNs, count] per non-empty bucket. */
  latencyBuckets: Array<[number, number, number]>;
  /** Flow paths as ports: flow f's ports are pathPorts[pathOffsets[f] .. pathOffsets[f + 1]). */
  pathOffsets: Int32Array;
  pathPorts: Int32Array;
}

export interface LiveWorkerApi {
  run(
    scenario: Scenario,
    opts: LiveRunOptions,
    /** Snapshots in batches: the replay-tape samples taken since the last call, then (usually)
     *  one live snapshot; at most about `snapshotHz` calls a second, whatever the tape's rate. */
    onSnapshots: (bufs: ArrayBuffer[]) => void,
    onProgress?: (p: LiveProgress) => void,
  ): Promise<LiveRunOutput>;
  pause(): void;
  resume(): void;
  /** Advance a paused run by this much simulated time, then pause again. */
  step(us: number): void;
  setSpeed(usPerSec: number): void;
  cancel(): void;
}

const MAX_PATH_FLOWS = 50_000;
const clock = () => performance.now();
let ctl: Control | null = null;

const api: LiveWorkerApi = {
  async run(scenario, opts, onSnapshots, onProgress) {
    // Tape samples wait for the next live snapshot and go with it, one message per batch: at a
    // slow pace the tape is sampled far more often than the page draws.
    const pending: ArrayBuffer[] = [];
    const flush = () => {
      if (!pending.length) return;
      const bufs = pending.splice(0);
      onSnapshots(transfer(bufs, bufs));
    };
    const onSnapshot = (buf: ArrayBuffer) => {
      pending.push(buf);
      if (snapshotKind(buf) !== KIND_TAPE) flush();
    };
    if (ctl) {
      ctl.cancelled = true;
      wake(ctl);
    }
    const c = newControl(opts);
    ctl = c;
    const t0 = clock();
    let s: Simulation;
    let result: Result;
    const live = scenario.engine.partitions <= 1;
    if (!live) {
      // A partitioned scenario (sim/run/parallel/): its partitions take turns in this worker, at full
      // speed, with no live view (pace, pause and step act on one event queue); the result is the
      // CLI's. Afterwards partition 0 holds the merged run.
      const parts = buildPartitions(scenario);
      const reason = await runPartitionsAsync(parts, {
        isCancelled: () => c.cancelled,
        onProgress: onProgress
          ? (p) => {
              void onProgress({ ...p, paused: false });
            }
          : undefined,
      });
      result = collectPartitioned(parts, reason);
      s = parts[0];
    } else {
      s = buildSimulation(scenario);
      c.sim = s.sim;
      reanchor(c);
      const reason = await runLive(s, c, opts, onSnapshot, onProgress);
      flush();
      s.fabric.finishPauses();
      result = collectResult(s, reason);
    }
    result.meta.wallMs = clock() - t0;
    // One last snapshot of the final state, unless the live run already sent it at the moment its
    // last flow finished (what follows is the drained fabric, up to the stall watchdog's 1 s).
    if (!(live && s.flows.allDone())) {
      onSnapshot(new LiveSampler(s).snapshot());
    }
    const n = Math.min(s.flows.count, MAX_PATH_FLOWS);
    const offsets = new Int32Array(n + 1);
    const ports: number[] = [];
    for (let f = 0; f < n; f++) {
      offsets[f] = ports.length;
      for (const p of flowPath(s, f)) ports.push(p);
    }
    offsets[n] = ports.length;
    const pathPorts = Int32Array.from(ports);
    const out: LiveRunOutput = {
      result,
      latencyBuckets: s.latency ? s.latency.buckets() : [],
      pathOffsets: offsets,
      pathPorts,
    };
    if (ctl === c) ctl = null;
    return transfer(out, [offsets.buffer, pathPorts.buffer]);
  },
  pause() {
    if (ctl) ctl.paused = true;
  },
  resume() {
    if (!ctl) return;
    ctl.paused = false;
    ctl.stepUntilPs = 0;
    reanchor(ctl);
    wake(ctl);
  },
  step(us) {
    if (!ctl) return;
    ctl.paused = true;
    ctl.stepUntilPs = (ctl.sim?.now ?? 0) + Math.max(1, Math.round(us * 1e6));
    wake(ctl);
  },
  setSpeed(usPerSec) {
    if (!ctl) return;
    ctl.speed = usPerSec;
    reanchor(ctl);
  },
  cancel() {
    if (!ctl) return;
    ctl.cancelled = true;
    wake(ctl);
  },
};

expose(api);
