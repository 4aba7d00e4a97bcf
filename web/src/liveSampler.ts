import type { Simulation } from '../../sim/run/run.ts';
import { allocSnapshot, KIND_LIVE, writeHeader } from './snapshot.ts';
import { PRIO } from '../../sim/net/packets.ts';

/**
 * Reads a running simulation's port state into snapshot buffers (web/src/snapshot.ts). It only
 * reads the fabric's public per-port arrays, between slices of the run, so it never changes the
 * physics. Roots are followed live: a paused port's cause is the egress port at its peer whose
 * queue crossed XOFF; while that port is itself paused the chain goes on downstream; the first
 * unpaused one is the root (sim/metrics/congestion.ts does the same at each pause's start).
 */
export class LiveSampler {
  private readonly prevTx: Float64Array;
  private readonly prevUtil: Float32Array;
  private prevPs = 0;
  private prevDt = 0;

  constructor(private readonly s: Simulation) {
    this.prevTx = new Float64Array(s.fabric.portCount);
    this.prevUtil = new Float32Array(s.fabric.portCount);
  }

  /**
   * The state of every port now. Utilisation is the share of line rate sent since the previous
   * snapshot; a second snapshot at the same instant (a Step's last slice ends where the pacer
   * just sent one) repeats the previous window's rather than reading 0 everywhere.
   */
  snapshot(kind = KIND_LIVE, tapeDtPs = 0): ArrayBuffer {
    const { fabric, sim, flows } = this.s;
    const n = fabric.portCount;
    const snap = allocSnapshot(n);
    const now = sim.now;
    const dt = now - this.prevPs;
    const { xoffCause, rateBps } = fabric;
    for (let p = 0; p < n; p++) {
      snap.queueBytes[p] = fabric.portQueueBytes(p);
      const tx = fabric.txBytesOf(p);
      const sent = tx - this.prevTx[p];
      this.prevTx[p] = tx;
      // Not clamped at 1: a frame's bytes count when its transmission starts, so a short window
      // can hold one frame more than line rate allows; unclamped, the windows add up to the
      // bytes sent (the tape's merged means stay exact), and the view clamps what it draws.
      if (dt > 0) this.prevUtil[p] = (sent * 8e12) / (rateBps[p] * dt);
      snap.util[p] = this.prevUtil[p];
      const pausedBits = fabric.pausedBits(p);
      const m = pausedBits & ((1 << PRIO.DATA_COUNT) - 1);
      snap.paused[p] = pausedBits;
      if (m === 0) {
        snap.cause[p] = -1;
        snap.root[p] = -1;
        continue;
      }
      const prio = 31 - Math.clz32(m & -m); // lowest paused data priority
      const bit = 1 << prio;
      const cause = xoffCause[(p ^ 1) * PRIO.COUNT + prio];
      snap.cause[p] = cause;
      let root = cause;
      let hops = 0;
      while (root >= 0 && (fabric.pausedBits(root) & bit) !== 0) {
        root = xoffCause[(root ^ 1) * PRIO.COUNT + prio];
        if (++hops > n) {
          root = -2;
          break;
        } // a cycle of pauses
      }
      snap.root[p] = root;
    }
    writeHeader(snap.buffer, {
      portCount: n,
      simTimePs: now,
      events: sim.events,
      flowsDone: flows.doneCount,
      flowsTotal: flows.count,
      intervalPs: dt > 0 ? dt : this.prevDt,
      kind,
      tapeDtPs,
    });
    if (dt > 0) {
      this.prevPs = now;
      this.prevDt = dt;
    }
    return snap.buffer;
  }
}

/** The ports a flow's packets cross (with the flow's own entropy value under per-flow ECMP). */
export function flowPath(s: Simulation, flow: number): number[] {
  const { fabric, flows, transport } = s;
  const dst = flows.dst[flow];
  const ev = transport.flowEntropy?.(flow) ?? 0;
  let port = fabric.routes.hostNicPort[flows.src[flow]];
  const path = [port];
  for (let hops = 0; hops <= fabric.nodeCount; hops++) {
    const node = fabric.portNode[port ^ 1];
    if (node < fabric.hostCount) return path;
    port = fabric.routeFor(node, dst, flow, ev);
    path.push(port);
  }
  return path;
}
