import type { UetTransport } from '../../scenario/schema.ts';

/** NSCC constants (a const enum, so that they compile to immediates: net/packets.ts). */
const enum NSCC {
  /** NSCC reference network: 100 Gb/s × 12 µs (spec / htsim `_reference_network_*`, physics.md §4.7 table). */
  REF_RATE_BPS = 100e9,
  REF_RTT_PS = 12e6,
  /** target_qdelay = 0.75 × base RTT with trimming, 1.0 × without (§4.7 table). */
  TARGET_TRIM = 0.75,
  TARGET_NO_TRIM = 1.0,
  /** alpha = 4 × MSS × a × b / target_qdelay (bytes/ps); fi = 5 × MSS × a; eta = 0.15 × MSS × a; fi_scale = 0.25 × a (§4.7, htsim initNsccParams). */
  ALPHA_K = 4.0,
  FI_K = 5,
  ETA_K = 0.15,
  FI_SCALE_K = 0.25,
  /** MD gain and largest single cut (§4.7: gamma 0.8, max_md_jump 0.5). */
  GAMMA = 0.8,
  MAX_MD_JUMP = 0.5,
  /** Quick adapt only if achieved < max_wnd >> qa_gate (htsim qa_gate 3, §4.7). */
  QA_GATE = 3,
  /** qa_threshold = 4 × target_qdelay (htsim, §4.7). */
  QA_THRESHOLD_K = 4,
  /** Delay EWMA gain (htsim 0.0125, §4.7). */
  DELAY_EWMA = 0.0125,
  /** max_wnd = 1.5 × BDP, initial cwnd = max_wnd (§4.7). */
  MAX_WND_BDP = 1.5,
  /** adjust_bytes_threshold = 8 × MTU; adjust_period = base RTT (§4.7 table). */
  ADJUST_BYTES_MTUS = 8,
  /**
   * fast_increase needs "delay ≈ 0": htsim tests delay < 1 µs (`timeFromUs(1)` in
   * `UecSrc::fast_increase`); §4.7 only says ≈ 0, so we follow htsim.
   */
  FAST_DELAY_PS = 1e6,
}

export interface NsccParams {
  configBaseRttPs: number;
  bdpBytes: number;
  targetQdelayPs: number;
  scalingA: number;
  scalingB: number;
  /** bytes/ps */
  alpha: number;
  fi: number;
  eta: number;
  fiScale: number;
  gamma: number;
  maxMdJump: number;
  qaGate: number;
  qaThresholdPs: number;
  delayEwma: number;
  maxWndBytes: number;
  /** max_wnd given by the scenario (not derived, so not rescaled by base-RTT samples). */
  maxWndFixed: boolean;
  minWndBytes: number;
  adjustBytes: number;
  adjustPeriodPs: number;
}

/**
 * Parameter derivation from the base RTT and BDP (physics.md §4.7 table, htsim-UEC
 * `initNsccParams`): everything scales with a = BDP / (100 G × 12 µs) and
 * b = target_qdelay / 12 µs. `mssBytes` is the payload per packet, `mtuBytes` the frame.
 */
export function deriveNsccParams(
  configBaseRttPs: number,
  linkRateBps: number,
  mssBytes: number,
  mtuBytes: number,
  trimming: boolean,
  o: UetTransport['nscc'] = {},
): NsccParams {
  const baseRtt = o.baseRttUs !== undefined ? o.baseRttUs * 1e6 : configBaseRttPs;
  const bdp = (linkRateBps * baseRtt) / 8e12;
  const refBdp = (NSCC.REF_RATE_BPS * NSCC.REF_RTT_PS) / 8e12;
  const target =
    o.targetQdelayUs !== undefined
      ? o.targetQdelayUs * 1e6
      : baseRtt * (trimming ? NSCC.TARGET_TRIM : NSCC.TARGET_NO_TRIM);
  const a = bdp / refBdp;
  const b = target / NSCC.REF_RTT_PS;
  return {
    configBaseRttPs: baseRtt,
    bdpBytes: bdp,
    targetQdelayPs: target,
    scalingA: a,
    scalingB: b,
    alpha: (NSCC.ALPHA_K * mssBytes * a * b) / target,
    fi: NSCC.FI_K * mssBytes * a,
    eta: NSCC.ETA_K * mssBytes * a,
    fiScale: NSCC.FI_SCALE_K * a,
    gamma: o.gamma ?? NSCC.GAMMA,
    maxMdJump: o.maxMdJump ?? NSCC.MAX_MD_JUMP,
    qaGate: o.qaGate ?? NSCC.QA_GATE,
    qaThresholdPs: NSCC.QA_THRESHOLD_K * target,
    delayEwma: o.delayEwma ?? NSCC.DELAY_EWMA,
    maxWndBytes: o.maxWindowBytes ?? NSCC.MAX_WND_BDP * bdp,
    maxWndFixed: o.maxWindowBytes !== undefined,
    minWndBytes: mtuBytes,
    adjustBytes: NSCC.ADJUST_BYTES_MTUS * mtuBytes,
    adjustPeriodPs: baseRtt,
  };
}

