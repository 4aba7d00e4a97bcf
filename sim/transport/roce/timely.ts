import type { Fabric } from '../../net/fabric.ts';
import { PS64, REC } from '../../net/packets.ts';
import type { FlowTable } from '../flows.ts';
import type { RoceTransport } from '../../scenario/schema.ts';
import type { AckCc } from './ackCc.ts';

/** TIMELY's parameters resolved to numbers (docs/reference/cc-family.md §2.2). */
export interface TimelyParams {
  alpha: number;
  beta: number;
  tLowUs: number;
  tHighUs: number;
  minRttUs: number;
  rateAiMbps: number;
  rateHaiMbps: number;
  haiAfter: number;
  minRateMbps: number;
}

/**
 * Defaults of the HPCC authors' ns-3 code (rdma-hw.cc GetTypeId, `run.py --cc timely`;
 * cc-family.md §2.2): α = 0.875, β = 0.8, T_low 50 µs, T_high 500 µs, minRTT 20 µs,
 * δ = 10 × bw/10 Mb/s and HAI = 50 × bw/10 Mb/s (bw the NIC rate in Gb/s: 100 and 500 Mb/s at
 * 100 G), the hyperactive step after 5 increases, MIN_RATE 1000 Mb/s.
 */
export function resolveTimely(cfg: RoceTransport, nicGbps: number): TimelyParams {
  const o = cfg.timely ?? {};
  return {
    alpha: o.alpha ?? 0.875,
    beta: o.beta ?? 0.8,
    tLowUs: o.tLowUs ?? 50,
    tHighUs: o.tHighUs ?? 500,
    minRttUs: o.minRttUs ?? 20,
    rateAiMbps: o.rateAiMbps ?? (10 * nicGbps) / 10,
    rateHaiMbps: o.rateHaiMbps ?? (50 * nicGbps) / 10,
    haiAfter: o.haiAfter ?? 5,
    minRateMbps: o.minRateMbps ?? 1000,
  };
}

/** Wire bytes of the send timestamp a TIMELY data packet carries (ns-3 IntHeader TS mode, cc-family.md §2.1). */
export const TIMELY_TS_BYTES = 8;

/**
 * TIMELY (Mittal et al., SIGCOMM 2015) as the HPCC ns-3 code runs it (rdma-hw.cc
 * UpdateRateTimely; cc-family.md §2.1): the RTT of a data packet is the ACK's arrival minus the
 * packet's send time, echoed in the ACK. Once per RTT (the first ACK beyond lastUpdateSeq):
 *   rttDiff ← (1 − α)·rttDiff + α·(rtt − lastRtt);  g = rttDiff / minRTT
 *   rtt < T_low: increase;  rtt > T_high: R = Rc·(1 − β(1 − T_high/rtt))
 *   else g ≤ 0: increase, else R = Rc·max(0, 1 − β·g)
 * An increase adds δ, or the hyperactive step after `haiAfter` increases in a row. Rate only, no
 * window (HAS_WIN 0).
 */
export class Timely implements AckCc {
  readonly params: TimelyParams;
  readonly rateBps: Float64Array;
  readonly windowBytes = null;
  readonly dataExtraBytes = TIMELY_TS_BYTES;
  readonly ackExtraBytes = 0;
  /** The last RTT sample (ps), for traces. */
  readonly rttPs: Float64Array;
  private readonly lastRttPs: Float64Array;
  private readonly rttDiffPs: Float64Array;
  private readonly incStage: Int32Array;
  private readonly lastUpdateSeq: Int32Array;
  private readonly lineBps: Float64Array;
  private readonly tLowPs: number;
  private readonly tHighPs: number;
  private readonly minRttPs: number;
  private readonly aiBps: number;
  private readonly haiBps: number;
  private readonly minBps: number;

  constructor(
    private readonly fabric: Fabric,
    flows: FlowTable,
    cfg: RoceTransport,
  ) {
    const nicBps = fabric.rateBps[fabric.routes.hostNicPort[0]];
    const p = resolveTimely(cfg, nicBps / 1e9);
    this.params = p;
    const n = flows.count;
    this.rateBps = new Float64Array(n);
    this.rttPs = new Float64Array(n);
    this.lastRttPs = new Float64Array(n);
    this.rttDiffPs = new Float64Array(n);
    this.incStage = new Int32Array(n);
    this.lastUpdateSeq = new Int32Array(n).fill(-1);
    this.lineBps = new Float64Array(n);
    this.tLowPs = p.tLowUs * 1e6;
    this.tHighPs = p.tHighUs * 1e6;
    this.minRttPs = p.minRttUs * 1e6;
    this.aiBps = p.rateAiMbps * 1e6;
    this.haiBps = p.rateHaiMbps * 1e6;
    this.minBps = p.minRateMbps * 1e6;
  }

  start(f: number, lineBps: number): void {
    this.lineBps[f] = lineBps;
    this.rateBps[f] = lineBps;
  }

  onAck(f: number, pkt: number, ack: number, sndNxt: number): void {
    // Only the first ACK of each RTT acts (ns-3's TIMELY fast react is empty).
    if (ack <= this.lastUpdateSeq[f]) return;
    const rtt = this.fabric.sim.now - this.fabric.pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS];
    this.rttPs[f] = rtt;
    if (this.lastUpdateSeq[f] >= 0) {
      const p = this.params;
      const diff = (1 - p.alpha) * this.rttDiffPs[f] + p.alpha * (rtt - this.lastRttPs[f]);
      const gradient = diff / this.minRttPs;
      let rate: number;
      if (rtt < this.tLowPs || (rtt <= this.tHighPs && gradient <= 0)) {
        rate = this.rateBps[f] + (this.incStage[f] < p.haiAfter ? this.aiBps : this.haiBps);
        if (rate > this.lineBps[f]) rate = this.lineBps[f];
        this.incStage[f]++;
      } else {
        let c = rtt > this.tHighPs ? 1 - p.beta * (1 - this.tHighPs / rtt) : 1 - p.beta * gradient;
        if (c < 0) c = 0;
        rate = Math.max(this.minBps, this.rateBps[f] * c);
        this.incStage[f] = 0;
      }
      this.rateBps[f] = rate;
      this.rttDiffPs[f] = diff;
    }
    this.lastUpdateSeq[f] = sndNxt;
    this.lastRttPs[f] = rtt;
  }

  trace(f: number): Record<string, number> {
    return { rateGbps: this.rateBps[f] / 1e9, rttUs: this.rttPs[f] / 1e6 };
  }
}
