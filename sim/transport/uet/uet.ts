import { ActiveFlows } from '../activeFlows.ts';
import type { Fabric, HostTransport } from '../../net/fabric.ts';
import { P, PS, PS64, F, PK, PRIO, REC } from '../../net/packets.ts';
import type { FlowTable } from '../flows.ts';
import type { LatencyRecorder } from '../../metrics/latencyHistogram.ts';
import type { UetReport } from '../../metrics/result.ts';
import type { UetTransport } from '../../scenario/schema.ts';
import type { Rng } from '../../engine/random.ts';
import { sackBase, encodeSack, lowestBit } from './sack.ts';
import { ReceivedPsns } from './receivedPsns.ts';
import { EntropyChooser } from './loadBalancing.ts';
import { Nscc, deriveNsccParams, type NsccParams } from './nscc.ts';
import { RcccReceiver, RCCC, quantizeCeil } from './rccc.ts';
import { Swift } from './swift.ts';
import { nextHopList } from '../../net/routing.ts';

export type { UetReport };

/** UetTransportModel.stats(): what report() sums over receivers and senders. */
export interface UetStats {
  arrivals: number;
  outOfOrder: number;
  maxReorder: number;
  sumReorder: number;
  reorderHist: Float64Array;
  nacksReceived: number;
  sackInferred: number;
  duplicates: number;
}

/** UET's event kinds: EV.TRANSPORT + 20…22, written as literals so that they inline (packets.ts). */
export const enum EV_UET {
  START = 36,
  RTO = 37,
  PULL = 38,
  /** Swift's pacer: a flow below one packet of window may send again (a = flow). */
  SWIFT_PACE = 39,
}

/** UET sender constants (a const enum, so that they compile to immediates: net/packets.ts). */
const enum UET {
  // Per-PSN sender states.
  // 0: not sent yet (the arrays start zero-filled)
  ST_OUT = 1,
  ST_ACKED = 2,
  ST_RTX = 3,

  /** htsim-UEC min RTO = 15 µs + 6 × queue drain time (physics.md §4.7 table, "min RTO" row). */
  RTO_FIXED_PS = 15e6,
  RTO_DRAIN_MULT = 6,
  /**
   * On a lossless (PFC) data class nothing is dropped and paused queues can hold far more than
   * one BDP, so the auto RTO (and the SACK reorder window) is the spec's RTO_INIT_TIMER of
   * 1 ms (xdp2 PDS default, physics.md §4.3) instead of the htsim lossy-queue rule.
   */
  RTO_LOSSLESS_PS = 1e9,
  /** RTO back-off RTO_INIT × 2^retry (§4.3), capped at 2^6 so a stuck packet still retries within ~6 ms at 100 G. */
  RTO_MAX_SHIFT = 6,
  /** Reorder-distance histogram: exact up to this many PSNs, then one overflow bucket (max kept exactly). */
  REORDER_BINS = 4096,
}

export interface UetOptions {
  /** config_base_rtt: base RTT of the longest path (run.ts, §4.7). */
  baseRttPs: number;
  /** Plane BDP = min link rate × base RTT (§4.6). */
  planeBdpBytes: number;
  /** Switch egress queues on the longest path (5 in a 3-tier fat-tree). */
  pathQueues: number;
  /** Entropy draws (a named stream of its own). */
  evRng: Rng;
  /** NIC ports per host the fabric sprays over (planes, docs/fabric-shapes.md): NSCC's and
   *  RCCC's NIC rate is that many ports' worth, as uet-htsim's pull pacer divides its quantum by
   *  the planes (fabric-realism §6). Default 1. */
  nicPorts?: number;
}

/**
 * UET packet delivery (PDS) in RUD mode with NSCC, optional RCCC, and per-packet entropy
 * (physics.md §4). One PDC per flow.
 *
 * Receiver (RUD, §4.2–4.3): accepts any PSN, delivers each exactly once (a copy it
 * already has is counted as a discard and ACKed at once), keeps the cumulative PSN and
 * answers with ACKs carrying CACK_PSN, a 64-bit SACK bitmap (sack.ts), the bytes received
 * so far (the NSCC ACK clock), the echoed EV, CE and retransmit flags. It ACKs every
 * `ackEveryBytes` (ACK_GEN_TRIGGER 16 KiB), at once on CE, on the flow's first packet, on
 * an ACK request (AR) and when the message is complete. A trimmed header makes it send a
 * NACK for that PSN in the control class.
 *
 * Sender: sends new PSNs and retransmissions (lowest PSN first) while
 * `inflight + packet ≤ cwnd` (NSCC, or a fixed max_wnd = 1.5 × BDP when `cc: none`) and,
 * with RCCC, while it holds credit. `inflight` grows by each packet sent and shrinks by
 * the receiver's newly received bytes and by packets declared lost (§4.7, as htsim).
 * Loss recovery:
 * - NACK of a trimmed packet → retransmit it, on a new EV.
 * - SACK-inferred loss (RACK-style, chosen because spraying reorders packets by up to a
 *   full queue's delay, so a fixed "3 higher PSNs SACKed" rule would fire on reordering):
 *   an outstanding PSN is lost when a packet *sent more than one reorder window after it*
 *   has been acknowledged. The reorder window is the drain time of one full data queue
 *   (the trim threshold, or the drop cap without trimming) times the switch queues on the
 *   longest path — the largest delay difference queueing along a path can explain. Checked on
 *   the 64 PSNs above the cumulative ACK. (Without trimming that window, 352 µs at a 5 × BDP
 *   cap on a k = 4 fat-tree at 100 G, is most of the RTO, 437 µs: there a drop is mostly
 *   recovered by the RTO, as in htsim, whose SACK-based loss detection is off by default.)
 * - RTO backstop per packet, `rto × 2^(transmissions − 1)`; auto RTO = 15 µs + 6 × queue
 *   drain time (htsim), where the queue drain time is the same full-queue drain time,
 *   rounded up to whole frames, at the NIC rate. On a lossless (PFC) class: 1 ms for both
 *   (RTO_INIT, §4.3), since there queues are bounded by pauses, not by a drop threshold.
 */