/**
 * NSCC, the UET sender window (physics.md §4.7; the reaction rules follow htsim-UEC
 * `updateCwndOnAck_NSCC` / `updateCwndOnNack_NSCC`, which implement the spec pseudo-code):
 *
 * | ECN | delay vs target | action |
 * |-----|-----------------|--------|
 * | 0 | < target | proportional increase (fast increase if delay ≈ 0 for over a cwnd of bytes) |
 * | 0 | ≥ target | fair increase |
 * | 1 | < target | nothing (let load balancing act) |
 * | 1 | ≥ target | multiplicative decrease, at most once per base RTT |
 *
 * Increases accumulate in `inc_bytes` and are applied by `fulfill_adjustment` every
 * 8 MTU of received bytes or every base RTT (then also + eta). Quick adapt (on loss/trim
 * or delay > qa_threshold, at most once per base RTT + target) sets cwnd to what was
 * actually delivered in the last period when that is below max_wnd >> qa_gate, then
 * ignores the marks on the next `inflight` bytes. State is per flow in typed arrays.
 */
export class Nscc {
  readonly cwnd: Float64Array;
  readonly baseRtt: Float64Array;
  readonly maxWnd: Float64Array;
  readonly avgDelay: Float64Array;
  private readonly incBytes: Float64Array;
  private readonly receivedBytes: Float64Array;
  private readonly achievedBytes: Float64Array;
  private readonly bytesIgnored: Float64Array;
  private readonly bytesToIgnore: Float64Array;
  private readonly triggerQa: Uint8Array;
  private readonly qaEnd: Float64Array;
  private readonly fiCount: Float64Array;
  private readonly increasing: Uint8Array;
  private readonly lastDec: Float64Array;
  private readonly lastAdjust: Float64Array;
  /** Per-flow NIC rate (bytes per ps), for BDP when the measured base RTT shrinks. */
  private readonly bytesPerPs: Float64Array;

  constructor(
    n: number,
    readonly p: NsccParams,
  ) {
    this.cwnd = new Float64Array(n);
    this.baseRtt = new Float64Array(n);
    this.maxWnd = new Float64Array(n);
    this.avgDelay = new Float64Array(n);
    this.incBytes = new Float64Array(n);
    this.receivedBytes = new Float64Array(n);
    this.achievedBytes = new Float64Array(n);
    this.bytesIgnored = new Float64Array(n);
    this.bytesToIgnore = new Float64Array(n);
    this.triggerQa = new Uint8Array(n);
    this.qaEnd = new Float64Array(n);
    this.fiCount = new Float64Array(n);
    this.increasing = new Uint8Array(n);
    this.lastDec = new Float64Array(n);
    this.lastAdjust = new Float64Array(n);
    this.bytesPerPs = new Float64Array(n);
  }

  /** A flow starts: base RTT = config base RTT, cwnd = max_wnd = 1.5 × its NIC's BDP (htsim initNscc). */
  start(f: number, nicRateBps: number, nowPs: number): void {
    const p = this.p;
    this.bytesPerPs[f] = nicRateBps / 8e12;
    this.baseRtt[f] = p.configBaseRttPs;
    const maxWnd = p.maxWndFixed ? p.maxWndBytes : NSCC.MAX_WND_BDP * p.configBaseRttPs * this.bytesPerPs[f];
    this.maxWnd[f] = maxWnd;
    this.cwnd[f] = maxWnd;
    this.lastAdjust[f] = nowPs;
    this.lastDec[f] = nowPs - p.configBaseRttPs - 1;
  }

