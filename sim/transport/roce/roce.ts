import { ActiveFlows } from '../activeFlows.ts';
import type { Fabric, HostTransport } from '../../net/fabric.ts';
import { EV } from '../../net/fabric.ts';
import { P, PS, PS64, F, PK, PRIO, WIRE, REC } from '../../net/packets.ts';
import type { FlowTable } from '../flows.ts';
import type { LatencyRecorder } from '../../metrics/latencyHistogram.ts';
import type { RoceTransport } from '../../scenario/schema.ts';
import { Dcqcn } from './dcqcn.ts';
import { ReceivedPsns } from '../uet/receivedPsns.ts';
import type { AckCc } from './ackCc.ts';
import { Hpcc } from './hpcc.ts';
import { Timely } from './timely.ts';
import { Dctcp } from './dctcp.ts';
import { IntTable } from '../../net/int.ts';

/** RoCE's event kinds: EV.TRANSPORT + 0…1, written as literals so that they inline (packets.ts). */
export const enum EV_ROCE {
  FLOW_START = 16,
  RTO = 17,
}

/**
 * RoCEv2 Reliable Connection, one QP per flow (physics.md §3): the receiver accepts only the
 * expected PSN; a gap triggers a NAK (a repeat NAK for the same PSN is suppressed for
 * `nakIntervalUs`, HPCC 500 µs, §3.2); the sender goes back to the NAK'd PSN (go-back-N).
 * ACKs are coalesced every `ackEveryPackets` in-order packets and always sent for the last
 * packet. A retransmission timeout (htsim model, §3.3) covers tail loss. Each QP has one
 * entropy value (its UDP source port), so ECMP keeps it on one path (§3.1).
 *
 * The host NIC pulls packets round-robin across its QPs that have data and whose rate
 * limiter (DCQCN, or line rate) allows a packet now.
 */
export class RoceTransportModel implements HostTransport {
  private readonly mtu: number;
  private readonly npkts: Int32Array;
  private readonly sndNxt: Int32Array;
  private readonly sndUna: Int32Array;
  private readonly maxSent: Int32Array;
  private readonly qpEv: Int32Array;
  private readonly nextTxPs: Float64Array;
  private readonly rtoPending: Uint8Array;
  private readonly rtoDeadline: Float64Array;
  // Receiver side.
  private readonly rcvExpected: Int32Array;
  private readonly rcvSinceAck: Int32Array;
  private readonly lastNakPsn: Int32Array;
  private readonly lastNakPs: Float64Array;
  /** placement 'ooo': the PSNs placed so far (null: in-order receiver). */
  private readonly placed: ReceivedPsns | null;
  private readonly oooNakDistance: number;
  // Per host.
  /** Flows that may have data to send, served round-robin by the host's NIC. */
  private readonly active: ActiveFlows;
  private readonly wakePs: Float64Array;

  private readonly rtoPs: number;
  private readonly nakIntervalPs: number;
  private readonly ackEvery: number;
  private readonly prio: number;
  /** The class of ACKs and NAKs (transport.ackPriority); CNPs always go as control. */
  private readonly ackPrio: number;
  readonly dcqcn: Dcqcn | null;
  /** HPCC, TIMELY or DCTCP: the congestion controls driven by ACKs (ackCc.ts). */
  readonly ackCc: AckCc | null;
  /** The rate limiter's rates (DCQCN's or ackCc's), null without congestion control. */
  private readonly rateBps: Float64Array | null;
  /** Bytes in flight allowed per flow (HPCC, DCTCP), null for rate control alone. */
  private readonly windowBytes: Float64Array | null;
  /** HPCC's INT side table (net/int.ts), else null. */
  private readonly int: IntTable | null;
  /** DCTCP: CE-marked packets received since the flow's last ACK, echoed in it. */
  private readonly rcvMarks: Int32Array | null;
  private readonly dataExtraBytes: number;
  private readonly ackBytes: number;

