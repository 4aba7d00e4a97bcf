/**
 * The live run loop behind web/src/sim.worker.ts, kept free of worker plumbing so Node tests can
 * drive it: the simulation advances in slices, paced to `speed` simulated µs per wall second
 * (or flat out), with pause, single step and cancel, sending a snapshot at most `snapshotHz`
 * times a wall second. Slicing does not touch the physics (sim.run continues exactly where the
 * previous slice stopped), so the final state is runScenario's.
 */
import type { Simulation } from '../../sim/run/run.ts';
import type { StopReason } from '../../sim/engine/simulator.ts';
import { defaultYield } from '../../sim/run/runAsync.ts';
import { LiveSampler } from './liveSampler.ts';
import { KIND_TAPE } from './snapshot.ts';

export interface LiveProgress {
  simTimePs: number;
  events: number;
  flowsDone: number;
  flowsTotal: number;
  paused: boolean;
}

export interface LiveRunOptions {
  /** Simulated microseconds per wall-clock second; Infinity runs as fast as the CPU allows. */
  speedUsPerSec: number;
  /** Most snapshots per wall second (default 30). */
  snapshotHz?: number;
  /** Start paused (Step / Resume then drive it). */
  startPaused?: boolean;
  /** Events per slice between looks at the controls (default 8192). */
  sliceEvents?: number;
  /** Record the replay tape (default true): a sample every `tapeDtPs` of simulated time. */
  tape?: boolean;
}

/**
 * The replay tape: a sample of every port at fixed simulated-time intervals, whatever the pace
 * (a max-speed run used to keep only the few snapshots its wall time allowed). It starts at
 * 100 ns; when it holds TAPE_MAX samples the interval doubles and every other sample goes (the
 * page merges each dropped sample's utilisation into the one kept, so it stays the mean over
 * the kept sample's whole interval). A run of 20 µs or more therefore keeps between
 * TAPE_MAX / 2 = 200 and TAPE_MAX samples, and memory stays bounded by TAPE_MAX × ports.
 */
export const TAPE_START_DT_PS = 100_000;
export const TAPE_MAX = 400;

const clock = () => performance.now();

export function newControl(opts: LiveRunOptions): Control {
  return {
    paused: opts.startPaused ?? false,
    stepUntilPs: 0,
    speed: opts.speedUsPerSec,
    cancelled: false,
    simAnchorPs: 0,
    wallAnchorMs: clock(),
    wake: null,
    sim: null,
  };
}

export interface Control {
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

export function reanchor(c: Control): void {
  c.simAnchorPs = c.sim?.now ?? 0;
  c.wallAnchorMs = clock();
}

export function wake(c: Control): void {
  const w = c.wake;
  c.wake = null;
  w?.();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runLive(
  s: Simulation,
  c: Control,
  opts: LiveRunOptions,
  onSnapshot: (buf: ArrayBuffer) => void,
  onProgress?: (p: LiveProgress) => void,
): Promise<StopReason> {
  const { sim, fabric, flows } = s;
  const stop = s.scenario.stop;
  const endPs = stop.timeUs !== undefined ? Math.round(stop.timeUs * 1e6) : Infinity;
  const maxEvents = stop.maxEvents ?? Infinity;
  const slice = Math.max(256, Math.floor(opts.sliceEvents ?? 8192));
  const sampler = new LiveSampler(s);
  const minGapMs = 1000 / Math.max(1, opts.snapshotHz ?? 30);
  let lastSnap = -Infinity;
  const tape = opts.tape === false ? null : new LiveSampler(s);
  let tapeDt = TAPE_START_DT_PS;
  let nextTape = tapeDt;
  let tapeCount = 0;
  const takeTape = () => {
    onSnapshot(tape!.snapshot(KIND_TAPE, tapeDt));
    if (++tapeCount >= TAPE_MAX) {
      tapeDt *= 2;
      tapeCount = TAPE_MAX / 2;
    }
    nextTape += tapeDt;
  };
  const progress = () =>
    onProgress?.({
      simTimePs: sim.now,
      events: sim.events,
      flowsDone: flows.doneCount,
      flowsTotal: flows.count,
      paused: c.paused,
    });
  const send = () => {
    const buf = sampler.snapshot();
    onSnapshot(buf);
    progress();
    lastSnap = clock();
  };
  send();
  const limits = { timeLimitPs: 0, maxEvents: 0 };
  // Once every flow is done the run is over for the viewer, but not for the queue: the stall
  // watchdog (stop.stallUs, 1 s by default) and a transport's timers still lie ahead. Pacing
  // through that empty time at 200 µs/s would take over an hour, so the rest runs flat out, with
  // the last snapshot taken at the moment the last flow finished.
  let finishing = false;
  // The last flow's completion stops the slice (after that event), so that the picture is of
  // that moment; unless something else asked to stop first, the stop is withdrawn and the run
  // goes on where it left off, which leaves the physics as runScenario's.
  let ownStop = false;
  flows.onAllDone = () => {
    if (sim.stopRequested) return;
    ownStop = true;
    sim.requestStop('done');
  };
  for (;;) {
    if (c.cancelled) return 'cancelled';
    if (ownStop) {
      ownStop = false;
      finishing = true;
      sim.withdrawStop();
      // The tape's last sample: the moment the last flow finished (not on the interval grid).
      if (tape) onSnapshot(tape.snapshot(KIND_TAPE, tapeDt));
      send();
    }
    if (c.paused && c.stepUntilPs <= sim.now && !finishing) {
      if (c.stepUntilPs > 0) {
        c.stepUntilPs = 0;
        send();
      }
      await new Promise<void>((r) => {
        c.wake = r;
      });
      reanchor(c);
      continue;
    }
    let target = endPs;
    if (finishing) {
      /* flat out, paused or not */
    } else if (c.paused) target = Math.min(target, c.stepUntilPs);
    else if (Number.isFinite(c.speed))
      target = Math.min(target, c.simAnchorPs + (clock() - c.wallAnchorMs) * c.speed * 1e3);
    const paced = target;
    if (tape && !finishing && nextTape < target) target = nextTape;
    limits.timeLimitPs = Math.max(Math.floor(target), sim.now); // integer picoseconds, as everywhere
    limits.maxEvents = Math.min(maxEvents, sim.events + slice);
    const reason = sim.run(fabric, limits, undefined, slice);
    if (ownStop) continue;
    if (tape && !finishing && reason === 'timeLimit' && sim.now >= nextTape) takeTape();
    const sliceEnded =
      (reason === 'eventBudget' && sim.events < maxEvents) || (reason === 'timeLimit' && target < endPs);
    if (!sliceEnded) return reason;
    const now = clock();
    if (!finishing && now - lastSnap >= minGapMs) send();
    // Caught up with the pace: wait for wall time to pass instead of spinning.
    if (reason === 'timeLimit' && target === paced && !c.paused && !finishing) await sleep(Math.min(16, minGapMs / 2));
    else await defaultYield();
  }
}