  /**
   * A clean RTT sample (never-retransmitted packet, or once-retransmitted with the echo).
   * Only a full-size packet may lower the base RTT (config_base_rtt is an MTU packet's RTT,
   * §4.7; a short last packet serialises faster and would shrink base RTT and max_wnd).
   */
  sampleRtt(f: number, rawRttPs: number, ce: boolean, fullSize: boolean): number {
    if (fullSize) this.lowerBaseRtt(f, rawRttPs);
    const base = this.baseRtt[f];
    // Read before the test: read only below the base RTT (rare), the access had no type feedback
    // and threw sampleRtt's optimised code away.
    const avg = this.avgDelay[f];
    if (rawRttPs < base) return avg;
    const delay = rawRttPs - base;
    this.updateAvgDelay(f, delay, ce);
    return delay;
  }

  /**
   * The RTT of a trim NACK also lowers the base RTT (htsim `UecSrc::processNack`, which calls
   * update_base_rtt on every NACK unless `-disable_base_rtt_update_on_nack`; physics.md §4.7).
   * A trimmed header skips the queue that cut it and returns at high priority, so a NACK often
   * carries the only near-unloaded sample a flow gets under a standing queue: without it a flow
   * on a path shorter than the fabric's longest keeps config_base_rtt, under-reads its queueing
   * delay by the difference, and never meets the multiplicative-decrease condition (the
   * same-pod senders of a fat-tree incast). The sample does not feed the delay average
   * (update_delay with update_avg false).
   */
  sampleNackRtt(f: number, rawRttPs: number): void {
    this.lowerBaseRtt(f, rawRttPs);
  }

  /** htsim update_base_rtt: a smaller sample lowers base RTT, BDP and max_wnd. */
  private lowerBaseRtt(f: number, rawRttPs: number): void {
    if (rawRttPs >= this.baseRtt[f]) return;
    this.baseRtt[f] = rawRttPs;
    if (!this.p.maxWndFixed) this.maxWnd[f] = NSCC.MAX_WND_BDP * rawRttPs * this.bytesPerPs[f];
  }

  /**
   * htsim update_delay: delay above target without an ECN mark is not trusted (the
   * average is pulled toward base_rtt / 4 instead); otherwise an EWMA of the sample.
   */
  private updateAvgDelay(f: number, delay: number, ce: boolean): void {
    const a = this.p.delayEwma;
    if (!ce && delay > this.p.targetQdelayPs)
      this.avgDelay[f] = a * this.baseRtt[f] * 0.25 + (1 - a) * this.avgDelay[f];
    else this.avgDelay[f] = a * delay + (1 - a) * this.avgDelay[f];
  }

  /** An ACK with `newly` newly received bytes, ECN echo `ce`, queueing delay `delay`. */
  onAck(f: number, ce: boolean, delay: number, newly: number, inflight: number, nowPs: number): void {
    this.achievedBytes[f] += newly;
    this.receivedBytes[f] += newly;
    this.bytesIgnored[f] += newly;
    if (this.quickAdapt(f, false, ce, delay, inflight, nowPs)) return;
    const p = this.p;
    const target = p.targetQdelayPs;
    if (!ce) {
      if (delay >= target)
        this.incBytes[f] += p.fi * newly; // fair increase
      else if (!this.fastIncrease(f, newly, delay)) this.incBytes[f] += p.alpha * newly * (target - delay); // proportional
    } else if (delay >= target) this.multiplicativeDecrease(f, nowPs);
    this.bound(f);
    if (this.receivedBytes[f] > p.adjustBytes || nowPs - this.lastAdjust[f] > p.adjustPeriodPs) this.fulfill(f, nowPs);
    this.bound(f);
  }

