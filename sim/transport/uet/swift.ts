import type { UetTransport } from '../../scenario/schema.ts';

/** Swift's parameters resolved to numbers (docs/reference/cc-family.md §4.2). */
export interface SwiftParams {
  ai: number;
  beta: number;
  maxMdf: number;
  baseTargetUs: number;
  hopScalingUs: number;
  fsRangeUs: number;
  fsMinCwnd: number;
  fsMaxCwnd: number;
  minCwndBytes: number;
  maxCwndPackets: number;
  retxResetThreshold: number;
}

/**
 * Defaults (cc-family.md §4.2): the Swift paper prints no numbers for these, so ethersim takes
 * htsim's (csg-htsim / uet-htsim `swift.cpp SwiftSrc` constructor, each marked there as a guess):
 * ai 1, β 0.8, max_mdf 0.5, base target 20 µs, ℏ = base/6.55 per hop, fs_range = 5 × base,
 * fs_min_cwnd 0.1 and fs_max_cwnd 100 packets, min cwnd 10 B, max cwnd 1000 packets, RTO reset
 * threshold 5.
 */
export function resolveSwift(cfg: UetTransport): SwiftParams {
  const o = cfg.swift ?? {};
  const base = o.baseTargetUs ?? 20;
  return {
    ai: o.ai ?? 1,
    beta: o.beta ?? 0.8,
    maxMdf: o.maxMdf ?? 0.5,
    baseTargetUs: base,
    hopScalingUs: o.hopScalingUs ?? base / 6.55,
    fsRangeUs: o.fsRangeUs ?? 5 * base,
    fsMinCwnd: o.fsMinCwnd ?? 0.1,
    fsMaxCwnd: o.fsMaxCwnd ?? 100,
    minCwndBytes: o.minCwndBytes ?? 10,
    maxCwndPackets: o.maxCwndPackets ?? 1000,
    retxResetThreshold: o.retxResetThreshold ?? 5,
  };
}

/**
 * Swift (Kumar et al., SIGCOMM 2020, Algorithm 1 and §3.5; cc-family.md §4.1), a delay-based
 * window in bytes:
 *   target = base + hops·ℏ + clamp(α/√(cwnd/MSS) + β', 0, fs_range)   (flow scaling, §3.5)
 *   delay < target: cwnd += ai·MSS·acked/cwnd (cwnd ≥ MSS) or ai·acked (below)
 *   else, at most once per RTT: cwnd ×= max(1 − β(delay − target)/delay, 1 − max_mdf)
 *   a loss (SACK hole, NACK): cwnd ×= 1 − max_mdf once per RTT; RTOs in a row past the
 *   threshold: cwnd = min_cwnd.
 * Below one packet the flow is paced at one packet per RTT·MSS/cwnd (§3.4). The delay is the
 * whole RTT: ethersim models no NIC receive queue, so Swift's endpoint delay is zero and fcwnd
 * alone sets the window (the paper's ecwnd never binds).
 */
export class Swift {
  readonly params: SwiftParams;
  readonly cwnd: Float64Array;
  /** Earliest time a flow below one packet of window may send again (pacing), ps. */
  readonly nextSendPs: Float64Array;
  /** Smoothed RTT (htsim update_rtt: 7/8 old + 1/8 new), for the once-per-RTT decrease and pacing. */
  readonly srttPs: Float64Array;
  /** The last target delay computed (traces), ps. */
  readonly targetPs: Float64Array;
  private readonly lastDecreasePs: Float64Array;
  private readonly retxCount: Int32Array;
  private readonly hopDelayPs: Float64Array;
  private readonly fsAlphaPs: number;
  private readonly fsBetaPs: number;
  private readonly fsRangePs: number;
  private readonly basePs: number;
  private readonly maxCwnd: number;
  decreases = 0;

