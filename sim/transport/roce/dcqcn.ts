import type { Fabric } from '../../net/fabric.ts';
import type { FlowTable } from '../flows.ts';
import type { RoceTransport } from '../../scenario/schema.ts';
import { resolveDcqcn, type DcqcnParams } from './dcqcnPresets.ts';

/** DCQCN's event kinds: EV.TRANSPORT + 8…10, written as literals so that they inline (packets.ts). */
export const enum EV_DCQCN {
  ALPHA = 24,
  INCREASE = 25,
  DECREASE = 26,
}

/**
 * DCQCN reaction point (sender NIC) and notification-point pacing (physics.md §2.1):
 *   on a cut:    RT ← RC (see clampTargetRate); RC ← max(min, RC·(1 − α/2)); stages reset
 *   α timer K:   α ← (1 − g)α + g if a CNP arrived in the window, else (1 − g)α
 *   increase:    every T (timer) and every B bytes (byte counter): fast recovery
 *                RC ← (RT + RC)/2, then additive (RT += R_AI) and hyper (RT += i·R_HAI).
 * Timers are events that carry a generation number; a cut bumps the generation so stale
 * increase events are ignored when they fire (lazy cancellation, docs/architecture.md#events-and-the-event-queue).
 */
export class Dcqcn {
  readonly params: DcqcnParams;
  readonly rateBps: Float64Array;
  readonly targetBps: Float64Array;
  readonly alpha: Float64Array;
  private readonly lineBps: Float64Array;
  private readonly timerStage: Int32Array;
  private readonly byteStage: Int32Array;
  private readonly bytesSinceInc: Float64Array;
  private readonly incGen: Int32Array;
  private readonly incPending: Uint8Array;
  private readonly increasedSinceCut: Uint8Array;
  private readonly cnpSeen: Uint8Array;
  private readonly cnpInWindow: Uint8Array;
  private readonly decreasePending: Uint8Array;
  private readonly lastDecreasePs: Float64Array;
  private readonly running: Uint8Array;
  /** NP side: time of the last CNP sent per QP. */
  private readonly lastCnpPs: Float64Array;
  /** Number of rate cuts (for tests and traces). */
  cuts = 0;

  private readonly alphaPs: number;
  private readonly timerPs: number;
  private readonly decreasePs: number;
  private readonly cnpIntervalPs: number;
  private readonly minBps: number;
  private readonly aiBps: number;
  private readonly haiBps: number;

  constructor(
    private readonly fabric: Fabric,
    flows: FlowTable,
    cfg: RoceTransport,
  ) {
    const nicBps = fabric.rateBps[fabric.routes.hostNicPort[0]];
    const p = resolveDcqcn(cfg, nicBps / 1e9);
    this.params = p;
    const n = flows.count;
    this.rateBps = new Float64Array(n);
    this.targetBps = new Float64Array(n);
    this.alpha = new Float64Array(n);
    this.lineBps = new Float64Array(n);
    this.timerStage = new Int32Array(n);
    this.byteStage = new Int32Array(n);
    this.bytesSinceInc = new Float64Array(n);
    this.incGen = new Int32Array(n);
    this.incPending = new Uint8Array(n);
    this.increasedSinceCut = new Uint8Array(n);
    this.cnpSeen = new Uint8Array(n);
    this.cnpInWindow = new Uint8Array(n);
    this.decreasePending = new Uint8Array(n);
    this.lastDecreasePs = new Float64Array(n).fill(-Infinity);
    this.running = new Uint8Array(n);
    this.lastCnpPs = new Float64Array(n).fill(-Infinity);
    this.alphaPs = Math.round(p.alphaUpdateIntervalUs * 1e6);
    this.timerPs = Math.round(p.rateIncreaseTimerUs * 1e6);
    this.decreasePs = Math.round(p.rateDecreaseIntervalUs * 1e6);
    this.cnpIntervalPs = Math.round(p.cnpIntervalUs * 1e6);
    this.minBps = p.minRateMbps * 1e6;
    this.aiBps = p.rateAiMbps * 1e6;
    this.haiBps = p.rateHaiMbps * 1e6;
  }

  /** A QP starts at line rate (DCQCN has no slow start). */
  start(f: number, lineBps: number): void {
    this.lineBps[f] = lineBps;
    this.rateBps[f] = lineBps;
    this.targetBps[f] = lineBps;
    this.alpha[f] = this.params.initialAlpha;
    this.running[f] = 1;
  }

  stop(f: number): void {
    this.running[f] = 0;
  }

  /**
   * NP: should a CE-marked arrival on this QP produce a CNP now? At most one per CNP interval;
   * marks inside the interval are dropped, as in HPCC's NIC (a choice: htsim instead sends one
   * deferred CNP at the end of the interval; the sender then sees the congestion up to one
   * interval later here).
   */
  shouldSendCnp(f: number, nowPs: number): boolean {
    if (nowPs - this.lastCnpPs[f] < this.cnpIntervalPs) return false;
    this.lastCnpPs[f] = nowPs;
    return true;
  }

