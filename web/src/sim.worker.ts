/**
 * The page's simulation worker: the same sim/ core as the CLI, run in slices with the controls a
 * live view needs (pace in simulated µs per wall second, pause, resume, single step, cancel), and
 * streaming compact port snapshots (web/src/snapshot.ts, one transferred ArrayBuffer each) at a
 * bounded rate. The physics is untouched: slicing a run by event budget or by time limit
 * continues exactly where the last slice stopped, so the final Result is the one runScenario
 * gives for the same scenario and seed (tests/e2e/web.e2e.test.ts checks the digest).
 *
 * sim/worker.ts is the general-purpose worker face (CLI pool, Node); this one adds pacing and
 * snapshots for the browser and leaves that file alone.
 */
import { expose, transfer } from 'comlink';
import { buildSimulation, collectResult, type Simulation } from '../../sim/run.ts';
import type { StopReason } from '../../sim/engine/simulator.ts';
import { defaultYield } from '../../sim/runAsync.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import type { Result } from '../../sim/metrics/result.ts';
import { LiveSampler, flowPath } from './liveSampler.ts';

export interface LiveRunOptions {
  /** Simulated microseconds per wall-clock second; Infinity runs as fast as the CPU allows. */
  speedUsPerSec: number;
  /** Most snapshots per wall second (default 30). */
  snapshotHz?: number;
  /** Start paused (Step / Resume then drive it). */
  startPaused?: boolean;
  /** Events per slice between looks at the controls (default 8192). */
  sliceEvents?: number;
}

export interface LiveProgress {
  simTimePs: number;
  events: number;
  flowsDone: number;
  flowsTotal: number;
  paused: boolean;
}

export interface LiveRunOutput {
  result: Result;
  /** Per-packet one-way latency histogram: [lowNs, highNs, count] per non-empty bucket. */
  latencyBuckets: Array<[number, number, number]>;
  /** Flow paths as ports: flow f's ports are pathPorts[pathOffsets[f] .. pathOffsets[f + 1]). */
  pathOffsets: Int32Array;
  pathPorts: Int32Array;
}

export interface LiveWorkerApi {
  run(scenario: Scenario, opts: LiveRunOptions, onSnapshot: (buf: ArrayBuffer) => void, onProgress?: (p: LiveProgress) => void): Promise<LiveRunOutput>;
  pause(): void;
  resume(): void;
  /** Advance a paused run by this much simulated time, then pause again. */
  step(us: number): void;
  setSpeed(usPerSec: number): void;
  cancel(): void;
}

const MAX_PATH_FLOWS = 50_000;
const clock = () => performance.now();

interface Control {
  paused: boolean;
  stepUntilPs: number;
  speed: number;
  cancelled: boolean;
  /** Pacing anchors, reset on every change of speed or pause state. */
  simAnchorPs: number;
  wallAnchorMs: number;
  wake: (() => void) | null;
  sim: { now: number } | null;
}

let ctl: Control | null = null;

function reanchor(c: Control): void {
  c.simAnchorPs = c.sim?.now ?? 0;
  c.wallAnchorMs = clock();
}

function wake(c: Control): void {
  const w = c.wake;
  c.wake = null;
  w?.();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function runLive(s: Simulation, c: Control, opts: LiveRunOptions, onSnapshot: (buf: ArrayBuffer) => void, onProgress?: (p: LiveProgress) => void): Promise<StopReason> {
  const { sim, fabric, flows } = s;
  const stop = s.scenario.stop;
  const endPs = stop.timeUs !== undefined ? Math.round(stop.timeUs * 1e6) : Infinity;
  const maxEvents = stop.maxEvents ?? Infinity;
  const slice = Math.max(256, Math.floor(opts.sliceEvents ?? 8192));
  const sampler = new LiveSampler(s);
  const minGapMs = 1000 / Math.max(1, opts.snapshotHz ?? 30);
  let lastSnap = -Infinity;
  const progress = () => onProgress?.({ simTimePs: sim.now, events: sim.events, flowsDone: flows.doneCount, flowsTotal: flows.count, paused: c.paused });
  const send = () => {
    const buf = sampler.snapshot();
    onSnapshot(transfer(buf, [buf]));
    progress();
    lastSnap = clock();
  };
  send();
  const limits = { timeLimitPs: 0, maxEvents: 0 };
  for (;;) {
    if (c.cancelled) return 'cancelled';
    if (c.paused && c.stepUntilPs <= sim.now) {
      if (c.stepUntilPs > 0) { c.stepUntilPs = 0; send(); }
      await new Promise<void>((r) => { c.wake = r; });
      reanchor(c);
      continue;
    }
    let target = endPs;
    if (c.paused) target = Math.min(target, c.stepUntilPs);
    else if (Number.isFinite(c.speed)) target = Math.min(target, c.simAnchorPs + (clock() - c.wallAnchorMs) * c.speed * 1e3);
    limits.timeLimitPs = Math.max(target, sim.now);
    limits.maxEvents = Math.min(maxEvents, sim.events + slice);
    const reason = sim.run(fabric, limits, undefined, slice);
    const sliceEnded = (reason === 'eventBudget' && sim.events < maxEvents) || (reason === 'timeLimit' && target < endPs);
    if (!sliceEnded) return reason;
    const now = clock();
    if (now - lastSnap >= minGapMs) send();
    // Caught up with the pace: wait for wall time to pass instead of spinning.
    if (reason === 'timeLimit' && !c.paused) await sleep(Math.min(16, minGapMs / 2));
    else await defaultYield();
  }
}

const api: LiveWorkerApi = {
  async run(scenario, opts, onSnapshot, onProgress) {
    if (ctl) { ctl.cancelled = true; wake(ctl); }
    const c: Control = {
      paused: opts.startPaused ?? false, stepUntilPs: 0, speed: opts.speedUsPerSec, cancelled: false,
      simAnchorPs: 0, wallAnchorMs: clock(), wake: null, sim: null,
    };
    ctl = c;
    const t0 = clock();
    const s = buildSimulation(scenario);
    c.sim = s.sim;
    reanchor(c);
    const reason = await runLive(s, c, opts, onSnapshot, onProgress);
    s.fabric.finishPauses();
    const result = collectResult(s, reason);
    result.meta.wallMs = clock() - t0;
    // One last snapshot of the final state.
    const last = new LiveSampler(s).snapshot();
    onSnapshot(transfer(last, [last]));
    const n = Math.min(s.flows.count, MAX_PATH_FLOWS);
    const offsets = new Int32Array(n + 1);
    const ports: number[] = [];
    for (let f = 0; f < n; f++) {
      offsets[f] = ports.length;
      for (const p of flowPath(s, f)) ports.push(p);
    }
    offsets[n] = ports.length;
    const pathPorts = Int32Array.from(ports);
    const out: LiveRunOutput = { result, latencyBuckets: s.latency ? s.latency.buckets() : [], pathOffsets: offsets, pathPorts };
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
