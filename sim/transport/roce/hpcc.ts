import type { Fabric } from '../../net/fabric.ts';
import { INT_HEADER_BYTES, INT_MAX_HOPS, type IntTable } from '../../net/int.ts';
import type { FlowTable } from '../flows.ts';
import type { RoceTransport } from '../../scenario/schema.ts';
import type { AckCc } from './ackCc.ts';

/** HPCC's parameters resolved to numbers (docs/reference/cc-family.md §1.3). */
export interface HpccParams {
  eta: number;
  maxStage: number;
  rateAiMbps: number;
  baseRttUs: number;
  fastReact: boolean;
  minRateMbps: number;
}

/**
 * Defaults of the HPCC authors' ns-3 code, `run.py --cc hp` (cc-family.md §1.3): η = 0.95
 * (U_TARGET), maxStage 0 (MI_THRESH: the paper's 5 was a typo, every update takes the η/U step),
 * R_AI = 10 × bw/25 Mb/s with bw the NIC rate in Gb/s (40 Mb/s at 100 G), fast react on,
 * MIN_RATE 1000 Mb/s; T the base RTT of the longest path (third.cc maxRtt).
 */
export function resolveHpcc(cfg: RoceTransport, nicGbps: number, baseRttPs: number): HpccParams {
  const o = cfg.hpcc ?? {};
  return {
    eta: o.eta ?? 0.95,
    maxStage: o.maxStage ?? 0,
    rateAiMbps: o.rateAiMbps ?? (10 * nicGbps) / 25,
    baseRttUs: o.baseRttUs ?? baseRttPs / 1e6,
    fastReact: o.fastReact ?? true,
    minRateMbps: o.minRateMbps ?? 1000,
  };
}

/** Float64 cells of a flow's previous record of one hop. */
const enum PH {
  TS_PS = 0,
  TX_BYTES = 1,
  QLEN_BYTES = 2,
  STRIDE = 3,
}
const FLOW_STRIDE = INT_MAX_HOPS * PH.STRIDE;

/**
 * HPCC's sender (Li et al., SIGCOMM 2019, Algorithm 1; cc-family.md §1.2), in the rate form of
 * the authors' ns-3 code (rdma-hw.cc UpdateRateHp, single aggregate rate, MULTI_RATE 0):
 *   per hop i of an ACK's INT:  u_i = txRate_i/B_i + min(qlen_i, qlen_i,prev)/(B_i·T)
 *   U ← (1 − τ/T)·U + (τ/T)·max_i u_i      (τ: that hop's time between the two records, ≤ T)
 *   R = Rc·η/U + R_AI  if U ≥ η or incStage ≥ maxStage, else Rc + R_AI
 * The first ACK beyond lastUpdateSeq commits R as the reference Rc (once per RTT); the ACKs in
 * between change R without committing it ("fast react"). The window is W = R·T.
 */
export class Hpcc implements AckCc {
  readonly params: HpccParams;
  readonly rateBps: Float64Array;
  readonly windowBytes: Float64Array;
  readonly dataExtraBytes = INT_HEADER_BYTES;
  readonly ackExtraBytes = INT_HEADER_BYTES;
  /** The reference rate Rc, committed once per RTT. */
  readonly curRateBps: Float64Array;
  /** The EWMA utilisation U of the most loaded hop. */
  readonly util: Float64Array;
  private readonly incStage: Int32Array;
  /** PSN beyond which an ACK triggers the next committed update; -1 before the first ACK. */
  private readonly lastUpdateSeq: Int32Array;
  private readonly lineBps: Float64Array;
  private readonly prev: Float64Array;
  private readonly prevHops: Uint8Array;
  private readonly tPs: number;
  private readonly aiBps: number;
  private readonly minBps: number;
  /** Rate updates done (tests). */
  updates = 0;

  constructor(
    private readonly fabric: Fabric,
    flows: FlowTable,
    cfg: RoceTransport,
    private readonly int: IntTable,
    baseRttPs: number,
  ) {
    const nicBps = fabric.rateBps[fabric.routes.hostNicPort[0]];
    const p = resolveHpcc(cfg, nicBps / 1e9, baseRttPs);
    this.params = p;
    const n = flows.count;
    this.rateBps = new Float64Array(n);
    this.windowBytes = new Float64Array(n);
    this.curRateBps = new Float64Array(n);
    this.util = new Float64Array(n);
    this.incStage = new Int32Array(n);
    this.lastUpdateSeq = new Int32Array(n).fill(-1);
    this.lineBps = new Float64Array(n);
    this.prev = new Float64Array(n * FLOW_STRIDE);
    this.prevHops = new Uint8Array(n);
    this.tPs = Math.round(p.baseRttUs * 1e6);
    this.aiBps = p.rateAiMbps * 1e6;
    this.minBps = p.minRateMbps * 1e6;
  }