  /** RP: a CNP arrived. */
  onCnp(f: number): void {
    if (this.running[f] === 0) return;
    const sim = this.fabric.sim;
    const now = sim.now;
    this.cnpInWindow[f] = 1;
    if (this.cnpSeen[f] === 0) {
      this.cnpSeen[f] = 1;
      this.alpha[f] = this.params.initialAlpha;
      // Only the current rate: HPCC also sets the target rate to it. The same at the presets'
      // rateOnFirstCnp of 1; below 1 the target here stays at line rate, so recovery aims higher.
      this.rateBps[f] = Math.max(this.minBps, this.rateBps[f] * this.params.rateOnFirstCnp);
      sim.at(now + this.alphaPs, EV_DCQCN.ALPHA, f, 0);
      if (this.decreasePs > 0) {
        // HPCC/ConnectX: the first decrease check runs one monitor period after the first CNP.
        this.decreasePending[f] = 1;
        sim.at(now + this.decreasePs, EV_DCQCN.DECREASE, f, 0);
        return;
      }
    }
    if (this.decreasePs === 0) {
      this.cut(f);
      return;
    }
    if (this.decreasePending[f] !== 0) return;
    // The decrease check is driven by CNP arrival: a cut at the first CNP one monitor period
    // after the last cut. HPCC checks on a fixed grid of monitor periods from the first CNP
    // instead; a cut here can come up to one period (4 µs at the ConnectX preset) earlier. (The
    // CNP-in-window flag is also left set by the first CNP.) A harness driving this class and
    // HPCC's rule with one flow (2026-12-02 review) put the first cut at 50.39 G against 50.78 G.
    const at = this.lastDecreasePs[f] + this.decreasePs;
    if (at <= now) this.cut(f);
    else {
      this.decreasePending[f] = 1;
      sim.at(at, EV_DCQCN.DECREASE, f, 0);
    }
  }

  private cut(f: number): void {
    const now = this.fabric.sim.now;
    const a = this.alpha[f];
    if (this.params.clampTargetRate || this.increasedSinceCut[f] !== 0) this.targetBps[f] = this.rateBps[f];
    this.rateBps[f] = Math.max(this.minBps, this.rateBps[f] * (1 - a / 2));
    this.lastDecreasePs[f] = now;
    this.timerStage[f] = 0;
    this.byteStage[f] = 0;
    this.bytesSinceInc[f] = 0;
    this.increasedSinceCut[f] = 0;
    this.cuts++;
    // Restart the increase timer from this cut.
    this.incGen[f]++;
    this.incPending[f] = 1;
    this.fabric.sim.at(now + this.timerPs, EV_DCQCN.INCREASE, f, this.incGen[f]);
  }

  /** Byte counter: called for every packet the QP sends. */
  onSent(f: number, bytes: number): void {
    const B = this.params.byteCounterBytes;
    if (B <= 0 || this.cnpSeen[f] === 0) return;
    this.bytesSinceInc[f] += bytes;
    if (this.bytesSinceInc[f] >= B) {
      this.bytesSinceInc[f] -= B;
      this.byteStage[f]++;
      this.increase(f);
    }
  }

  private increase(f: number): void {
    const F = this.params.fastRecoverySteps;
    const T = this.timerStage[f];
    const line = this.lineBps[f];
    let rt = this.targetBps[f];
    if (this.params.byteCounterBytes > 0) {
      // Paper / htsim: fast recovery while max(T, BC) ≤ F; hyper once both exceed F
      // (i = min(T, BC) − F, htsim `increaseRate`); additive otherwise.
      const BC = this.byteStage[f];
      if (Math.max(T, BC) > F) {
        if (Math.min(T, BC) > F) rt += (Math.min(T, BC) - F) * this.haiBps;
        else rt += this.aiBps;
      }
    } else {
      // HPCC timer-only model: stage (events before this one) < F → fast recovery,
      // == F → additive, > F → hyper (one R_HAI per event).
      const stage = T - 1;
      if (stage === F) rt += this.aiBps;
      else if (stage > F) rt += this.haiBps;
    }
    if (rt > line) rt = line;
    this.targetBps[f] = rt;
    const rc = (rt + this.rateBps[f]) / 2;
    this.rateBps[f] = rc > line ? line : rc;
    this.increasedSinceCut[f] = 1;
  }

  onEvent(kind: number, f: number, b: number): void {
    if (this.running[f] === 0) return;
    const sim = this.fabric.sim;
    switch (kind) {
      case EV_DCQCN.ALPHA: {
        // α moves once per α window: +g if any CNP came in it (HPCC's AlphaResumInterval rule).
        // htsim's paper/bz model adds g on every CNP instead; here all presets use the window.
        const g = this.params.g;
        this.alpha[f] = this.cnpInWindow[f] !== 0 ? (1 - g) * this.alpha[f] + g : (1 - g) * this.alpha[f];
        this.cnpInWindow[f] = 0;
        sim.at(sim.now + this.alphaPs, EV_DCQCN.ALPHA, f, 0);
        break;
      }
      case EV_DCQCN.DECREASE:
        this.decreasePending[f] = 0;
        this.cut(f);
        break;
      case EV_DCQCN.INCREASE:
        if (b !== this.incGen[f]) return; // superseded by a later cut
        this.timerStage[f]++;
        this.increase(f);
        if (this.rateBps[f] >= this.lineBps[f] && this.targetBps[f] >= this.lineBps[f]) {
          this.incPending[f] = 0; // back at line rate: nothing left to recover
          return;
        }
        sim.at(sim.now + this.timerPs, EV_DCQCN.INCREASE, f, b);
        break;
    }
  }
}
