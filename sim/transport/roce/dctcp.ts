import type { Fabric } from '../../net/fabric.ts';
import { PS, REC } from '../../net/packets.ts';
import type { FlowTable } from '../flows.ts';
import type { RoceTransport } from '../../scenario/schema.ts';
import type { AckCc } from './ackCc.ts';

/** DCTCP's parameters resolved to numbers (docs/reference/cc-family.md §3.2). */
export interface DctcpParams {
  g: number;
  rateAiMbps: number;
  baseRttUs: number;
  minRateMbps: number;
}

/**
 * Defaults of the HPCC authors' ns-3 code, `run.py --cc dctcp` (cc-family.md §3.2): g = 1/16
 * (EWMA_GAIN 0.0625), additive step 615 Mb/s (DCTCP_RATE_AI: one 1 KB MTU per 13 µs RTT),
 * MIN_RATE 1000 Mb/s, a window W = R·T (HAS_WIN 1, VAR_WIN 1) with T the base RTT.
 */
export function resolveDctcp(cfg: RoceTransport, baseRttPs: number): DctcpParams {
  const o = cfg.dctcp ?? {};
  return {
    g: o.g ?? 1 / 16,
    rateAiMbps: o.rateAiMbps ?? 615,
    baseRttUs: o.baseRttUs ?? baseRttPs / 1e6,
    minRateMbps: o.minRateMbps ?? 1000,
  };
}

/**
 * DCTCP (Alizadeh et al., SIGCOMM 2010) in the rate form of the HPCC ns-3 code (rdma-hw.cc
 * HandleAckDctcp; cc-family.md §3.1). Switches mark CE above K; the receiver echoes in each ACK
 * how many of the packets it acknowledges were marked (PS.AUX2). Per window (the first ACK beyond
 * lastUpdateSeq): F = min(1, marks / packets in that window), α ← (1 − g)α + gF. A marked ACK
 * outside CWR cuts R ← R(1 − α/2) and enters CWR until the ACKs pass the PSN sent at the cut;
 * outside CWR each new window adds R_AI.
 */
export class Dctcp implements AckCc {
  readonly params: DctcpParams;
  readonly rateBps: Float64Array;
  readonly windowBytes: Float64Array;
  readonly dataExtraBytes = 0;
  readonly ackExtraBytes = 0;
  readonly alpha: Float64Array;
  private readonly ecnCount: Int32Array;
  private readonly batch: Int32Array;
  private readonly lastUpdateSeq: Int32Array;
  /** PSN that ends CWR (-1: not in CWR). */
  private readonly highSeq: Int32Array;
  private readonly lineBps: Float64Array;
  private readonly tPs: number;
  private readonly aiBps: number;
  private readonly minBps: number;
  cuts = 0;

  constructor(
    private readonly fabric: Fabric,
    flows: FlowTable,
    cfg: RoceTransport,
    baseRttPs: number,
  ) {
    const p = resolveDctcp(cfg, baseRttPs);
    this.params = p;
    const n = flows.count;
    this.rateBps = new Float64Array(n);
    this.windowBytes = new Float64Array(n);
    // ns-3 RdmaQueuePair: dctcp.m_alpha starts at 1 (cc-family.md §3.1).
    this.alpha = new Float64Array(n).fill(1);
    this.ecnCount = new Int32Array(n);
    this.batch = new Int32Array(n);
    this.lastUpdateSeq = new Int32Array(n).fill(-1);
    this.highSeq = new Int32Array(n).fill(-1);
    this.lineBps = new Float64Array(n);
    this.tPs = Math.round(p.baseRttUs * 1e6);
    this.aiBps = p.rateAiMbps * 1e6;
    this.minBps = p.minRateMbps * 1e6;
  }

  start(f: number, lineBps: number): void {
    this.lineBps[f] = lineBps;
    this.setRate(f, lineBps);
  }

  private setRate(f: number, bps: number): void {
    this.rateBps[f] = bps;
    this.windowBytes[f] = (bps * this.tPs) / 8e12;
  }

  onAck(f: number, pkt: number, ack: number, sndNxt: number): void {
    const marks = this.fabric.pool.side[(pkt << REC.SHIFT) + PS.AUX2];
    this.ecnCount[f] += marks;
    let newBatch = false;
    if (ack > this.lastUpdateSeq[f]) {
      newBatch = true;
      if (this.lastUpdateSeq[f] >= 0) {
        const frac = Math.min(1, this.ecnCount[f] / this.batch[f]);
        const g = this.params.g;
        this.alpha[f] = (1 - g) * this.alpha[f] + g * frac;
        this.ecnCount[f] = 0;
      }
      // The next window's size: packets in flight at this update + 1 (at the first update, ns-3
      // counts every packet sent so far).
      this.batch[f] = (this.lastUpdateSeq[f] >= 0 ? sndNxt - ack : sndNxt) + 1;
      this.lastUpdateSeq[f] = sndNxt;
    }
    if (this.highSeq[f] >= 0 && ack > this.highSeq[f]) this.highSeq[f] = -1;
    if (marks > 0 && this.highSeq[f] < 0) {
      this.setRate(f, Math.max(this.minBps, this.rateBps[f] * (1 - this.alpha[f] / 2)));
      this.highSeq[f] = sndNxt;
      this.cuts++;
    }
    if (this.highSeq[f] < 0 && newBatch) this.setRate(f, Math.min(this.lineBps[f], this.rateBps[f] + this.aiBps));
  }

  trace(f: number): Record<string, number> {
    return { rateGbps: this.rateBps[f] / 1e9, windowKB: this.windowBytes[f] / 1e3, alpha: this.alpha[f] };
  }
}