  constructor(
    private readonly fabric: Fabric,
    readonly flows: FlowTable,
    cfg: RoceTransport,
    private readonly latency: LatencyRecorder | null,
    evFor: (flow: number) => number,
    /** Plane BDP (bytes): the default oooNakDistance is two of it in packets. */
    planeBdpBytes = 0,
    /** Base RTT of the longest path: HPCC's and DCTCP's T (window W = R·T). */
    baseRttPs = 0,
  ) {
    const n = flows.count;
    this.mtu = cfg.mtuBytes;
    this.prio = cfg.priority;
    this.ackPrio = cfg.ackPriority === 'data' ? cfg.priority : PRIO.CONTROL;
    fabric.dataPrio = cfg.priority;
    this.rtoPs = Math.round(cfg.rtoUs * 1e6);
    this.nakIntervalPs = Math.round(cfg.nakIntervalUs * 1e6);
    this.ackEvery = cfg.ackEveryPackets;
    this.npkts = new Int32Array(n);
    this.sndNxt = new Int32Array(n);
    this.sndUna = new Int32Array(n);
    this.maxSent = new Int32Array(n);
    this.qpEv = new Int32Array(n);
    this.nextTxPs = new Float64Array(n);
    this.rtoPending = new Uint8Array(n);
    this.rtoDeadline = new Float64Array(n);
    this.rcvExpected = new Int32Array(n);
    this.rcvSinceAck = new Int32Array(n);
    this.lastNakPsn = new Int32Array(n).fill(-1);
    this.lastNakPs = new Float64Array(n);
    for (let f = 0; f < n; f++) {
      this.npkts[f] = Math.max(1, Math.ceil(flows.sizeBytes[f] / this.mtu));
      this.qpEv[f] = evFor(f);
    }
    // Out-of-order placement (fabric-realism.md §3): a bit per PSN; NAK a hole once a PSN that
    // far above it has arrived. Default two plane BDPs of packets (at least 64): a packet passed
    // by more than that has been held more than two base RTTs longer than the packets sent after
    // it, beyond the queueing differences adaptive routing makes in a lossless fabric (a choice,
    // §3; at 64 the 128-host 400 G permutation NAKed 2,059 times without a loss, at 256 never).
    this.placed = cfg.placement === 'ooo' ? new ReceivedPsns(this.npkts) : null;
    this.oooNakDistance = cfg.oooNakDistance ?? Math.max(64, Math.ceil((2 * planeBdpBytes) / this.mtu));
    const hosts = fabric.hostCount;
    this.active = new ActiveFlows(flows.src, hosts);
    this.wakePs = new Float64Array(hosts).fill(Infinity);
    this.dcqcn = cfg.cc === 'dcqcn' ? new Dcqcn(fabric, flows, cfg) : null;
    this.int = cfg.cc === 'hpcc' ? new IntTable(fabric.pool.capacity) : null;
    fabric.int = this.int;
    this.ackCc =
      cfg.cc === 'hpcc'
        ? new Hpcc(fabric, flows, cfg, this.int!, baseRttPs)
        : cfg.cc === 'timely'
          ? new Timely(fabric, flows, cfg)
          : cfg.cc === 'dctcp'
            ? new Dctcp(fabric, flows, cfg, baseRttPs)
            : null;
    this.rateBps = this.dcqcn?.rateBps ?? this.ackCc?.rateBps ?? null;
    this.windowBytes = this.ackCc?.windowBytes ?? null;
    this.rcvMarks = cfg.cc === 'dctcp' ? new Int32Array(n) : null;
    this.dataExtraBytes = this.ackCc?.dataExtraBytes ?? 0;
    this.ackBytes = WIRE.ROCE_ACK_BYTES + (this.ackCc?.ackExtraBytes ?? 0);
    flows.scheduleStarts(EV_ROCE.FLOW_START);
  }

  /** Line rate of a flow's source NIC. */
  private lineRate(f: number): number {
    return this.fabric.rateBps[this.fabric.routes.hostNicPort[this.flows.src[f]]];
  }

  private activate(f: number): void {
    this.active.add(f);
  }

  // ------------------------------------------------------------------ sender

  pull(host: number): number {
    const act = this.active;
    let n = act.count[host];
    if (n === 0) return -1;
    const s = act.start[host];
    const now = this.fabric.sim.now;
    if (this.wakePs[host] <= now) this.wakePs[host] = Infinity;
    let i = act.next[host];
    if (i >= n) i = 0;
    let minNext = Infinity;
    for (let scanned = 0; scanned < n; scanned++) {
      const f = act.flow[s + i];
      if (this.sndNxt[f] >= this.npkts[f]) {
        // Nothing left to send: leave the list (a NAK or timeout puts it back).
        act.removeAt(host, i);
        n--;
        if (n === 0) break;
        if (i >= n) i = 0;
        scanned--;
        continue;
      }
      // Window-bound (HPCC, DCTCP: ns-3 IsWinBound): wait for an ACK, which kicks the host.
      const win = this.windowBytes;
      if (win !== null && (this.sndNxt[f] - this.sndUna[f]) * this.mtu >= win[f]) {
        i = i + 1 === n ? 0 : i + 1;
        continue;
      }
      const t = this.nextTxPs[f];
      if (t > now) {
        if (t < minNext) minNext = t;
        i = i + 1 === n ? 0 : i + 1;
        continue;
      }
      act.next[host] = i + 1 === n ? 0 : i + 1;
      return this.makeData(f, now);
    }
    if (minNext < Infinity && minNext < this.wakePs[host]) {
      this.wakePs[host] = minNext;
      this.fabric.sim.at(minNext, EV.HOST_WAKE, host, 0);
    }
    return -1;
  }