export class UetTransportModel implements HostTransport {
  /** NIC ports per host that the fabric sprays over (planes). */
  private readonly nicPorts: number;
  private readonly mtu: number;
  private readonly hdr: number;
  private readonly ackBytes: number;
  private readonly prio: number;
  private readonly ackEvery: number;
  private readonly rtoPs: number;
  private readonly reorderWindowPs: number;
  readonly nscc: Nscc | null;
  readonly nsccParams: NsccParams;
  /** Swift (transport.cc: swift, swift.ts), else null. */
  readonly swift: Swift | null;
  private readonly pacePending: Uint8Array | null;
  readonly chooser: EntropyChooser;
  readonly rccc: RcccReceiver | null;
  private readonly fixedWnd: Float64Array;

  // Per flow, sender.
  private readonly off: Int32Array;
  private readonly npkts: Int32Array;
  private readonly nextNew: Int32Array;
  private readonly una: Int32Array;
  private readonly ackedCount: Int32Array;
  private readonly outstanding: Int32Array;
  private readonly rtxCount: Int32Array;
  private readonly rtxCursor: Int32Array;
  private readonly inflight: Float64Array;
  private readonly rcvdSeen: Int32Array;
  private readonly latestAckedSent: Float64Array;
  private readonly rtoPending: Uint8Array;
  private readonly rtoAt: Float64Array;
  private readonly rtoGen: Int32Array;
  private readonly credit: Float64Array;
  private readonly pullSeen: Float64Array;
  private readonly speculating: Uint8Array;
  private readonly lastRtsPs: Float64Array;
  // Per flow, receiver.
  private readonly rcvCum: Int32Array;
  private readonly rcvSinceAck: Int32Array;
  private readonly rcvBytes: Int32Array;
  private readonly rcvAny: Uint8Array;
  // Per PSN (flat, flow f's PSNs start at off[f]).
  private readonly st: Uint8Array;
  private readonly txTime: Float64Array;
  private readonly attempt: Uint8Array;
  private readonly txEv: Uint16Array;
  // Per PSN, receiver: what has arrived.
  private readonly got: ReceivedPsns;
  // Per host.
  /** Flows that may have data to send, served round-robin by the host's NIC. */
  private readonly active: ActiveFlows;

  private readonly sack = new Int32Array(2);
  private readonly reorderHist = new Float64Array(UET.REORDER_BINS + 1);
  private arrivals = 0;
  private outOfOrder = 0;
  private maxReorder = 0;
  private sumReorder = 0;
  private nacksReceived = 0;
  private sackInferred = 0;
  private duplicates = 0;