  start(f: number, lineBps: number): void {
    this.lineBps[f] = lineBps;
    this.setRate(f, lineBps);
    this.curRateBps[f] = lineBps;
    // ns-3 RdmaQueuePair: hp.u starts at 1 (cc-family.md §1.2).
    this.util[f] = 1;
  }

  private setRate(f: number, bps: number): void {
    this.rateBps[f] = bps;
    // W = R·T (ns-3 VAR_WIN: maxBdp × R / line rate, maxBdp = line rate × T).
    this.windowBytes[f] = (bps * this.tPs) / 8e12;
  }

  onAck(f: number, pkt: number, ack: number, sndNxt: number): void {
    if (ack > this.lastUpdateSeq[f]) this.update(f, pkt, sndNxt, false);
    else if (this.params.fastReact) this.update(f, pkt, sndNxt, true);
  }

  private update(f: number, pkt: number, sndNxt: number, fast: boolean): void {
    const int = this.int;
    const hops = int.hopCount(pkt);
    const base = f * FLOW_STRIDE;
    if (this.lastUpdateSeq[f] < 0) {
      // The first ACK only stores the records (ns-3: first RTT).
      this.lastUpdateSeq[f] = sndNxt;
      this.store(f, pkt, hops);
      return;
    }
    const T = this.tPs;
    let U = 0;
    let dt = 0;
    let any = false;
    const known = Math.min(hops, this.prevHops[f]);
    for (let i = 0; i < known; i++) {
      const b = base + i * PH.STRIDE;
      const tau = int.tsPs(pkt, i) - this.prev[b + PH.TS_PS];
      // Two records of one hop at the same instant carry no rate (ns-3 would divide by zero).
      if (tau <= 0) continue;
      any = true;
      const lineBps = this.fabric.rateBps[int.port(pkt, i)];
      const txBps = ((int.txBytes(pkt, i) - this.prev[b + PH.TX_BYTES]) * 8e12) / tau;
      const qlen = Math.min(int.qlenBytes(pkt, i), this.prev[b + PH.QLEN_BYTES]);
      const u = txBps / lineBps + (qlen * 8e12) / (lineBps * T);
      if (u > U) {
        U = u;
        dt = tau;
      }
    }
    this.store(f, pkt, hops);
    if (any) {
      if (dt > T) dt = T;
      const util = (this.util[f] * (T - dt) + U * dt) / T;
      this.util[f] = util;
      const p = this.params;
      const c = util / p.eta;
      let rate: number;
      let stage: number;
      if (c >= 1 || this.incStage[f] >= p.maxStage) {
        rate = this.curRateBps[f] / c + this.aiBps;
        stage = 0;
      } else {
        rate = this.curRateBps[f] + this.aiBps;
        stage = this.incStage[f] + 1;
      }
      if (rate < this.minBps) rate = this.minBps;
      if (rate > this.lineBps[f]) rate = this.lineBps[f];
      this.setRate(f, rate);
      this.updates++;
      if (!fast) {
        this.curRateBps[f] = rate;
        this.incStage[f] = stage;
      }
    }
    if (!fast && sndNxt > this.lastUpdateSeq[f]) this.lastUpdateSeq[f] = sndNxt;
  }

  private store(f: number, pkt: number, hops: number): void {
    const int = this.int;
    const base = f * FLOW_STRIDE;
    for (let i = 0; i < hops; i++) {
      const b = base + i * PH.STRIDE;
      this.prev[b + PH.TS_PS] = int.tsPs(pkt, i);
      this.prev[b + PH.TX_BYTES] = int.txBytes(pkt, i);
      this.prev[b + PH.QLEN_BYTES] = int.qlenBytes(pkt, i);
    }
    this.prevHops[f] = hops;
  }

  trace(f: number): Record<string, number> {
    return { rateGbps: this.rateBps[f] / 1e9, windowKB: this.windowBytes[f] / 1e3, util: this.util[f] };
  }
}