  private makeData(f: number, now: number): number {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const psn = this.sndNxt[f]++;
    const size = this.flows.sizeBytes[f];
    const payload = Math.max(1, Math.min(this.mtu, size - psn * this.mtu));
    const bytes = payload + WIRE.ROCE_HEADER_BYTES + this.dataExtraBytes;
    const pkt = pool.alloc(PK.DATA, f, this.flows.src[f], this.flows.dst[f], bytes, this.prio);
    if (this.int !== null) this.int.clear(pkt);
    pool.side[(pkt << REC.SHIFT) + PS.PSN] = psn;
    pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD] = payload;
    pool.i32[(pkt << REC.SHIFT) + P.EV] = this.qpEv[f];
    pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS] = now;
    let flags = F.ECT;
    if (psn === this.npkts[f] - 1) flags |= F.LAST;
    if (psn < this.maxSent[f]) {
      flags |= F.RETX;
      this.flows.retransmits[f]++;
      fabric.counters.retransmits++;
    } else this.maxSent[f] = psn + 1;
    pool.i32[(pkt << REC.SHIFT) + P.FLAGS] = flags;
    // Rate limiter: the next packet of this QP may start one packet time at the QP's rate later.
    const rates = this.rateBps;
    if (rates !== null) {
      this.nextTxPs[f] = now + Math.round(((bytes + fabric.wireOverheadBytes) * 8e12) / rates[f]);
      if (this.dcqcn !== null) this.dcqcn.onSent(f, bytes);
    }
    if (this.rtoPending[f] === 0) {
      this.rtoPending[f] = 1;
      this.rtoDeadline[f] = now + this.rtoPs;
      fabric.sim.at(this.rtoDeadline[f], EV_ROCE.RTO, f, 0);
    }
    return pkt;
  }

  // ------------------------------------------------------------------ receive

  receive(host: number, pkt: number): void {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const f = pool.i32[(pkt << REC.SHIFT) + P.FLOW];
    switch (pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) {
      case PK.DATA:
        this.receiveData(host, f, pkt);
        break;
      case PK.ACK:
        if (this.ackCc !== null) this.ackCcOnAck(f, pkt);
        this.onAck(f, pool.side[(pkt << REC.SHIFT) + PS.AUX]);
        break;
      case PK.NAK:
        this.onNak(f, pool.side[(pkt << REC.SHIFT) + PS.AUX]);
        break;
      case PK.CNP:
        if (this.dcqcn !== null) this.dcqcn.onCnp(f);
        break;
    }
    pool.release(pkt);
  }

  private receiveData(host: number, f: number, pkt: number): void {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const now = fabric.sim.now;
    if (this.latency !== null) this.latency.record(now - pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS]);
    if (
      (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & F.CE) !== 0 &&
      this.dcqcn !== null &&
      this.dcqcn.shouldSendCnp(f, now)
    ) {
      this.sendControl(host, f, PK.CNP, WIRE.ROCE_CNP_BYTES, 0);
      fabric.counters.cnps++;
    }
    if (this.rcvMarks !== null && (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & F.CE) !== 0) this.rcvMarks[f]++;
    const psn = pool.side[(pkt << REC.SHIFT) + PS.PSN];
    const expected = this.rcvExpected[f];
    if (this.placed !== null) {
      this.placeOutOfOrder(host, f, pkt, psn, expected);
      return;
    }
    if (psn === expected) {
      this.rcvExpected[f] = expected + 1;
      if (fabric.faultsOn) fabric.faultLog!.delivered(f, psn, now);
      fabric.counters.packetsDelivered++;
      fabric.counters.bytesDelivered += pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD];
      this.flows.deliveredBytes[f] += pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD];
      if (++this.rcvSinceAck[f] >= this.ackEvery || expected + 1 === this.npkts[f]) {
        this.rcvSinceAck[f] = 0;
        this.sendAck(host, f, pkt, expected + 1);
      }
      return;
    }
    fabric.counters.discards++;
    if (psn > expected) {
      // Sequence error: NAK the expected PSN, at most once per interval for the same PSN.
      if (this.lastNakPsn[f] !== expected || now - this.lastNakPs[f] >= this.nakIntervalPs) {
        this.lastNakPsn[f] = expected;
        this.lastNakPs[f] = now;
        this.sendControl(host, f, PK.NAK, WIRE.ROCE_ACK_BYTES, expected);
        fabric.counters.naks++;
      }
    } else if (psn === this.npkts[f] - 1) {
      // A duplicate of the last packet (after a timeout): re-ACK so the sender can finish.
      this.sendAck(host, f, pkt, expected);
    }
  }

  /**
   * Out-of-order direct data placement (fabric-realism.md §3): a PSN not placed yet is written
   * to its place in the message at once (delivered: each byte exactly once), a copy of one
   * already placed is discarded. The ACK stays cumulative (the expected PSN slides over the
   * placed prefix; every ackEveryPackets of progress and at the end); a NAK asks for the
   * expected PSN only once a PSN oooNakDistance above it has arrived — a real loss, not the
   * reordering of adaptive routing — with the same repeat suppression as the in-order receiver.
   */
  private placeOutOfOrder(host: number, f: number, pkt: number, psn: number, expected: number): void {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const placed = this.placed!;
    const n = this.npkts[f];
    if (psn < expected || placed.has(f, psn)) {
      fabric.counters.discards++;
      // A copy of the last packet (after a timeout): re-ACK so the sender can finish.
      if (psn === n - 1) this.sendAck(host, f, pkt, expected);
      return;
    }
    placed.add(f, psn);
    if (fabric.faultsOn) fabric.faultLog!.delivered(f, psn, fabric.sim.now);
    const payload = pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD];
    fabric.counters.packetsDelivered++;
    fabric.counters.bytesDelivered += payload;
    this.flows.deliveredBytes[f] += payload;
    if (psn === expected) {
      const next = placed.firstMissing(f, expected + 1, n);
      this.rcvExpected[f] = next;
      this.rcvSinceAck[f] += next - expected;
      if (this.rcvSinceAck[f] >= this.ackEvery || next === n) {
        this.rcvSinceAck[f] = 0;
        this.sendAck(host, f, pkt, next);
      }
      return;
    }
    const now = fabric.sim.now;
    if (
      psn - expected >= this.oooNakDistance &&
      (this.lastNakPsn[f] !== expected || now - this.lastNakPs[f] >= this.nakIntervalPs)
    ) {
      this.lastNakPsn[f] = expected;
      this.lastNakPs[f] = now;
      this.sendControl(host, f, PK.NAK, WIRE.ROCE_ACK_BYTES, expected);
      fabric.counters.naks++;
    }
  }

  /** ACK/NAK/CNP from the receiver back to the sender: CNPs in the strict-priority control class
   *  (HPCC: switch queue 0), ACKs and NAKs in the class transport.ackPriority names. */
  private sendControl(host: number, f: number, kind: number, bytes: number, aux: number): void {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const pkt = pool.alloc(kind, f, host, this.flows.src[f], bytes, kind === PK.CNP ? PRIO.CONTROL : this.ackPrio);
    pool.side[(pkt << REC.SHIFT) + PS.AUX] = aux;
    pool.i32[(pkt << REC.SHIFT) + P.EV] = this.qpEv[f];
    pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS] = fabric.sim.now;
    if (kind === PK.ACK) fabric.counters.acks++;
    fabric.sendFromHost(host, pkt);
  }

  /** ACK `cum` to flow f's sender, prompted by data packet `data`. */
  private sendAck(host: number, f: number, data: number, cum: number): void {
    if (this.ackCc === null) this.sendControl(host, f, PK.ACK, WIRE.ROCE_ACK_BYTES, cum);
    else this.sendCcAck(host, f, data, cum);
  }

  /**
   * The ACK of a congestion control driven by ACKs carries what its sender needs of the data
   * packet that triggered it: HPCC the INT records, TIMELY the packet's send time, DCTCP the
   * marks since the last ACK (docs/reference/cc-family.md §1.1, §2.1, §3.1).
   */
  private sendCcAck(host: number, f: number, data: number, cum: number): void {
    const fabric = this.fabric;
    const pool = fabric.pool;
    const pkt = pool.alloc(PK.ACK, f, host, this.flows.src[f], this.ackBytes, this.ackPrio);
    pool.side[(pkt << REC.SHIFT) + PS.AUX] = cum;
    pool.i32[(pkt << REC.SHIFT) + P.EV] = this.qpEv[f];
    pool.sideF64[(pkt << REC.F64_SHIFT) + PS64.SENT_PS] = pool.sideF64[(data << REC.F64_SHIFT) + PS64.SENT_PS];
    if (this.int !== null) this.int.copy(data, pkt);
    if (this.rcvMarks !== null) {
      pool.side[(pkt << REC.SHIFT) + PS.AUX2] = this.rcvMarks[f];
      this.rcvMarks[f] = 0;
    }
    fabric.counters.acks++;
    fabric.sendFromHost(host, pkt);
  }

  /** An ACK reaches an HPCC/TIMELY/DCTCP sender: the rate (and window) move, and the NIC may send. */
  private ackCcOnAck(f: number, pkt: number): void {
    if (this.flows.isDone(f)) return;
    const cc = this.ackCc!;
    const old = cc.rateBps[f];
    cc.onAck(f, pkt, this.fabric.pool.side[(pkt << REC.SHIFT) + PS.AUX], this.sndNxt[f]);
    const rate = cc.rateBps[f];
    if (rate !== old) {
      // ns-3 ChangeRate: the next send time moves by the difference of one packet's time at the two rates.
      const wireBits = (this.mtu + WIRE.ROCE_HEADER_BYTES + this.dataExtraBytes + this.fabric.wireOverheadBytes) * 8e12;
      this.nextTxPs[f] += Math.round(wireBits / rate - wireBits / old);
    }
    this.fabric.kickHost(this.flows.src[f]);
  }

  private onAck(f: number, cum: number): void {
    if (cum <= this.sndUna[f]) return;
    this.sndUna[f] = cum;
    if (this.sndNxt[f] < cum) this.sndNxt[f] = cum;
    this.rtoDeadline[f] = this.fabric.sim.now + this.rtoPs;
    if (cum >= this.npkts[f]) {
      this.flows.finish(f);
      if (this.dcqcn !== null) this.dcqcn.stop(f);
    }
  }

  private onNak(f: number, expected: number): void {
    if (this.flows.isDone(f)) return;
    if (expected > this.sndUna[f]) this.sndUna[f] = expected;
    if (this.sndNxt[f] > expected) {
      this.sndNxt[f] = expected; // go-back-N
      this.activate(f);
      this.fabric.kickHost(this.flows.src[f]);
    }
    this.rtoDeadline[f] = this.fabric.sim.now + this.rtoPs;
  }

  /** The receiver of flow f already has PSN psn (cold: fault accounting). */
  hasPsn(f: number, psn: number): boolean {
    return psn < this.rcvExpected[f] || this.placed?.has(f, psn) === true;
  }

  waitingFlows(host: number): number[] {
    return this.active.flowsOf(host).filter((f) => this.sndNxt[f] < this.npkts[f]);
  }

  flowEntropy(flow: number): number {
    return this.qpEv[flow];
  }

  /** Sampled per-flow state for traces (cold path). */
  flowTrace(f: number): Record<string, number> {
    if (this.ackCc !== null) return this.ackCc.trace(f);
    if (this.dcqcn === null) return {};
    return {
      rateGbps: this.dcqcn.rateBps[f] / 1e9,
      targetGbps: this.dcqcn.targetBps[f] / 1e9,
      alpha: this.dcqcn.alpha[f],
    };
  }

  // ------------------------------------------------------------------ timers

  onEvent(kind: number, a: number, b: number): void {
    switch (kind) {
      case EV_ROCE.FLOW_START:
        this.activate(a);
        if (this.dcqcn !== null) this.dcqcn.start(a, this.lineRate(a));
        if (this.ackCc !== null) this.ackCc.start(a, this.lineRate(a));
        this.fabric.kickHost(this.flows.src[a]);
        break;
      case EV_ROCE.RTO:
        this.onRtoTimer(a);
        break;
      default:
        if (this.dcqcn !== null) this.dcqcn.onEvent(kind, a, b);
    }
  }

  /** Lazily re-armed timeout: one pending event per QP, deadline moved by ACKs. */
  private onRtoTimer(f: number): void {
    this.rtoPending[f] = 0;
    if (this.flows.isDone(f) || this.sndUna[f] >= this.maxSent[f]) return;
    const sim = this.fabric.sim;
    if (sim.now < this.rtoDeadline[f]) {
      this.rtoPending[f] = 1;
      sim.at(this.rtoDeadline[f], EV_ROCE.RTO, f, 0);
      return;
    }
    this.fabric.counters.timeouts++;
    this.sndNxt[f] = this.sndUna[f];
    this.activate(f);
    this.rtoDeadline[f] = sim.now + this.rtoPs;
    this.rtoPending[f] = 1;
    sim.at(this.rtoDeadline[f], EV_ROCE.RTO, f, 0);
    this.fabric.kickHost(this.flows.src[f]);
  }
}