  constructor(
    private readonly fabric: Fabric,
    readonly flows: FlowTable,
    private readonly cfg: UetTransport,
    private readonly latency: LatencyRecorder | null,
    opts: UetOptions,
  ) {
    const n = flows.count;
    this.mtu = cfg.mtuBytes;
    this.hdr = cfg.headerBytes;
    this.ackBytes = cfg.headerBytes;
    this.prio = cfg.priority;
    fabric.dataPrio = cfg.priority;
    this.ackEvery = cfg.ackEveryBytes;
    const fc = fabric.cfg;
    const frame = this.mtu + this.hdr;
    const nicBps = fabric.rateBps[fabric.routes.hostNicPort[0]];
    // Queue drain time: one full data queue (trim threshold; else the lossy drop cap; else
    // one plane BDP) rounded up to whole frames, at the NIC rate (see the class comment).
    const lossless = (fc.losslessMask & (1 << cfg.priority)) !== 0;
    const queueBytes =
      !lossless && fc.trimEnabled
        ? fc.trimThresholdBytes
        : !lossless && Number.isFinite(fc.lossyQueueCapBytes)
          ? fc.lossyQueueCapBytes
          : opts.planeBdpBytes;
    const drainPs = (Math.ceil(queueBytes / frame) * frame * 8e12) / nicBps;
    this.reorderWindowPs = lossless ? UET.RTO_LOSSLESS_PS : Math.max(1, opts.pathQueues) * drainPs;
    this.rtoPs =
      cfg.rtoUs !== 'auto'
        ? cfg.rtoUs * 1e6
        : lossless
          ? UET.RTO_LOSSLESS_PS
          : UET.RTO_FIXED_PS + UET.RTO_DRAIN_MULT * drainPs;
    this.nicPorts = opts.nicPorts ?? 1;
    this.nsccParams = deriveNsccParams(
      opts.baseRttPs,
      nicBps * this.nicPorts,
      this.mtu,
      frame,
      fc.trimEnabled && !lossless,
      cfg.nscc,
    );
    this.nscc = cfg.cc === 'nscc' ? new Nscc(n, this.nsccParams) : null;
    this.swift = cfg.cc === 'swift' ? new Swift(n, cfg, this.mtu) : null;
    this.pacePending = this.swift !== null ? new Uint8Array(n) : null;
    this.fixedWnd = new Float64Array(n);
    this.chooser = new EntropyChooser(n, cfg.loadBalancing, cfg.evCount, opts.evRng, fc.trimEnabled);
    this.rccc = cfg.rccc
      ? new RcccReceiver(
          n,
          fabric.hostCount,
          flows.dst,
          (h) => this.nicPorts * fabric.rateBps[fabric.routes.hostNicPort[h]],
          this.mtu,
        )
      : null;

    this.off = new Int32Array(n);
    this.npkts = new Int32Array(n);
    let total = 0;
    for (let f = 0; f < n; f++) {
      this.off[f] = total;
      this.npkts[f] = Math.max(1, Math.ceil(flows.sizeBytes[f] / this.mtu));
      total += this.npkts[f];
    }
    this.nextNew = new Int32Array(n);
    this.una = new Int32Array(n);
    this.ackedCount = new Int32Array(n);
    this.outstanding = new Int32Array(n);
    this.rtxCount = new Int32Array(n);
    this.rtxCursor = new Int32Array(n);
    this.inflight = new Float64Array(n);
    this.rcvdSeen = new Int32Array(n);
    this.latestAckedSent = new Float64Array(n).fill(-1);
    this.rtoPending = new Uint8Array(n);
    this.rtoAt = new Float64Array(n);
    this.rtoGen = new Int32Array(n);
    this.credit = new Float64Array(n);
    this.pullSeen = new Float64Array(n);
    this.speculating = new Uint8Array(n);
    this.lastRtsPs = new Float64Array(n).fill(-Infinity);
    this.rcvCum = new Int32Array(n);
    this.rcvSinceAck = new Int32Array(n);
    this.rcvBytes = new Int32Array(n);
    this.rcvAny = new Uint8Array(n);
    this.st = new Uint8Array(total);
    this.txTime = new Float64Array(total);
    this.attempt = new Uint8Array(total);
    this.txEv = new Uint16Array(total);
    this.got = new ReceivedPsns(this.npkts);
    const hosts = fabric.hostCount;
    this.active = new ActiveFlows(flows.src, hosts);
    flows.scheduleStarts(EV_UET.START);
  }

  // ------------------------------------------------------------------ helpers

  private frameBytes(f: number, psn: number): number {
    const left = this.flows.sizeBytes[f] - psn * this.mtu;
    // min/max, not a branch: a flow's last, short packet came after frameBytes, pull and
    // makeData were optimised, and its untried branch threw their code away (node --trace-deopt).
    const payload = Math.max(1, Math.min(left, this.mtu));
    return payload + this.hdr;
  }

  private window(f: number): number {
    return this.nscc !== null ? this.nscc.cwnd[f] : this.swift !== null ? this.swift.cwnd[f] : this.fixedWnd[f];
  }

  private maxWnd(f: number): number {
    return this.nscc !== null ? this.nscc.maxWnd[f] : this.fixedWnd[f];
  }

  /** Sampled per-flow state for traces (cold path): the window and what is in flight. */
  flowTrace(f: number): Record<string, number> {
    const t = { cwndBytes: this.window(f), inflightBytes: this.inflight[f] };
    return this.swift !== null
      ? { ...t, targetUs: this.swift.targetPs[f] / 1e6, rttUs: this.swift.srttPs[f] / 1e6 }
      : t;
  }

  private activate(f: number): void {
    this.active.add(f);
  }

  /** Switches on flow f's path (first equal-cost choice; all are equally long here), for Swift's hop scaling. */
  private switchHops(f: number): number {
    const fabric = this.fabric;
    const rt = fabric.routes;
    const dst = this.flows.dst[f];
    let node = rt.hostSwitch[this.flows.src[f]];
    let hops = 1;
    for (; hops < fabric.nodeCount && rt.hostSwitch[dst] !== node; hops++) {
      const e = nextHopList(rt, fabric.hostCount, node, dst);
      if (rt.lists[e + 1] === 0) break;
      node = fabric.portNode[rt.nhPorts[rt.lists[e]] ^ 1];
    }
    return hops;
  }

  private wake(f: number): void {
    this.activate(f);
    this.fabric.kickHost(this.flows.src[f]);
  }

  /** Lowest PSN waiting for retransmission (the cursor only skips PSNs known not to be). */
  private findRtx(f: number): number {
    const o = this.off[f];
    let p = this.rtxCursor[f];
    if (p < this.una[f]) p = this.una[f];
    const end = this.nextNew[f];
    for (; p < end; p++) if (this.st[o + p] === UET.ST_RTX) break;
    this.rtxCursor[f] = p;
    return p;
  }

