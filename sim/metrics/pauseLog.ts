import { P, REC } from '../net/packets.ts';
import type { Fabric, PauseObserver } from '../net/fabric.ts';
import type { FlowTable } from '../transport/flows.ts';
import { CongestionAnalysis, type CongestionView } from './congestion.ts';

/** Record layout (a const enum: values compile in place, net/packets.ts). */
const enum PL {
  /** Float64 cells per record: time, kind, port, priority, then per kind: PAUSE cause; RESUME
   *  offset and count of the waiting flows in `waiting`; BLOCKED blocked time, flow, entropy. */
  CELLS = 8,
  T = 0,
  KIND = 1,
  PORT = 2,
  PRIO = 3,
  A = 4,
  B = 5,
  C = 6,
  PAUSE = 0,
  RESUME = 1,
  BLOCKED = 2,
}

/** A partition's pause log as plain data (it may come from another thread). */
export interface PauseLogData {
  records: Float64Array;
  count: number;
  waiting: Int32Array;
}

/**
 * The congestion analysis of a partitioned run (sim/run/parallel/), in two steps. A partition sees
 * only its own ports, while the analysis follows a pause's causes downstream across switches the
 * moment it starts; so each partition records what the analysis would be told — every pause with
 * the cause its PFC frame carries (set where XOFF was sent, fabric.ts sendPfc), every resume with
 * the flows then waiting at a paused host NIC, every head-of-line-blocked packet — and at the end
 * the logs of all partitions, merged in time order, are played into one CongestionAnalysis
 * (`replayPauseLogs`). Trees, victims, roots and deadlocks come out as the live analysis finds
 * them; what a replay cannot do is stop the run at a deadlock: a deadlocked partitioned run ends
 * at the stall watchdog, and its result lists the deadlock.
 */
export class PauseLog implements PauseObserver {
  private rec = new Float64Array(PL.CELLS * 256);
  private n = 0;
  private wait = new Int32Array(256);
  private nWait = 0;

  constructor(
    private readonly fabric: Fabric,
    private readonly waitingFlows: (host: number) => number[],
  ) {}

  private append(kind: number, port: number, prio: number, a: number, b: number, c: number): void {
    if ((this.n + 1) * PL.CELLS > this.rec.length) {
      const r = new Float64Array(this.rec.length * 2);
      r.set(this.rec);
      this.rec = r;
    }
    const o = this.n++ * PL.CELLS;
    const r = this.rec;
    r[o + PL.T] = this.fabric.sim.now;
    r[o + PL.KIND] = kind;
    r[o + PL.PORT] = port;
    r[o + PL.PRIO] = prio;
    r[o + PL.A] = a;
    r[o + PL.B] = b;
    r[o + PL.C] = c;
  }

  onPauseChange(port: number, prio: number, paused: boolean, _nowPs: number, cause: number): void {
    if (paused) {
      this.append(PL.PAUSE, port, prio, cause, 0, 0);
      return;
    }
    const f = this.fabric;
    const node = f.portNode[port];
    const flows = node < f.hostCount ? this.waitingFlows(node) : [];
    while (this.nWait + flows.length > this.wait.length) {
      const w = new Int32Array(this.wait.length * 2);
      w.set(this.wait);
      this.wait = w;
    }
    this.wait.set(flows, this.nWait);
    this.append(PL.RESUME, port, prio, this.nWait, flows.length, 0);
    this.nWait += flows.length;
  }

  onBlocked(pkt: number, port: number, prio: number, blockedPs: number): void {
    const i32 = this.fabric.pool.i32;
    this.append(PL.BLOCKED, port, prio, blockedPs, i32[(pkt << REC.SHIFT) + P.FLOW], i32[(pkt << REC.SHIFT) + P.EV]);
  }

  onTimer(): void {
    // A log sets no timers (the replay keeps the analysis's).
  }

  data(): PauseLogData {
    return { records: this.rec.slice(0, this.n * PL.CELLS), count: this.n, waiting: this.wait.slice(0, this.nWait) };
  }
}

/**
 * Play the partitions' logs (index = partition) in time order — ties by partition, then by order
 * within a partition — into a new CongestionAnalysis over `fabric`'s topology and routes (any
 * partition's: they are the same) and `flows` (the merged flow table). A deadlock timer due at
 * or before a record fires before it; timers due by `endPs` fire at the end.
 */
export function replayPauseLogs(
  logs: PauseLogData[],
  fabric: Fabric,
  flows: FlowTable,
  deadlockTimeoutPs: number,
  entropyOf: (flow: number) => number,
  endPs: number,
): CongestionAnalysis {
  const paused = new Int32Array(fabric.portCount);
  let now = 0;
  let cause = -1;
  let waiting: number[] = [];
  const timers: Array<{ t: number; a: number; seq: number }> = [];
  let timerSeq = 0;
  const view: CongestionView = {
    portCount: fabric.portCount,
    hostCount: fabric.hostCount,
    nodeCount: fabric.nodeCount,
    portNode: fabric.portNode,
    names: fabric.graph.nodeNames,
    pausedBits: (port) => paused[port],
    pauseCause: () => cause,
    routeFor: (node, dst, flow, ev) => fabric.routeFor(node, dst, flow, ev),
    hostNicPort: (h) => fabric.routes.hostNicPort[h],
    nowPs: () => now,
    setTimer: (t, a) => {
      timers.push({ t, a, seq: timerSeq++ });
    },
    stopForDeadlock: () => {
      /* the run is over: the deadlock is reported, the stop reason stays */
    },
  };
  const analysis = new CongestionAnalysis(view, flows, deadlockTimeoutPs, () => waiting, entropyOf);
  const fireUntil = (t: number) => {
    for (;;) {
      let k = -1;
      for (let i = 0; i < timers.length; i++) {
        if (
          timers[i].t <= t &&
          (k < 0 || timers[i].t < timers[k].t || (timers[i].t === timers[k].t && timers[i].seq < timers[k].seq))
        )
          k = i;
      }
      if (k < 0) return;
      const tm = timers.splice(k, 1)[0];
      now = tm.t;
      analysis.onTimer(tm.a, 0);
    }
  };
  const next = logs.map(() => 0);
  for (;;) {
    // The earliest record over the partitions (ties: the lowest partition).
    let best = -1;
    let bestT = Infinity;
    for (let lp = 0; lp < logs.length; lp++) {
      if (next[lp] >= logs[lp].count) continue;
      const t = logs[lp].records[next[lp] * PL.CELLS + PL.T];
      if (t < bestT) {
        bestT = t;
        best = lp;
      }
    }
    if (best < 0) break;
    const log = logs[best];
    const o = next[best]++ * PL.CELLS;
    const r = log.records;
    fireUntil(bestT);
    now = bestT;
    const port = r[o + PL.PORT];
    const prio = r[o + PL.PRIO];
    switch (r[o + PL.KIND]) {
      case PL.PAUSE:
        paused[port] |= 1 << prio;
        cause = r[o + PL.A];
        analysis.onPauseChange(port, prio, true, now);
        break;
      case PL.RESUME:
        paused[port] &= ~(1 << prio);
        waiting = Array.from(log.waiting.subarray(r[o + PL.A], r[o + PL.A] + r[o + PL.B]));
        analysis.onPauseChange(port, prio, false, now);
        break;
      default:
        analysis.blocked(r[o + PL.B], r[o + PL.C], port, prio, r[o + PL.A]);
    }
  }
  fireUntil(endPs);
  now = endPs;
  return analysis;
}