  /** A trim NACK for a packet of `bytes` (htsim updateCwndOnNack_NSCC). */
  onNack(f: number, bytes: number, inflight: number, nowPs: number, lastHopUnderRccc = false): void {
    this.bytesIgnored[f] += bytes;
    // The trimmed packet saw about a full queue: a delay sample of one base RTT (htsim uses
    // the network RTT as the trim-threshold delay estimate), counted as marked.
    this.updateAvgDelay(f, this.p.configBaseRttPs, true);
    // UET_TRIMMED, or UET_TRIMMED_LASTHOP without RCCC: quick adapt; a last-hop trim under RCCC
    // (which paces the last hop itself) only takes the packet off the window, floor MTU (§4.7).
    if (lastHopUnderRccc) {
      this.onLoss(f, bytes);
      return;
    }
    this.triggerQa[f] = 1;
    if (this.quickAdapt(f, true, true, 0, inflight, nowPs)) return;
    this.cwnd[f] -= bytes;
    this.bound(f);
  }

  /** Inferred loss or timeout (htsim mark_packet_for_retransmission): cwnd −= packet, floor MTU. */
  onLoss(f: number, bytes: number): void {
    const c = this.cwnd[f] - bytes;
    this.cwnd[f] = c > this.p.minWndBytes ? c : this.p.minWndBytes;
  }

  private bound(f: number): void {
    const c = this.cwnd[f];
    if (c < this.p.minWndBytes) this.cwnd[f] = this.p.minWndBytes;
    else if (c > this.maxWnd[f]) this.cwnd[f] = this.maxWnd[f];
  }

  private quickAdapt(f: number, loss: boolean, ce: boolean, delay: number, inflight: number, nowPs: number): boolean {
    const p = this.p;
    let done = false;
    if (this.bytesIgnored[f] < this.bytesToIgnore[f] && ce) done = true;
    else if (nowPs > this.qaEnd[f]) {
      if (
        this.qaEnd[f] !== 0 &&
        (this.triggerQa[f] !== 0 || loss || delay > p.qaThresholdPs) &&
        this.achievedBytes[f] < this.maxWnd[f] / 2 ** p.qaGate
      ) {
        const a = this.achievedBytes[f];
        this.cwnd[f] = a > p.minWndBytes ? a : p.minWndBytes;
        this.bytesToIgnore[f] = inflight;
        this.bytesIgnored[f] = 0;
        this.triggerQa[f] = 0;
        done = true;
      }
      this.achievedBytes[f] = 0;
      this.qaEnd[f] = nowPs + this.baseRtt[f] + p.targetQdelayPs;
    }
    if (done) {
      this.incBytes[f] = 0;
      this.receivedBytes[f] = 0;
    }
    return done;
  }

  /** Exponential growth when the path has stayed empty for over a window of bytes. */
  private fastIncrease(f: number, newly: number, delay: number): boolean {
    if (delay < NSCC.FAST_DELAY_PS) {
      this.fiCount[f] += newly;
      if (this.fiCount[f] > this.cwnd[f] || this.increasing[f] !== 0) {
        this.cwnd[f] += newly * this.p.fiScale;
        this.increasing[f] = 1;
        return true;
      }
    } else this.fiCount[f] = 0;
    this.increasing[f] = 0;
    return false;
  }

  private multiplicativeDecrease(f: number, nowPs: number): void {
    this.increasing[f] = 0;
    this.fiCount[f] = 0;
    const avg = this.avgDelay[f];
    const target = this.p.targetQdelayPs;
    if (avg > target && nowPs - this.lastDec[f] > this.baseRtt[f]) {
      const k = 1 - (this.p.gamma * (avg - target)) / avg;
      this.cwnd[f] *= k > this.p.maxMdJump ? k : this.p.maxMdJump;
      if (this.cwnd[f] < this.p.minWndBytes) this.cwnd[f] = this.p.minWndBytes;
      this.lastDec[f] = nowPs;
    }
  }

  private fulfill(f: number, nowPs: number): void {
    this.cwnd[f] += this.incBytes[f] / this.cwnd[f];
    if (nowPs - this.lastAdjust[f] >= this.p.adjustPeriodPs) {
      this.cwnd[f] += this.p.eta;
      this.lastAdjust[f] = nowPs;
    }
    this.incBytes[f] = 0;
    this.receivedBytes[f] = 0;
  }
}