  private canSend(f: number): boolean {
    if (this.flows.finishPs[f] >= 0) return false;
    let psn: number;
    if (this.rtxCount[f] > 0) psn = this.findRtx(f);
    else if (this.nextNew[f] < this.npkts[f]) psn = this.nextNew[f];
    else return false;
    // Guard against accounting drift: with nothing outstanding nothing is in flight.
    if (this.outstanding[f] === 0) this.inflight[f] = 0;
    else if (this.inflight[f] + this.frameBytes(f, psn) > this.window(f)) return false;
    if (this.rccc !== null && this.credit[f] <= 0) return false;
    if (this.swift !== null && this.swift.nextSendPs[f] > this.fabric.sim.now) {
      // Swift below one packet of window: paced (§4.1); the pacer puts the flow back.
      if (this.pacePending![f] === 0) {
        this.pacePending![f] = 1;
        this.fabric.sim.at(this.swift.nextSendPs[f], EV_UET.SWIFT_PACE, f, 0);
      }
      return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ sender

  pull(host: number): number {
    const act = this.active;
    let n = act.count[host];
    if (n === 0) return -1;
    const s = act.start[host];
    let i = act.next[host];
    if (i >= n) i = 0;
    for (let scanned = 0; scanned < n; scanned++) {
      const f = act.flow[s + i];
      if (!this.canSend(f)) {
        // Blocked (window, credit) or nothing to send: leave the list; an ACK, NACK,
        // credit or timeout puts the flow back.
        act.removeAt(host, i);
        n--;
        if (n === 0) break;
        if (i >= n) i = 0;
        scanned--;
        continue;
      }
      act.next[host] = i + 1 === n ? 0 : i + 1;
      return this.makeData(f, this.fabric.sim.now);
    }
    return -1;
  }

  private makeData(f: number, now: number): number {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const o = this.off[f];
    let psn: number;
    let flags = F.ECT | F.TRIMMABLE;
    if (this.rtxCount[f] > 0) {
      psn = this.findRtx(f);
      this.rtxCount[f]--;
      this.rtxCursor[f] = psn + 1;
      flags |= F.RETX | F.AR; // htsim: retransmissions always request an ACK
      this.flows.retransmits[f]++;
      fabric.counters.retransmits++;
    } else psn = this.nextNew[f]++;
    const bytes = this.frameBytes(f, psn);
    this.st[o + psn] = UET.ST_OUT;
    this.outstanding[f]++;
    const att = this.attempt[o + psn] < 255 ? this.attempt[o + psn] + 1 : 255;
    this.attempt[o + psn] = att;
    this.txTime[o + psn] = now;
    if (this.swift !== null) this.swift.onSent(f, now);
    const ev = this.chooser.next(f);
    this.txEv[o + psn] = ev;
    this.inflight[f] += bytes;
    // Or-ed in on every packet (a branch taken first by a flow's last packet, after makeData was
    // optimised, threw its code away: node --trace-deopt).
    flags |= psn === this.npkts[f] - 1 ? F.LAST : 0;
    // AckRequest when this is the last new packet or the window is now full (htsim set_ar).
    if (this.nextNew[f] === this.npkts[f] || this.inflight[f] + bytes > this.window(f)) flags |= F.AR;
    const pkt = pool.alloc(PK.DATA, f, this.flows.src[f], this.flows.dst[f], bytes, this.prio);
    if (this.rccc !== null) {
      this.credit[f] -= bytes;
      if (this.credit[f] <= 0) flags |= F.AR;
      pool.side[(pkt << REC.SHIFT) + PS.AUX2] = this.pullTarget(f);
    }
    pool.i32[(pkt << REC.SHIFT) + P.FLAGS] = flags;
    pool.side[(pkt << REC.SHIFT) + PS.PSN] = psn;
    pool.side[(pkt << REC.SHIFT) + PS.AUX] = att;
    pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD] = bytes - this.hdr;
    pool.i32[(pkt << REC.SHIFT) + P.EV] = ev;
    pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS] = now;
    this.armRto(f, now + this.rtoFor(att));
    return pkt;
  }

  private rtoFor(attempt: number): number {
    const s = attempt - 1 < UET.RTO_MAX_SHIFT ? attempt - 1 : UET.RTO_MAX_SHIFT;
    return this.rtoPs * (1 << s);
  }

  /** One pending RTO event per flow; an earlier deadline supersedes it (the stale one is ignored by generation). */
  private armRto(f: number, deadline: number): void {
    if (this.rtoPending[f] !== 0 && this.rtoAt[f] <= deadline) return;
    this.rtoPending[f] = 1;
    this.rtoAt[f] = deadline;
    this.fabric.sim.at(deadline, EV_UET.RTO, f, ++this.rtoGen[f]);
  }

  /** RCCC pull target in quanta (htsim computePullTarget, rccc.ts). */
  private pullTarget(f: number): number {
    const full = this.mtu + this.hdr;
    const left = this.flows.sizeBytes[f] - this.nextNew[f] * this.mtu;
    const backlog = left > 0 ? left + (this.npkts[f] - this.nextNew[f]) * this.hdr : 0;
    let t = backlog + this.rtxCount[f] * full;
    if (this.nscc !== null && t > this.nscc.cwnd[f] + full) t = this.nscc.cwnd[f] + full;
    const mw = this.maxWnd(f);
    if (t > mw) t = mw;
    t -= this.credit[f];
    if (this.speculating[f] !== 0 && t < full && backlog > 0) t = full;
    const act = this.active.count[this.flows.src[f]];
    if (act > 1) t /= act;
    return quantizeCeil(t + this.pullSeen[f] * RCCC.PULL_QUANTUM_BYTES);
  }