  constructor(
    n: number,
    cfg: UetTransport,
    private readonly mss: number,
  ) {
    const p = resolveSwift(cfg);
    this.params = p;
    this.cwnd = new Float64Array(n);
    this.nextSendPs = new Float64Array(n);
    this.srttPs = new Float64Array(n);
    this.targetPs = new Float64Array(n);
    this.lastDecreasePs = new Float64Array(n).fill(-Infinity);
    this.retxCount = new Int32Array(n);
    this.hopDelayPs = new Float64Array(n);
    this.fsRangePs = p.fsRangeUs * 1e6;
    // §3.5: α = fs_range / (1/√fs_min − 1/√fs_max), β' = −α/√fs_max.
    this.fsAlphaPs = this.fsRangePs / (1 / Math.sqrt(p.fsMinCwnd) - 1 / Math.sqrt(p.fsMaxCwnd));
    this.fsBetaPs = -this.fsAlphaPs / Math.sqrt(p.fsMaxCwnd);
    this.basePs = p.baseTargetUs * 1e6;
    this.maxCwnd = p.maxCwndPackets * mss;
  }

  /** A flow starts with `initialBytes` of window over a path of `hops` switches. */
  start(f: number, initialBytes: number, hops: number): void {
    this.cwnd[f] = Math.min(this.maxCwnd, Math.max(this.params.minCwndBytes, initialBytes));
    this.hopDelayPs[f] = hops * this.params.hopScalingUs * 1e6;
  }

  /** §3.5's target delay for flow f at its current window. */
  target(f: number): number {
    let fs = this.fsAlphaPs / Math.sqrt(this.cwnd[f] / this.mss) + this.fsBetaPs;
    if (fs > this.fsRangePs) fs = this.fsRangePs;
    if (fs < 0) fs = 0;
    return this.basePs + this.hopDelayPs[f] + fs;
  }

  /** An ACK with an RTT sample (ps, or < 0 for none) acknowledging `ackedBytes` new bytes. */
  onAck(f: number, rttPs: number, ackedBytes: number, now: number): void {
    if (rttPs < 0) return;
    const prev = this.cwnd[f];
    const canDecrease = now - this.lastDecreasePs[f] >= this.srttPs[f];
    this.srttPs[f] = this.srttPs[f] > 0 ? (7 * this.srttPs[f] + rttPs) / 8 : rttPs;
    this.retxCount[f] = 0;
    const t = this.target(f);
    this.targetPs[f] = t;
    const p = this.params;
    if (rttPs < t) {
      if (prev >= this.mss) this.cwnd[f] = prev + (this.mss * p.ai * ackedBytes) / prev;
      else this.cwnd[f] = prev + p.ai * ackedBytes;
    } else if (canDecrease) {
      this.cwnd[f] = prev * Math.max(1 - (p.beta * (rttPs - t)) / rttPs, 1 - p.maxMdf);
    }
    this.limit(f, prev, now);
  }

  /** A loss seen by the SACKs or a NACK (Algorithm 1, fast recovery). */
  onLoss(f: number, now: number): void {
    const prev = this.cwnd[f];
    this.retxCount[f] = 0;
    if (now - this.lastDecreasePs[f] >= this.srttPs[f]) this.cwnd[f] = prev * (1 - this.params.maxMdf);
    this.limit(f, prev, now);
  }

  /** A retransmission timeout. */
  onTimeout(f: number, now: number): void {
    const prev = this.cwnd[f];
    if (++this.retxCount[f] >= this.params.retxResetThreshold) this.cwnd[f] = this.params.minCwndBytes;
    else if (now - this.lastDecreasePs[f] >= this.srttPs[f]) this.cwnd[f] = prev * (1 - this.params.maxMdf);
    this.limit(f, prev, now);
  }

  /** A packet left: below one packet of window the next may go one RTT·MSS/cwnd later (§3.4). */
  onSent(f: number, now: number): void {
    const w = this.cwnd[f];
    this.nextSendPs[f] = w < this.mss ? now + (this.srttPs[f] * this.mss) / w : now;
  }

  private limit(f: number, prev: number, now: number): void {
    let w = this.cwnd[f];
    if (w < this.params.minCwndBytes) w = this.params.minCwndBytes;
    else if (w > this.maxCwnd) w = this.maxCwnd;
    this.cwnd[f] = w;
    if (w < prev) {
      this.lastDecreasePs[f] = now;
      this.decreases++;
    }
  }
}