  private stopSpeculating(f: number): void {
    if (this.speculating[f] === 0) return;
    this.speculating[f] = 0;
    if (this.credit[f] > 0) this.credit[f] = 0;
  }

  // ------------------------------------------------------------------ receive

  receive(host: number, pkt: number): void {
    const pool = this.fabric.pool;
    const f = pool.i32[(pkt << REC.SHIFT) + P.FLOW];
    switch (pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) {
      case PK.DATA:
        if ((pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & F.TRIMMED) !== 0) this.receiveTrimmed(host, f, pkt);
        else this.receiveData(host, f, pkt);
        break;
      case PK.ACK:
        this.onAck(f, pkt);
        break;
      case PK.NAK:
        this.onNack(f, pkt);
        break;
      case PK.CREDIT:
        if (host === this.flows.src[f]) this.onCredit(f, pool.side[(pkt << REC.SHIFT) + PS.PSN]);
        else this.onPullRequest(f, pool.side[(pkt << REC.SHIFT) + PS.AUX2]);
        break;
    }
    pool.release(pkt);
  }

  private receiveData(host: number, f: number, pkt: number): void {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const now = fabric.sim.now;
    const psn = pool.side[(pkt << REC.SHIFT) + PS.PSN];
    const flags = pool.i32[(pkt << REC.SHIFT) + P.FLAGS];
    const ce = (flags & F.CE) !== 0;
    if (this.rccc !== null) this.onPullRequest(f, pool.side[(pkt << REC.SHIFT) + PS.AUX2]);
    const cum = this.rcvCum[f];
    if (psn < cum || this.got.has(f, psn)) {
      // A copy we already have: discard it and ACK at once (the sender is confused).
      fabric.counters.discards++;
      this.duplicates++;
      this.sendAck(host, f, psn, ce, (flags & F.RETX) !== 0, pool.i32[(pkt << REC.SHIFT) + P.EV]);
      return;
    }
    if (this.latency !== null) this.latency.record(now - pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS]);
    this.got.add(f, psn);
    if (fabric.faultsOn) fabric.faultLog!.delivered(f, psn, now);
    fabric.counters.packetsDelivered++;
    fabric.counters.bytesDelivered += pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD];
    this.flows.deliveredBytes[f] += pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD];
    const bytes = pool.i32[(pkt << REC.SHIFT) + P.BYTES];
    this.rcvBytes[f] = (this.rcvBytes[f] + bytes) | 0;
    this.arrivals++;
    if (psn === cum) {
      this.rcvCum[f] = this.got.firstMissing(f, cum + 1, this.npkts[f]);
    } else {
      const d = psn - cum;
      this.outOfOrder++;
      this.sumReorder += d;
      if (d > this.maxReorder) this.maxReorder = d;
      this.reorderHist[d < UET.REORDER_BINS ? d : UET.REORDER_BINS]++;
    }
    const first = this.rcvAny[f] === 0;
    this.rcvAny[f] = 1;
    this.rcvSinceAck[f] += bytes;
    if (
      ce ||
      first ||
      (flags & F.AR) !== 0 ||
      this.rcvCum[f] === this.npkts[f] ||
      this.rcvSinceAck[f] >= this.ackEvery
    ) {
      this.sendAck(host, f, psn, ce, (flags & F.RETX) !== 0, pool.i32[(pkt << REC.SHIFT) + P.EV]);
    }
  }

  private receiveTrimmed(host: number, f: number, pkt: number): void {
    const pool = this.fabric.pool;
    const psn = pool.side[(pkt << REC.SHIFT) + PS.PSN];
    if (psn < this.rcvCum[f] || this.got.has(f, psn)) {
      // The trimmed copy of a packet we have: ACK so the sender learns it (htsim processTrimmed).
      this.sendAck(
        host,
        f,
        psn,
        false,
        (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & F.RETX) !== 0,
        pool.i32[(pkt << REC.SHIFT) + P.EV],
      );
      return;
    }
    const nak = this.control(host, f, PK.NAK, this.flows.src[f]);
    pool.side[(nak << REC.SHIFT) + PS.PSN] = psn;
    pool.side[(nak << REC.SHIFT) + PS.AUX] = pool.side[(pkt << REC.SHIFT) + PS.AUX]; // echo the transmission number: stale NACKs are ignored
    pool.i32[(nak << REC.SHIFT) + P.EV] = pool.i32[(pkt << REC.SHIFT) + P.EV];
    pool.side[(nak << REC.SHIFT) + PS.PAYLOAD] = this.rcvBytes[f];
    // The NACK carries CE, and the trim's code: UET_TRIMMED or UET_TRIMMED_LASTHOP (§4.4).
    pool.i32[(nak << REC.SHIFT) + P.FLAGS] = pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & (F.CE | F.LASTHOP);
    this.fabric.counters.naks++;
    this.fabric.sendFromHost(host, nak);
    const r = this.rccc;
    if (r !== null) {
      // The sender must resend this packet: raise its pull target by one packet.
      r.target[f] = Math.max(r.target[f], r.granted[f]) + quantizeCeil(this.mtu + this.hdr);
      if (r.request(host, f)) this.fabric.sim.at(this.fabric.sim.now, EV_UET.PULL, host, 0);
    }
  }

  private control(host: number, f: number, kind: number, to: number): number {
    const pool = this.fabric.pool;
    const pkt = pool.alloc(kind, f, host, to, this.ackBytes, PRIO.CONTROL);
    pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS] = this.fabric.sim.now;
    return pkt;
  }

  private sendAck(host: number, f: number, ackedPsn: number, ce: boolean, retx: boolean, ev: number): void {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const pkt = this.control(host, f, PK.ACK, this.flows.src[f]);
    const cum = this.rcvCum[f];
    encodeSack(this.got, f, sackBase(ackedPsn, cum), this.sack);
    pool.side[(pkt << REC.SHIFT) + PS.PSN] = ackedPsn;
    pool.side[(pkt << REC.SHIFT) + PS.AUX] = cum;
    pool.side[(pkt << REC.SHIFT) + PS.AUX2] = this.sack[0];
    pool.side[(pkt << REC.SHIFT) + PS.AUX3] = this.sack[1];
    pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD] = this.rcvBytes[f];
    pool.i32[(pkt << REC.SHIFT) + P.EV] = ev;
    pool.i32[(pkt << REC.SHIFT) + P.FLAGS] = (ce ? F.CE : 0) | (retx ? F.RETX : 0);
    this.rcvSinceAck[f] = 0;
    fabric.counters.acks++;
    fabric.sendFromHost(host, pkt);
  }

  /** PSN p of flow f is acknowledged (cumulatively or by SACK). */
  private ackPsn(f: number, o: number, p: number): void {
    const s = this.st[o + p];
    if (s === UET.ST_ACKED) return;
    if (s === UET.ST_OUT) this.outstanding[f]--;
    else if (s === UET.ST_RTX) {
      // Declared lost but it arrived: undo the in-flight decrement made when marking (htsim).
      this.rtxCount[f]--;
      this.inflight[f] += this.frameBytes(f, p);
    }
    this.st[o + p] = UET.ST_ACKED;
    this.ackedCount[f]++;
    if (this.txTime[o + p] > this.latestAckedSent[f]) this.latestAckedSent[f] = this.txTime[o + p];
  }

  private onAck(f: number, pkt: number): void {
    if (this.flows.finishPs[f] >= 0) return;
    const fabric = this.fabric;
    const pool = fabric.pool;
    const now = fabric.sim.now;
    const o = this.off[f];
    const acked = pool.side[(pkt << REC.SHIFT) + PS.PSN];
    const cum = pool.side[(pkt << REC.SHIFT) + PS.AUX];
    const flags = pool.i32[(pkt << REC.SHIFT) + P.FLAGS];
    const ce = (flags & F.CE) !== 0;
    // ACK clock: bytes the receiver got since the last ACK we saw (int32 wrap-safe).
    let newly = (pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD] - this.rcvdSeen[f]) | 0;
    if (newly > 0) this.rcvdSeen[f] = pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD];
    else newly = 0;
    this.inflight[f] -= newly;
    // RTT sample: only from a packet still outstanding, sent once (no retx echo) or twice (with it).
    let delay = -1;
    const nscc = this.nscc;
    if (nscc !== null) {
      const att = this.attempt[o + acked];
      // Read whether or not the short-circuit below needs it: read only for a flow's last
      // packet, it had no type feedback then and threw onAck's optimised code away.
      const lastFull = this.flows.sizeBytes[f] % this.mtu === 0;
      if (
        this.st[o + acked] === UET.ST_OUT &&
        (att === 1 ? (flags & F.RETX) === 0 : att === 2 && (flags & F.RETX) !== 0)
      ) {
        delay = nscc.sampleRtt(f, now - this.txTime[o + acked], ce, acked < this.npkts[f] - 1 || lastFull);
      } else delay = nscc.avgDelay[f];
    }
    // Swift: the same rule for a valid sample, the whole RTT (swift.ts).
    let rawRtt = -1;
    if (this.swift !== null) {
      const att = this.attempt[o + acked];
      if (
        this.st[o + acked] === UET.ST_OUT &&
        (att === 1 ? (flags & F.RETX) === 0 : att === 2 && (flags & F.RETX) !== 0)
      )
        rawRtt = now - this.txTime[o + acked];
    }
    // Cumulative part, then the SACK bitmap.
    let u = this.una[f];
    for (; u < cum; u++) this.ackPsn(f, o, u);
    const base = sackBase(acked, cum);
    const lo = pool.side[(pkt << REC.SHIFT) + PS.AUX2];
    const hi = pool.side[(pkt << REC.SHIFT) + PS.AUX3];
    if ((lo | hi) !== 0) {
      this.ackSackWord(f, o, lo, base);
      this.ackSackWord(f, o, hi, base + 32);
    }
    const end = this.nextNew[f];
    while (u < end && this.st[o + u] === UET.ST_ACKED) u++;
    this.una[f] = u;
    this.stopSpeculating(f);
    this.chooser.onAck(f, pool.i32[(pkt << REC.SHIFT) + P.EV], ce, now);
    if (nscc !== null) nscc.onAck(f, ce, delay, newly, this.inflight[f], now);
    else if (this.swift !== null) this.swift.onAck(f, rawRtt, newly, now);
    if (this.ackedCount[f] === this.npkts[f]) {
      this.flows.finish(f);
      return;
    }
    this.inferLosses(f, o);
    this.wake(f);
  }

  /** Acknowledge the PSNs of one 32-bit half of a SACK (bit i: PSN first + i), lowest first. */
  private ackSackWord(f: number, o: number, word: number, first: number): void {
    const np = this.npkts[f];
    for (let w = word; w !== 0; ) {
      const i = lowestBit(w);
      // Clear the bit by xor: w − 1 would leave int32 range for bit 31 alone (and deoptimise).
      w ^= 1 << i;
      if (first + i >= np) return; // past the flow's last PSN, and so is every higher bit
      this.ackPsn(f, o, first + i);
    }
  }

  /** SACK-inferred loss (rule in the class comment). */
  private inferLosses(f: number, o: number): void {
    const horizon = this.latestAckedSent[f] - this.reorderWindowPs;
    const u = this.una[f];
    const end = Math.min(this.nextNew[f], u + 64);
    for (let p = u; p < end; p++) {
      const t = this.txTime[o + p];
      if (t >= horizon) {
        // First transmissions go out in PSN order (makeData), and a resend is later than its
        // first: past a PSN sent once at or after the horizon, none is older than it.
        if (this.attempt[o + p] === 1) break;
        continue;
      }
      if (this.st[o + p] === UET.ST_OUT) {
        this.sackInferred++;
        this.chooser.onLoss(f, this.txEv[o + p], this.fabric.sim.now);
        this.markLost(f, o, p);
        if (this.nscc !== null) this.nscc.onLoss(f, this.frameBytes(f, p));
        if (this.swift !== null) this.swift.onLoss(f, this.fabric.sim.now);
      }
    }
  }

  private markLost(f: number, o: number, p: number): void {
    this.st[o + p] = UET.ST_RTX;
    this.outstanding[f]--;
    this.rtxCount[f]++;
    if (p < this.rtxCursor[f]) this.rtxCursor[f] = p;
    this.inflight[f] -= this.frameBytes(f, p);
  }

  private onNack(f: number, pkt: number): void {
    if (this.flows.finishPs[f] >= 0) return;
    const pool = this.fabric.pool;
    const p = pool.side[(pkt << REC.SHIFT) + PS.PSN];
    const o = this.off[f];
    this.nacksReceived++;
    this.stopSpeculating(f);
    // Stale: that transmission was already declared lost, or this PSN was acknowledged.
    if (this.st[o + p] !== UET.ST_OUT || this.attempt[o + p] !== pool.side[(pkt << REC.SHIFT) + PS.AUX]) return;
    const now = this.fabric.sim.now;
    const bytes = this.frameBytes(f, p);
    this.chooser.onNack(f, this.txEv[o + p]);
    this.markLost(f, o, p);
    // A last-hop trim is RCCC's to handle when RCCC is on (§4.5 p.356): NSCC then only takes the packet off its window.
    const lastHopUnderRccc = this.rccc !== null && (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & F.LASTHOP) !== 0;
    if (this.nscc !== null) {
      this.nscc.sampleNackRtt(f, now - this.txTime[o + p]);
      this.nscc.onNack(f, bytes, this.inflight[f], now, lastHopUnderRccc);
    }
    if (this.swift !== null && !lastHopUnderRccc) this.swift.onLoss(f, now);
    this.wake(f);
  }

  private onCredit(f: number, pullNo: number): void {
    this.stopSpeculating(f);
    if (pullNo > this.pullSeen[f]) {
      this.credit[f] += (pullNo - this.pullSeen[f]) * RCCC.PULL_QUANTUM_BYTES;
      const mw = this.maxWnd(f);
      if (this.credit[f] > mw) this.credit[f] = mw;
      this.pullSeen[f] = pullNo;
    }
    if (this.flows.finishPs[f] < 0) this.wake(f);
  }

  /** Receiver: a data packet or RTS advertised the sender's pull target. */
  private onPullRequest(f: number, target: number): void {
    const r = this.rccc;
    if (r === null) return;
    if (target > r.target[f]) r.target[f] = target;
    if (r.target[f] > r.granted[f]) {
      const h = this.flows.dst[f];
      if (r.request(h, f)) this.fabric.sim.at(this.fabric.sim.now, EV_UET.PULL, h, 0);
    }
  }

  /** The receiver's credit pacer grants the next flow its pull and waits for the credit's line time. */
  private pacerTick(h: number): void {
    const r = this.rccc!;
    for (;;) {
      const f = r.pop(h);
      if (f < 0) {
        r.pacerBusy[h] = 0;
        return;
      }
      const k = r.grant(f);
      if (r.granted[f] < r.target[f]) r.request(h, f);
      if (k > 0) {
        const c = this.control(h, f, PK.CREDIT, this.flows.src[f]);
        this.fabric.pool.side[(c << REC.SHIFT) + PS.PSN] = r.granted[f];
        this.fabric.sendFromHost(h, c);
        this.fabric.sim.at(this.fabric.sim.now + Math.round(k * r.psPerQuantum[h]), EV_UET.PULL, h, 0);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ timers

  onEvent(kind: number, a: number, b: number): void {
    switch (kind) {
      case EV_UET.START:
        this.start(a);
        break;
      case EV_UET.RTO:
        if (b === this.rtoGen[a]) this.onRto(a);
        break;
      case EV_UET.PULL:
        this.pacerTick(a);
        break;
      case EV_UET.SWIFT_PACE:
        this.pacePending![a] = 0;
        if (this.flows.finishPs[a] < 0) this.wake(a);
        break;
    }
  }

  private start(f: number): void {
    const now = this.fabric.sim.now;
    const nic = this.nicPorts * this.fabric.rateBps[this.fabric.routes.hostNicPort[this.flows.src[f]]];
    if (this.nscc !== null) this.nscc.start(f, nic, now);
    else if (this.swift !== null)
      // One BDP of the longest path to start with (htsim sets Swift's first window from its command line).
      this.swift.start(f, this.nsccParams.configBaseRttPs * (nic / 8e12), this.switchHops(f));
    if (this.nscc === null)
      this.fixedWnd[f] = this.nsccParams.maxWndFixed
        ? this.nsccParams.maxWndBytes
        : 1.5 * this.nsccParams.configBaseRttPs * (nic / 8e12);
    if (this.rccc !== null) {
      // Speculative credit = max_wnd (§4.8).
      this.credit[f] = this.maxWnd(f);
      this.speculating[f] = 1;
    }
    this.wake(f);
  }

  /** Per-packet timeouts: expire every outstanding PSN past its deadline, re-arm for the earliest left. */
  private onRto(f: number): void {
    this.rtoPending[f] = 0;
    if (this.flows.finishPs[f] >= 0) return;
    const now = this.fabric.sim.now;
    const o = this.off[f];
    const end = this.nextNew[f];
    let next = Infinity;
    let expired = false;
    for (let p = this.una[f]; p < end; p++) {
      if (this.st[o + p] !== UET.ST_OUT) continue;
      const dl = this.txTime[o + p] + this.rtoFor(this.attempt[o + p]);
      if (dl <= now) {
        expired = true;
        this.fabric.counters.timeouts++;
        this.chooser.onTimeout(f, this.txEv[o + p], now);
        this.markLost(f, o, p);
        if (this.nscc !== null) this.nscc.onLoss(f, this.frameBytes(f, p));
        if (this.swift !== null) this.swift.onTimeout(f, now);
      } else if (dl < next) next = dl;
    }
    if (next < Infinity) this.armRto(f, next);
    if (!expired) return;
    if (this.rccc !== null && this.credit[f] <= 0 && now - this.lastRtsPs[f] >= this.nsccParams.configBaseRttPs) {
      // No credit to resend with: a request-to-send carries our pull target (htsim sendRTS, once per RTT).
      this.lastRtsPs[f] = now;
      const src = this.flows.src[f];
      const rts = this.control(src, f, PK.CREDIT, this.flows.dst[f]);
      this.fabric.pool.side[(rts << REC.SHIFT) + PS.AUX2] = this.pullTarget(f);
      this.fabric.sendFromHost(src, rts);
    }
    this.wake(f);
  }

  // ------------------------------------------------------------------ results

  /** The receivers' reorder and the senders' loss statistics, for merging partitions (sim/run/parallel/merge.ts). */
  stats(): UetStats {
    return {
      arrivals: this.arrivals,
      outOfOrder: this.outOfOrder,
      maxReorder: this.maxReorder,
      sumReorder: this.sumReorder,
      reorderHist: this.reorderHist.slice(),
      nacksReceived: this.nacksReceived,
      sackInferred: this.sackInferred,
      duplicates: this.duplicates,
    };
  }

  /** Add another partition's statistics to this one's (before report()). */
  absorbStats(o: UetStats): void {
    this.arrivals += o.arrivals;
    this.outOfOrder += o.outOfOrder;
    if (o.maxReorder > this.maxReorder) this.maxReorder = o.maxReorder;
    this.sumReorder += o.sumReorder;
    for (let d = 0; d < this.reorderHist.length; d++) this.reorderHist[d] += o.reorderHist[d];
    this.nacksReceived += o.nacksReceived;
    this.sackInferred += o.sackInferred;
    this.duplicates += o.duplicates;
  }

  /** The receiver of flow f already has PSN psn (cold: fault accounting). */
  hasPsn(f: number, psn: number): boolean {
    return psn < this.rcvCum[f] || this.got.has(f, psn);
  }

  report(): UetReport {
    const h = this.reorderHist;
    let p99 = 0;
    if (this.outOfOrder > 0) {
      const want = Math.ceil(0.99 * this.outOfOrder);
      let acc = 0;
      for (let d = 0; d <= UET.REORDER_BINS; d++) {
        acc += h[d];
        if (acc >= want) {
          p99 = d < UET.REORDER_BINS ? d : this.maxReorder;
          break;
        }
      }
    }
    const p = this.nsccParams;
    return {
      reorder: {
        arrivals: this.arrivals,
        outOfOrder: this.outOfOrder,
        maxDistance: this.maxReorder,
        p99Distance: p99,
        meanDistance: this.outOfOrder > 0 ? this.sumReorder / this.outOfOrder : 0,
      },
      loss: {
        nacksReceived: this.nacksReceived,
        sackInferred: this.sackInferred,
        timeouts: this.fabric.counters.timeouts,
        duplicates: this.duplicates,
      },
      params: {
        baseRttUs: p.configBaseRttPs / 1e6,
        planeBdpBytes: p.bdpBytes,
        maxWndBytes: p.maxWndBytes,
        targetQdelayUs: p.targetQdelayPs / 1e6,
        rtoUs: this.rtoPs / 1e6,
        reorderWindowUs: this.reorderWindowPs / 1e6,
        loadBalancing: this.cfg.loadBalancing,
        cc: this.cfg.cc,
        rccc: this.cfg.rccc,
      },
    };
  }
}
