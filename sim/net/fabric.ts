import type { Simulator, EventHandler } from '../engine/simulator.ts';
import type { Rng } from '../engine/random.ts';
import type { TopologyGraph } from '../topology/graph.ts';
import { alignedInt32Array } from '../engine/alignedBuffer.ts';
import { doubleFields } from '../engine/doubleFields.ts';
import { LANE } from '../engine/laneQueue.ts';
import { PS, P, F, WIRE, PK, PRIO, REC, PacketPool } from './packets.ts';
import { computeRoutes, ecmpIndex, nextHopList, type RouteTable } from './routing.ts';
import { FAULT_ACTION, type FaultLog, type FaultPlan } from './faults.ts';
import { roundRobinPick } from './roundRobin.ts';
import type { PortTiming } from './portTiming.ts';
import type { Counters } from '../metrics/counters.ts';
import type { PartitionPlan } from './partition.ts';
import type { Outbox } from './outbox.ts';
import { pfcReservedBytes, type FabricConfig } from './fabricConfig.ts';
import type { IntTable } from './int.ts';

export type { FabricConfig };

/** Lane keys of handed-over packets: -1 - (delay × PARTITION_KEY_SPAN + source partition); ≥ the partition limit (64). */
const PARTITION_KEY_SPAN = 64;

/** Event kinds handled by the fabric; transports use kinds ≥ EV.TRANSPORT (a const enum: see
 *  packets.ts on why). */
export const enum EV {
  TX_DONE = 1,
  /** The head packet of a port's link reaches the far end (a = the sending port). */
  ARRIVE = 2,
  HOST_WAKE = 3,
  SAMPLE = 4,
  TRACE = 5,
  ANALYSIS = 6,
  WATCHDOG = 7,
  /** A scheduled fault action (a = its index in the fault plan). */
  FAULT = 8,
  /** Routing converged after a link went down or came up: recompute the equal-cost sets. */
  ROUTES = 9,
  TRANSPORT = 16,
}

/** What a host's transport offers the NIC (one implementation per run: a monomorphic call site). */
export interface HostTransport {
  /** The next data packet this host may send now, or -1 (the transport schedules its own wake-up). */
  pull(host: number): number;
  /** A packet arrived at this host; the transport owns and releases it. */
  receive(host: number, pkt: number): void;
  /** A transport event (kind ≥ EV.TRANSPORT). */
  onEvent(kind: number, a: number, b: number): void;
  /** Per-flow control state for traces (DCQCN rate and α, NSCC window); cold path. */
  flowTrace?(flow: number): Record<string, number>;
  /** Flows at this host that have data waiting to be sent (head-of-line analysis); cold path. */
  waitingFlows?(host: number): number[];
  /** The entropy value a flow's packets carry, if it has one fixed value (per-flow ECMP). */
  flowEntropy?(flow: number): number;
}

/** Observer of pause state changes and blocked packets (congestion analysis plugs in here). */
export interface PauseObserver {
  /** `port` (upstream egress) got paused / resumed for `prio` by its peer's buffer; a pause
   *  names the egress port at the peer held responsible (the peer's xoffCause when it sent XOFF,
   *  carried by the PFC frame). */
  onPauseChange(port: number, prio: number, paused: boolean, nowPs: number, cause: number): void;
  /** A data packet left `port`'s queue after waiting `blockedPs` while that queue was paused. */
  onBlocked(pkt: number, port: number, prio: number, blockedPs: number): void;
  /** A timer the observer scheduled with EV.ANALYSIS fired. */
  onTimer(a: number, b: number): void;
}

// A port's hot state as one record of PI.STRIDE Int32 words (320 bytes, five cache lines),
// read through `pi` (Int32, offsets PI.*) and `pf` (Float64 over the same memory, offsets PF.*:
// word offset / 2). Why a record rather than one array per field: a packet-hop touches a dozen
// fields of two ports chosen at random among thousands, so one array per field costs one cache
// miss per field; the record costs two: line 0 and the line of the queue in use
// (docs/architecture.md#the-packet-record).
/** Int32 words of a port record. */
const enum PI {
  STRIDE = 80,
  // Line 0 (with PF.BUSY_UNTIL…PF.KMIN): what starting a transmission reads and writes.
  NODE = 10,
  /** Bit p: priority p is paused by the peer. */
  PAUSED = 11,
  /** Round-robin pointer over the data priorities. */
  RR = 12,
  /** A TX_DONE event is pending. */
  TX_PENDING = 13,
  /** Bit q: queue q holds packets (so choosing a queue reads no queue's line). */
  NONEMPTY = 14,
  /** Partitioned runs: 1 + the partition of the peer node when the link is cut, else 0
   *  (net/partition.ts); read with the rest of line 0 when a packet starts. */
  REMOTE = 15,
  /** Lines 1 and 2: the eight queues, QF.* words each (queue q at QUEUES + 4q): queues 0–3, the
   *  data classes a hop uses, in line 1; 4–7, with control and trimmed headers, in line 2. */
  QUEUES = 16,
}
/** Words of one queue within the port record (word 0 unused: four queues to a line; a queue's
 *  length is not kept, NONEMPTY says what serving needs and queuedPackets counts the lists). */
const enum QF {
  /** DWRR: the queue's deficit (bytes), with switch.scheduler 'dwrr' only. */
  DEFICIT = 0,
  HEAD = 1,
  TAIL = 2,
  BYTES = 3,
}
/** Float64 cells of a port record. Bytes per ps, flight delay and Kmin are copies of PortTiming /
 *  FabricConfig values, set once in the constructor, kept here so that a transmission reads one
 *  line instead of three arrays. */
const enum PF {
  STRIDE = 40,
  /** The link is serialising until this time (ps). */
  BUSY_UNTIL = 0,
  PS_PER_BYTE = 1,
  /** Propagation + the receiving switch's latency (ps). */
  ARRIVAL_DELAY = 2,
  /** Wire bytes sent (utilisation). */
  TX_BYTES = 3,
  /** RED Kmin of the port's queues (bytes). */
  KMIN = 4,
  // Lines 3 and 4 (per priority): time paused so far, and since when (while paused); read per
  // packet by the head-of-line analysis once pauses happen.
  PAUSED_TIME = 24,
  PAUSE_SINCE = 32,
}

/**
 * Int32 words of one ingress queue's accounting (port × PRIO.COUNT + prio, IG.STRIDE words each,
 * in `ingress`): what admitting a lossless packet reads and writes, on one line, so that
 * warmIngress loads it ahead with one read. At 65,536 hosts (3.1 M ingress queues) these reads
 * missed the caches: `admitLossless` was 15 % of that RoCE run's samples; packing alone did not
 * make the run faster, packing and warming did (docs/performance.md, "Ingress accounting on one
 * line").
 */
const enum IG {
  /** Bytes held in reserve + shared. */
  ING = 0,
  /** Bytes held in headroom. */
  HDRM = 1,
  /** 1 while this ingress has sent XOFF for the priority and not yet XON. */
  XOFF = 2,
  STRIDE = 4,
  SHIFT = 2,
}

/** Float64 cells of a port's PFC constants (`pfcPort`): copies of FabricConfig's per-port
 *  headroom and α side by side, so that an admission reads one line for both. */
const enum PP {
  HEADROOM = 0,
  ALPHA = 1,
  STRIDE = 2,
  SHIFT = 1,
}

/**
 * Ingress records larger than this (bytes) are warmed ahead (warmBatch). Measured (callgrind and
 * wall time, docs/performance.md): on a 1,024-host RoCE fabric (0.8 MB of them, in cache anyway)
 * warming cost 1.2 % more instructions for nothing; on the 65,536-host one (50 MB) it made the
 * run 4–8 % faster. 4 MiB: twice a core's L2 on this machine class.
 */
const WARM_INGRESS_MIN_BYTES = 4 * 1024 * 1024;

/**
 * The network below the transports: ports with 8 priority queues in front of links, and
 * output-queued shared-buffer switches (ingress PFC accounting with dynamic thresholds and
 * headroom, XOFF/XON frames that travel the link, RED/ECN, lossy drops, trimming), and ECMP.
 *
 * A port serves priority 7 (control) strictly, then 6 (trimmed headers) strictly, then the
 * data priorities 0–5 round-robin, skipping paused ones (physics.md §1.1, HPCC
 * `DoDequeueRR`). At most two events per packet per hop: ARRIVE when the packet reaches the
 * next node (one pending per link: links deliver in order), and TX_DONE when the port frees,
 * booked only if something is waiting behind the packet on the wire.
 */
export class Fabric implements EventHandler {
  readonly pool = new PacketPool(8192);
  /** The routing tables in use (recomputed when routing converges after a fault). */
  routes: RouteTable;
  /** The tables of the intact fabric (ideal FCTs). */
  readonly nominalRoutes: RouteTable;
  readonly hostCount: number;
  readonly nodeCount: number;
  readonly portCount: number;

  // Per port.
  readonly portNode: Int32Array;
  readonly rateBps: Float64Array;
  readonly psPerByte: Float64Array;
  /** Propagation delay plus the receiving switch's forwarding latency. */
  readonly arrivalDelayPs: Float64Array;
  /** Propagation delay alone (PFC frames: portTiming.ts). */
  readonly linkDelayPs: Float64Array;
  /** The ports' hot records (PI.STRIDE words each; layout above). A TX_DONE is pending
   *  (PI.TX_PENDING) only while something waits behind the packet on the wire: ports whose queue
   *  is empty when they start a packet book none, and the next packet to arrive starts at once or
   *  books the event. */
  private readonly pi: Int32Array;
  private readonly pf: Float64Array;

  // Per (port, priority), cold: pauses received.
  readonly pauseCount: Int32Array;
  /** Ingress accounting at switches (HPCC switch-mmu), IG.STRIDE words per (port, priority): bytes
   *  in reserve+shared (IG.ING), in headroom (IG.HDRM), and whether XOFF is out (IG.XOFF). */
  private readonly ingress: Int32Array;
  /** Per port: headroom and α (PP.*), copies of cfg.headroomBytes and cfg.pfcAlpha. */
  private readonly pfcPort: Float64Array;
  /** The lossless priorities whose ingress records warmBatch loads ahead: all of them when the
   *  records outgrow the caches (WARM_INGRESS_MIN_BYTES), else none. */
  private readonly warmLossless: number;
  /** The egress port held responsible for an XOFF (the pause's cause, for congestion analysis). */
  readonly xoffCause: Int32Array;
  /** Per switch: lossless bytes from each ingress port queued at each egress port (local
   *  port indices, row = ingress), for a pause observer. Integer bytes (one queue's worth,
   *  < 2^31); ieRow[port] is the start of the row of ingress `port`, so the per-packet update is
   *  two lookups. Kept per switch from its first XOFF on (ieTracked), when it is filled from the
   *  switch's queues: the table is read only at XOFF, and updating it on every lossless packet of
   *  switches that never pause was 4 % of a 1024-host RoCE run (a random line of a 330 KB table). */
  private readonly ieBytes: Int32Array;
  private readonly ieTracked: Uint8Array;
  private readonly ieRow: Int32Array;
  private readonly portLocal: Int32Array;
  private readonly nodeDegree: Int32Array;
  private readonly nodePorts: Int32Array[];

  // Per switch node (indexed by node id).
  readonly sharedUsed: Float64Array;
  readonly usedBytes: Float64Array;
  readonly fixedReserved: Float64Array;
  readonly ecmpSeed: Int32Array;

  transport!: HostTransport;
  dataPrio = 3;
  /** Data-class scheduler (FabricConfig.scheduler): 0 round-robin, 1 strict, 2 DWRR. */
  private readonly scheduler: number;
  /** Drops and trims by the packet's class (per-class results, docs/fabric-shapes.md). */
  readonly dropsByPrio = new Float64Array(8);
  readonly trimsByPrio = new Float64Array(8);
  /**
   * Multi-plane fabrics (topology/planes.ts; docs/fabric-shapes.md "Planes"): host nodes are NIC
   * ports, host h's on plane p being node h + p × hostsPerPlane. With `sprayPlanes` (UET) the
   * transport addresses hosts 0 … hostsPerPlane − 1 and the NIC spreads them over its planes:
   * whichever of its ports is free pulls the next packet (uet-htsim UecNIC::findFreePort), and
   * control packets take the ports in turn; the fabric moves a packet's destination onto its plane
   * when it leaves the host and back when it arrives. Without it (RoCE: a QP lives in one plane)
   * the transport addresses the NIC nodes itself and nothing here changes.
   */
  sprayPlanes = false;
  planes = 1;
  hostsPerPlane: number;
  /** Per logical host (spraying): the plane its next control packet or wake-up starts from. */
  private planeRr: Int32Array = new Int32Array(0);
  pauseObserver: PauseObserver | null = null;
  sampler: { sample(): void } | null = null;
  /** A PAUSE has taken effect somewhere and an observer wants blocked time. Until then every
   *  queue's cumulative paused time is 0, so head-of-line bookkeeping can be skipped per packet
   *  (packets' marks are 0 from alloc, which is exact for queues entered before the first pause). */
  private pausesSeen = false;
  tracer: { sample(): void } | null = null;
  /** HPCC's in-band telemetry (int.ts): null unless a run uses it, so other runs pay one check per switch dequeue. */
  int: IntTable | null = null;
  watchdog: { check(): void } | null = null;
  /** Partitioned runs: this fabric's partition, and per partition the outbox of packets handed
   *  to it over cut links (null in an unpartitioned run). */
  partition = 0;
  outboxes: Outbox[] | null = null;
  /** Partitioned runs: each node's partition (null: unpartitioned). */
  nodeLp: Int32Array | null = null;
  /** Wire bytes per frame beyond it: preamble/SFD + IFG (20; 0 with wire.preambleIfg: false). */
  readonly wireOverheadBytes: number;
  readonly counters: Counters = {
    packetsSent: 0,
    packetsDelivered: 0,
    bytesDelivered: 0,
    drops: 0,
    losslessDrops: 0,
    headerDrops: 0,
    discards: 0,
    ecnMarks: 0,
    pauseFrames: 0,
    resumeFrames: 0,
    pausedTimePs: 0,
    naks: 0,
    retransmits: 0,
    timeouts: 0,
    cnps: 0,
    trims: 0,
    acks: 0,
  };

  constructor(
    readonly sim: Simulator,
    readonly graph: TopologyGraph,
    timing: PortTiming,
    readonly cfg: FabricConfig,
    private readonly markRng: Rng,
    seedFor: (switchNode: number) => number,
    /** Adaptive routing's tie-breaks (fabric-realism.md §2: ties uniformly at random). */
    private readonly arRng: Rng | null = null,
  ) {
    this.hostCount = timing.hostCount;
    this.nodeCount = timing.nodeCount;
    this.planes = graph.planes ?? 1;
    this.scheduler = cfg.scheduler;
    this.hostsPerPlane = graph.hostsPerPlane ?? this.hostCount;
    this.wireOverheadBytes = cfg.wireOverheadBytes;
    const np = timing.portCount;
    this.portCount = np;
    this.routes = timing.routes;
    this.nominalRoutes = timing.routes;
    this.portNode = timing.portNode;
    this.rateBps = timing.rateBps;
    this.psPerByte = timing.psPerByte;
    this.arrivalDelayPs = timing.arrivalDelayPs;
    this.linkDelayPs = timing.linkDelayPs;
    this.pi = alignedInt32Array(np * PI.STRIDE);
    this.pf = new Float64Array(this.pi.buffer, 0, np * PF.STRIDE);
    for (let p = 0; p < np; p++) {
      const r = p * PI.STRIDE;
      const f = p * PF.STRIDE;
      this.pf[f + PF.PS_PER_BYTE] = timing.psPerByte[p];
      this.pf[f + PF.ARRIVAL_DELAY] = timing.arrivalDelayPs[p];
      this.pf[f + PF.KMIN] = cfg.kminBytes[p];
      this.pi[r + PI.NODE] = timing.portNode[p];
      for (let q = 0; q < PRIO.COUNT; q++) {
        this.pi[r + PI.QUEUES + 4 * q + QF.HEAD] = -1;
        this.pi[r + PI.QUEUES + 4 * q + QF.TAIL] = -1;
      }
    }
    const nq = np * PRIO.COUNT;
    this.pauseCount = new Int32Array(nq);
    this.ingress = alignedInt32Array(nq * IG.STRIDE);
    this.warmLossless = this.ingress.byteLength > WARM_INGRESS_MIN_BYTES ? cfg.losslessMask : 0;
    this.pfcPort = new Float64Array(np * PP.STRIDE);
    for (let p = 0; p < np; p++) {
      this.pfcPort[p * PP.STRIDE + PP.HEADROOM] = cfg.headroomBytes[p];
      this.pfcPort[p * PP.STRIDE + PP.ALPHA] = cfg.pfcAlpha[p];
    }
    this.xoffCause = new Int32Array(nq).fill(-1);
    this.portLocal = new Int32Array(np);
    this.nodeDegree = new Int32Array(this.nodeCount);
    for (let p = 0; p < np; p++) this.portLocal[p] = this.nodeDegree[this.portNode[p]]++;
    this.nodePorts = Array.from({ length: this.nodeCount }, (_, n) => new Int32Array(this.nodeDegree[n]));
    for (let p = 0; p < np; p++) this.nodePorts[this.portNode[p]][this.portLocal[p]] = p;
    const ieBase = new Int32Array(this.nodeCount);
    let ie = 0;
    for (let n = this.hostCount; n < this.nodeCount; n++) {
      ieBase[n] = ie;
      ie += this.nodeDegree[n] * this.nodeDegree[n];
    }
    this.ieBytes = new Int32Array(ie);
    this.ieTracked = new Uint8Array(this.nodeCount);
    this.ieRow = new Int32Array(np);
    for (let p = 0; p < np; p++) {
      const n = this.portNode[p];
      if (n >= this.hostCount) this.ieRow[p] = ieBase[n] + this.portLocal[p] * this.nodeDegree[n];
    }
    this.sharedUsed = new Float64Array(this.nodeCount);
    this.usedBytes = new Float64Array(this.nodeCount);
    this.fixedReserved = pfcReservedBytes(cfg, graph);
    this.ecmpSeed = new Int32Array(this.nodeCount);
    for (let n = this.hostCount; n < this.nodeCount; n++) this.ecmpSeed[n] = seedFor(n);
    // Sums that outgrow a small integer (bytes, paused ps) are doubles from the start (engine/doubleFields.ts).
    doubleFields(this.counters, 'bytesDelivered', 'pausedTimePs');
  }

  // ------------------------------------------------------------------ events

  handle(kind: number, a: number, b: number): void {
    // The two per-packet kinds first, the rest out of line: the second wave's new kinds (faults,
    // jobs, CC timers) made the one switch too large to inline into the event loop; split, it
    // costs 0.5 % fewer instructions on the 1,024-host permutation (docs/performance.md).
    if (kind === EV.TX_DONE) {
      this.pi[a * PI.STRIDE + PI.TX_PENDING] = 0;
      this.startTx(a);
    } else if (kind === EV.ARRIVE) {
      if (this.faultsOn && this.lostOnWire(a, b)) return;
      this.arrive(a ^ 1, b);
    } else this.handleOther(kind, a, b);
  }

  /** Every event kind but the per-packet TX_DONE and ARRIVE. */
  private handleOther(kind: number, a: number, b: number): void {
    switch (kind) {
      case EV.HOST_WAKE:
        if (this.sprayPlanes) this.kickPlanes(a);
        else this.startTx(this.routes.hostNicPort[a]);
        break;
      case EV.SAMPLE:
        if (this.sampler !== null) this.sampler.sample();
        break;
      case EV.TRACE:
        if (this.tracer !== null) this.tracer.sample();
        break;
      case EV.ANALYSIS:
        if (this.pauseObserver !== null) this.pauseObserver.onTimer(a, b);
        break;
      case EV.WATCHDOG:
        if (this.watchdog !== null) this.watchdog.check();
        break;
      case EV.FAULT:
        this.applyFault(a);
        break;
      case EV.ROUTES:
        this.routes = computeRoutes(this.graph, (link) => this.portDown[2 * link] === 0);
        break;
      default:
        this.transport.onEvent(kind, a, b);
    }
  }

  /**
   * Load, ahead of time, the state the upcoming lane events of a batch read first (laneQueue.ts
   * `warmer`): the record of an arriving packet and, at a switch, the egress queue it joins; the
   * head packet of a port about to finish one.
   */
  warmBatch(ring: Int32Array, first: number, mask: number): number {
    const i32 = this.pool.i32;
    const pi = this.pi;
    const portNode = this.portNode;
    const hosts = this.hostCount;
    const dataPrio = this.dataPrio;
    // Xor keeps the sink an int32 (a sum would overflow into a double and be checked for it).
    let acc = 0;
    // Two passes, each of independent loads: the first reads the line every entry reads first
    // (an arriving packet's record, a finishing port's record), the second what that line leads
    // to (the egress queue, the next packet to send). In one pass each entry's second read waited
    // for its first, and the few entries the core had in flight at once shared those waits;
    // split, the batch's first reads all miss together, then its second reads
    // (docs/performance.md, "Warm-ahead in two passes").
    for (let k = 0; k < LANE.WARM_BATCH; k++) {
      const j = LANE.I32_PER_ENTRY * ((first + k) & mask);
      const kind = ring[j + LANE.I_KIND];
      if (kind === EV.ARRIVE) acc ^= i32[ring[j + LANE.I_B] << REC.SHIFT];
      else if (kind === EV.TX_DONE) acc ^= pi[ring[j + LANE.I_A] * PI.STRIDE + PI.NONEMPTY];
    }
    for (let k = 0; k < LANE.WARM_BATCH; k++) {
      const j = LANE.I32_PER_ENTRY * ((first + k) & mask);
      const kind = ring[j + LANE.I_KIND];
      const a = ring[j + LANE.I_A];
      if (kind === EV.ARRIVE) {
        // At a host the transport reads the endpoint half too, on the same line (packets.ts REC);
        // at a switch the packet joins the egress queue chosen upstream (startTx).
        const b = ring[j + LANE.I_B];
        const word = i32[b << REC.SHIFT];
        if (portNode[a ^ 1] < hosts || (word & P.KIND_MASK) === PK.PFC) continue;
        const r = i32[(b << REC.SHIFT) + P.IN_PORT] * PI.STRIDE;
        acc ^= pi[r + PI.NONEMPTY] ^ pi[r + PI.QUEUES + ((word >> P.PRIO_SHIFT) << 2) + QF.HEAD];
      } else if (kind === EV.TX_DONE) {
        // The head packet of the queue startTx will most likely serve (control, trimmed, else the
        // data class): its record is the next cold read after the port's own lines.
        const r = a * PI.STRIDE;
        const m = pi[r + PI.NONEMPTY];
        const q =
          (m & (1 << PRIO.CONTROL)) !== 0 ? PRIO.CONTROL : (m & (1 << PRIO.TRIMMED)) !== 0 ? PRIO.TRIMMED : dataPrio;
        const head = pi[r + PI.QUEUES + (q << 2) + QF.HEAD];
        acc ^= head >= 0 ? i32[head << REC.SHIFT] : m;
      }
    }
    // A loop of its own, after the first one: inside it, the check cost the 1,024-host RoCE run
    // 0.5 % more instructions even where nothing is warmed (callgrind).
    if (this.warmLossless !== 0) acc ^= this.warmIngress(ring, first, mask);
    return acc;
  }

  /** warmBatch for large lossless fabrics: the ingress record and PFC constants an arriving
   *  lossless packet's admission reads (admitLossless). */
  private warmIngress(ring: Int32Array, first: number, mask: number): number {
    const i32 = this.pool.i32;
    const lossless = this.warmLossless;
    const ingress = this.ingress;
    const pfcPort = this.pfcPort;
    const portNode = this.portNode;
    const hosts = this.hostCount;
    let acc = 0;
    for (let k = 0; k < LANE.WARM_BATCH; k++) {
      const j = LANE.I32_PER_ENTRY * ((first + k) & mask);
      if (ring[j + LANE.I_KIND] !== EV.ARRIVE) continue;
      const ing = ring[j + LANE.I_A] ^ 1;
      const prio = i32[ring[j + LANE.I_B] << REC.SHIFT] >> P.PRIO_SHIFT;
      if (portNode[ing] < hosts || (lossless & (1 << prio)) === 0) continue;
      acc ^= ingress[((ing * PRIO.COUNT + prio) << IG.SHIFT) + IG.HDRM];
      if (pfcPort[(ing << PP.SHIFT) + PP.HEADROOM] < 0) acc ^= 1;
    }
    return acc;
  }

  /** A host has new data to send: start its NIC if idle. */
  kickHost(host: number): void {
    if (this.sprayPlanes) this.kickPlanes(host);
    else this.kick(this.routes.hostNicPort[host]);
  }

  /** Spray planes (UET): a host's NIC ports may each pull a packet, from a rotating first plane. */
  enableSprayPlanes(): void {
    this.sprayPlanes = this.planes > 1;
    this.planeRr = new Int32Array(this.hostsPerPlane);
  }

  private kickPlanes(host: number): void {
    const H = this.hostsPerPlane;
    const first = this.planeRr[host];
    this.planeRr[host] = first + 1 === this.planes ? 0 : first + 1;
    for (let k = 0, p = first; k < this.planes; k++, p = p + 1 === this.planes ? 0 : p + 1)
      this.kick(this.routes.hostNicPort[host + p * H]);
  }

  /** Move a packet's destination from a logical host onto plane `plane`'s NIC node (or back:
   *  −plane). Only the destination: it is all the switches route on (the side record's source is
   *  the transport's own). */
  private shiftPlane(pkt: number, plane: number): void {
    this.pool.i32[(pkt << REC.SHIFT) + P.DST] += plane * this.hostsPerPlane;
  }

  /** Something is ready to send at `port`: start now if the link is free, else book the end of the current packet. */
  private kick(port: number): void {
    const until = this.pf[port * PF.STRIDE + PF.BUSY_UNTIL];
    if (until <= this.sim.now) this.startTx(port);
    else if (this.pi[port * PI.STRIDE + PI.TX_PENDING] === 0) {
      this.pi[port * PI.STRIDE + PI.TX_PENDING] = 1;
      this.sim.at(until, EV.TX_DONE, port, 0);
    }
  }

  /** Queue a packet (control or data) at a host's NIC, e.g. an ACK. */
  sendFromHost(host: number, pkt: number): void {
    let nic = host;
    if (this.sprayPlanes) {
      const plane = this.planeRr[host];
      this.planeRr[host] = plane + 1 === this.planes ? 0 : plane + 1;
      this.shiftPlane(pkt, plane);
      nic = host + plane * this.hostsPerPlane;
    }
    const port = this.routes.hostNicPort[nic];
    if (this.faultsOn && this.portDown[port] !== 0) {
      this.faultDrop(pkt, this.portFault[port]);
      return;
    }
    this.enqueue(port, this.pool.i32[(pkt << REC.SHIFT) + P.KIND] >> P.PRIO_SHIFT, pkt);
    this.kick(port);
  }

  // ------------------------------------------------------------------ queues

  private enqueue(port: number, prio: number, pkt: number): void {
    const pool = this.pool;
    const pi = this.pi;
    const r = port * PI.STRIDE;
    pool.i32[(pkt << REC.SHIFT) + P.NEXT] = -1;
    // The head-of-line mark: the queue's paused time so far. Only lossless data classes are ever
    // paused (PFC, §1.1). A packet outside a queue has mark 0 (alloc, and dequeue resets it), so a
    // queue never paused yet writes nothing and its dequeue reads nothing.
    if (this.pausesSeen && prio < PRIO.TRIMMED && (this.cfg.losslessMask & (1 << prio)) !== 0) {
      const f = port * PF.STRIDE;
      const mark =
        this.pf[f + PF.PAUSED_TIME + prio] +
        ((pi[r + PI.PAUSED] & (1 << prio)) !== 0 ? this.sim.now - this.pf[f + PF.PAUSE_SINCE + prio] : 0);
      if (mark !== 0) pool.pauseMark[pkt] = mark;
    }
    const q = r + PI.QUEUES + (prio << 2);
    const tail = pi[q + QF.TAIL];
    if (tail < 0) {
      pi[q + QF.HEAD] = pkt;
      pi[r + PI.NONEMPTY] |= 1 << prio;
    } else pool.i32[(tail << REC.SHIFT) + P.NEXT] = pkt;
    pi[q + QF.TAIL] = pkt;
    pi[q + QF.BYTES] += pool.i32[(pkt << REC.SHIFT) + P.BYTES];
  }

  /** Take the head packet of `port`'s queue `prio`. */
  private dequeue(port: number, prio: number): number {
    const pi = this.pi;
    const r = port * PI.STRIDE;
    const q = r + PI.QUEUES + (prio << 2);
    const pkt = pi[q + QF.HEAD];
    const next = this.pool.i32[(pkt << REC.SHIFT) + P.NEXT];
    pi[q + QF.HEAD] = next;
    if (next < 0) {
      pi[q + QF.TAIL] = -1;
      pi[r + PI.NONEMPTY] &= ~(1 << prio);
    }
    pi[q + QF.BYTES] -= this.pool.i32[(pkt << REC.SHIFT) + P.BYTES];
    return pkt;
  }

  /**
   * Deficit round robin over the ready data classes (Shreedhar & Varghese 1995; fabric-realism §7):
   * PI.RR is the class whose turn it is, QF.DEFICIT each class's credit in wire bytes. The class
   * in turn sends while its credit covers its head packet; then the turn passes to the next ready
   * class, which gains its quantum (weight-proportional, ≥ the largest frame, so it can send at
   * once). A class found empty loses its credit; a paused one keeps it and is skipped.
   */
  private pickDwrr(r: number, ready: number): number {
    const pi = this.pi;
    const i32 = this.pool.i32;
    let q = pi[r + PI.RR];
    for (;;) {
      const qw = r + PI.QUEUES + (q << 2);
      if ((ready & (1 << q)) !== 0) {
        const bytes = i32[(pi[qw + QF.HEAD] << REC.SHIFT) + P.BYTES] + WIRE.OVERHEAD_BYTES;
        if (pi[qw + QF.DEFICIT] >= bytes) {
          pi[qw + QF.DEFICIT] -= bytes;
          return q;
        }
      } else if ((pi[r + PI.NONEMPTY] & (1 << q)) === 0) pi[qw + QF.DEFICIT] = 0;
      q = roundRobinPick(ready, q + 1 === PRIO.DATA_COUNT ? 0 : q + 1);
      pi[r + PI.RR] = q;
      pi[r + PI.QUEUES + (q << 2) + QF.DEFICIT] += this.cfg.quantumBytes[q];
    }
  }

  /** Pick the next packet for an idle port and put it on the wire. */
  startTx(port: number): void {
    const pi = this.pi;
    const pf = this.pf;
    const r = port * PI.STRIDE;
    const f = port * PF.STRIDE;
    if (pf[f + PF.BUSY_UNTIL] > this.sim.now) return;
    if (this.faultsOn && this.portDown[port] !== 0) return;
    const paused = pi[r + PI.PAUSED];
    let prio = -1;
    const nonEmpty = pi[r + PI.NONEMPTY];
    if (nonEmpty !== 0) {
      // Control is never held back; the others only while not paused.
      const ready = nonEmpty & ~(paused & ~(1 << PRIO.CONTROL));
      if ((ready & (1 << PRIO.CONTROL)) !== 0) prio = PRIO.CONTROL;
      else if ((ready & (1 << PRIO.TRIMMED)) !== 0) prio = PRIO.TRIMMED;
      else if (ready !== 0) {
        if (this.scheduler === 0) {
          prio = roundRobinPick(ready, pi[r + PI.RR]);
          pi[r + PI.RR] = prio + 1 === PRIO.DATA_COUNT ? 0 : prio + 1;
        } else prio = this.scheduler === 1 ? 31 - Math.clz32(ready) : this.pickDwrr(r, ready);
      }
    }
    let pkt: number;
    const node = pi[r + PI.NODE];
    if (prio >= 0) {
      pkt = this.dequeue(port, prio);
      // Only a queue that has been paused for some time can hold packets with a nonzero mark (a
      // queue is never served while paused, so it has been resumed since any mark was taken).
      // (pausesSeen first: the paused time is on a line of its own, not read until pauses happen.)
      if (this.pausesSeen && prio < PRIO.TRIMMED && (this.cfg.losslessMask & (1 << prio)) !== 0) {
        const pausedPs = pf[f + PF.PAUSED_TIME + prio];
        if (pausedPs > 0) {
          const mark = this.pool.pauseMark[pkt];
          if (mark !== 0) this.pool.pauseMark[pkt] = 0;
          const blocked = pausedPs - mark;
          if (blocked > 0) this.pauseObserver!.onBlocked(pkt, port, prio, blocked);
        }
      }
      if (node >= this.hostCount) this.leaveSwitch(node, port, pkt);
    } else {
      if (node >= this.hostCount || (paused & (1 << this.dataPrio)) !== 0) return;
      if (node >= this.hostsPerPlane && this.sprayPlanes) {
        const plane = (node / this.hostsPerPlane) | 0;
        pkt = this.transport.pull(node - plane * this.hostsPerPlane);
        if (pkt < 0) return;
        this.shiftPlane(pkt, plane);
      } else {
        pkt = this.transport.pull(node);
        if (pkt < 0) return;
      }
      this.counters.packetsSent++;
    }
    const i32 = this.pool.i32;
    // The next switch's egress for this packet, chosen now while its record is in cache, so that
    // the arrival is warmed with its egress queue (warm) and reads it instead of routing
    // (P.IN_PORT is free on the wire: the ingress was released by leaveSwitch above).
    const next = this.portNode[port ^ 1];
    const isPfc = (i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) === PK.PFC;
    if (next >= this.hostCount && !isPfc) {
      i32[(pkt << REC.SHIFT) + P.IN_PORT] = this.routeFor(
        next,
        i32[(pkt << REC.SHIFT) + P.DST],
        i32[(pkt << REC.SHIFT) + P.FLOW],
        i32[(pkt << REC.SHIFT) + P.EV],
      );
    }
    const wire = i32[(pkt << REC.SHIFT) + P.BYTES] + this.wireOverheadBytes;
    pf[f + PF.TX_BYTES] += wire;
    const serPs = Math.round(wire * pf[f + PF.PS_PER_BYTE]);
    pf[f + PF.BUSY_UNTIL] = this.sim.now + serPs;
    if (pi[r + PI.NONEMPTY] !== 0 || node < this.hostCount) {
      pi[r + PI.TX_PENDING] = 1;
      this.sim.after(serPs, EV.TX_DONE, port, 0);
    }
    const remote = pi[r + PI.REMOTE];
    const flightPs = this.flightPs(port, isPfc);
    if (remote === 0) this.sim.after(serPs + flightPs, EV.ARRIVE, port, pkt);
    else this.handOver(remote - 1, port, pkt, this.sim.now + serPs + flightPs);
  }

  /**
   * From the end of a frame's serialisation on `port` to its arrival: propagation plus the
   * receiving switch's latency, or propagation alone for a PFC frame (portTiming.ts; rare, so
   * read from its own array: line 0 of the port record has no free cell).
   */
  private flightPs(port: number, isPfc: boolean): number {
    return isPfc ? this.linkDelayPs[port] : this.pf[port * PF.STRIDE + PF.ARRIVAL_DELAY];
  }

  // ------------------------------------------------------------------ partitioned runs

  /**
   * Make this fabric partition `lp` of `plan`: it simulates that partition's nodes only, and a
   * packet started on a cut link goes to `outboxes[peer partition]` instead of becoming an
   * arrival here (net/partition.ts).
   */
  setPartition(plan: PartitionPlan, lp: number, outboxes: Outbox[]): void {
    this.partition = lp;
    this.outboxes = outboxes;
    this.nodeLp = plan.nodeLp;
    for (let p = 0; p < this.portCount; p++) {
      const peer = plan.nodeLp[this.portNode[p ^ 1]];
      this.pi[p * PI.STRIDE + PI.REMOTE] = plan.nodeLp[this.portNode[p]] === lp && peer !== lp ? peer + 1 : 0;
    }
  }

  /** This fabric simulates node n (always, in an unpartitioned run). */
  isLocalNode(n: number): boolean {
    return this.nodeLp === null || this.nodeLp[n] === this.partition;
  }

  /** A packet leaves this partition: its record goes to the peer partition's outbox, due at `atPs`. */
  private handOver(lp: number, port: number, pkt: number, atPs: number): void {
    this.outboxes![lp].put(atPs, port, this.pool.i32, pkt);
    this.pool.release(pkt);
  }

  /**
   * Packets partition `src` handed over in the last window become arrivals here, in order. Each
   * rides a lane of the event queue named by its source partition and its delay from send to
   * arrival (serialisation + flight, recomputed exactly as the sender computed it in startTx):
   * the sender started them in time order, so per (source, delay) their arrival times never
   * decrease, as the lanes need; the heap would cost a sift per packet instead.
   */
  receiveHandOvers(src: number, box: Outbox): void {
    const n = box.count;
    for (let m = 0; m < n; m++) {
      const pkt = this.pool.allocCopy(box.i32, box.recordOffset(m));
      // Read after allocCopy: the pool may have grown, which replaces its views.
      const i32 = this.pool.i32;
      const port = box.portOf(m);
      const f = port * PF.STRIDE;
      const isPfc = (i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) === PK.PFC;
      const delayPs =
        Math.round((i32[(pkt << REC.SHIFT) + P.BYTES] + this.wireOverheadBytes) * this.pf[f + PF.PS_PER_BYTE]) +
        this.flightPs(port, isPfc);
      // Keys below 0 never collide with pushAfter's delays (≥ 0).
      this.sim.inLane(-1 - (delayPs * PARTITION_KEY_SPAN + src), box.timeOf(m), EV.ARRIVE, port, pkt);
    }
  }

  // ------------------------------------------------------------------ arrival and forwarding

  private arrive(port: number, pkt: number): void {
    const pool = this.pool;
    // The compact per-port array (24 KB at 6,144 ports, cache-resident), not the port record:
    // arrival needs nothing else of the ingress port.
    const node = this.portNode[port];
    if ((pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) === PK.PFC) {
      this.receivePfc(port, pkt);
      return;
    }
    if (node < this.hostCount) {
      if (node >= this.hostsPerPlane && this.sprayPlanes) {
        const plane = (node / this.hostsPerPlane) | 0;
        this.shiftPlane(pkt, -plane);
        this.transport.receive(node - plane * this.hostsPerPlane, pkt);
      } else this.transport.receive(node, pkt);
      return;
    }
    let egress = pool.i32[(pkt << REC.SHIFT) + P.IN_PORT]; // chosen by the upstream port (startTx)
    const prio = pool.i32[(pkt << REC.SHIFT) + P.KIND] >> P.PRIO_SHIFT;
    // Adaptive routing looks at this switch's queues as the packet arrives, for every packet
    // forwarded (PFC frames never are). htsim hashes packets under 100 B; here ACKs and NAKs are
    // routed adaptively too, as switches that enable AR per traffic class do, so that a QP's
    // ACKs do not sit on one hashed path (a dead one, after a failure: fabric-realism.md §2).
    if (this.cfg.routingMode !== 0) egress = this.adaptiveRoute(node, pkt, prio, egress);
    // A dead egress (routing has not converged yet) or none at all (black hole): lost.
    if (this.faultsOn && (egress < 0 || this.portDown[egress] !== 0)) {
      this.faultDrop(pkt, egress < 0 ? this.lastDownFault : this.portFault[egress]);
      return;
    }
    const bytes = pool.i32[(pkt << REC.SHIFT) + P.BYTES];
    const cfg = this.cfg;
    if (prio === PRIO.CONTROL) {
      // Control frames: strict priority, no admission control (HPCC switch queue 0, §1.1).
      this.enqueue(egress, prio, pkt);
    } else if (prio === PRIO.TRIMMED) {
      if (this.pi[egress * PI.STRIDE + PI.QUEUES + (prio << 2) + QF.BYTES] + bytes > cfg.trimQueueCapBytes) {
        this.counters.headerDrops++;
        this.drop(pkt);
        return;
      }
      this.enqueue(egress, prio, pkt);
    } else if ((cfg.losslessMask & (1 << prio)) !== 0) {
      if (!this.admitLossless(node, port, prio, bytes)) {
        this.counters.losslessDrops++;
        this.drop(pkt);
        return;
      }
      pool.i32[(pkt << REC.SHIFT) + P.IN_PORT] = port;
      this.usedBytes[node] += bytes;
      if (this.ieTracked[node] !== 0) this.ieBytes[this.ieRow[port] + this.portLocal[egress]] += bytes;
      this.markOnEnqueue(egress, prio, pkt);
      this.enqueue(egress, prio, pkt);
      this.checkXoff(node, port, prio, egress);
    } else {
      const qb = this.pi[egress * PI.STRIDE + PI.QUEUES + (prio << 2) + QF.BYTES];
      if (
        cfg.trimEnabled &&
        (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & F.TRIMMABLE) !== 0 &&
        qb + bytes > cfg.trimThresholdBytes
      ) {
        this.trim(egress, pkt);
        return;
      }
      const free = cfg.bufferBytes - this.usedBytes[node];
      const cap = Math.min(cfg.lossyQueueCapBytes, cfg.lossyAlpha * free);
      if (qb + bytes > cap || bytes > free) {
        this.drop(pkt);
        return;
      }
      pool.i32[(pkt << REC.SHIFT) + P.IN_PORT] = -1;
      this.usedBytes[node] += bytes;
      this.markOnEnqueue(egress, prio, pkt);
      this.enqueue(egress, prio, pkt);
    }
    this.kick(egress);
  }

  /** Egress port at switch `node` for a packet of `flow` with entropy `ev` to host `dst`. */
  routeFor(node: number, dst: number, flow: number, ev: number): number {
    const rt = this.routes;
    if (rt.hostSwitch[dst] === node) return rt.hostSwitchPort[dst];
    const e = nextHopList(rt, this.hostCount, node, dst);
    const off = rt.lists[e];
    const cnt = rt.lists[e + 1];
    if (cnt === 1) return rt.nhPorts[off];
    if (cnt === 0) {
      if (this.faultsOn) return -1;
      throw new Error(`no route from ${this.graph.nodeNames[node]} to host ${dst}`);
    }
    return rt.nhPorts[off + ecmpIndex(flow, ev, this.ecmpSeed[node], cnt)];
  }

  // ------------------------------------------------------------------ adaptive routing (fabric-realism.md §2)

  /** Flowlet table: key (node × 2^20 + flow) × 2 + direction → slot; per slot the port and when
   *  the flow was last seen. */
  private readonly flowletSlot = new Map<number, number>();
  private readonly flowletPort: number[] = [];
  private readonly flowletSeen: number[] = [];

  /**
   * The egress for a data packet at switch `node` under routing.mode adaptive or flowlet; `hashed`
   * is the ECMP choice made upstream (kept where there is one next hop).
   */
  private adaptiveRoute(node: number, pkt: number, prio: number, hashed: number): number {
    const i32 = this.pool.i32;
    const rt = this.routes;
    const dst = i32[(pkt << REC.SHIFT) + P.DST];
    if (rt.hostSwitch[dst] === node) return hashed;
    const e = nextHopList(rt, this.hostCount, node, dst);
    const cnt = rt.lists[e + 1];
    if (cnt <= 1) return hashed;
    const off = rt.lists[e];
    if (this.cfg.routingMode === 1) return this.leastLoaded(off, cnt, prio);
    // Flowlet: stay on the flow's port unless it has been idle here longer than the gap.
    // Per direction: a flow's data and its ACKs may cross the same switch towards different hosts.
    const back = (i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) === PK.DATA ? 0 : 1;
    const key = (node * 1048576 + i32[(pkt << REC.SHIFT) + P.FLOW]) * 2 + back;
    const now = this.sim.now;
    let slot = this.flowletSlot.get(key);
    if (slot === undefined) {
      slot = this.flowletPort.length;
      this.flowletSlot.set(key, slot);
      this.flowletPort.push(-1);
      this.flowletSeen.push(now);
    } else if (now - this.flowletSeen[slot] <= this.cfg.flowletGapPs) {
      this.flowletSeen[slot] = now;
      const p = this.flowletPort[slot];
      if (this.portUsable(p)) return p;
    }
    const p = this.leastLoaded(off, cnt, prio);
    this.flowletPort[slot] = p;
    this.flowletSeen[slot] = now;
    return p;
  }

  /** Whether a port can take traffic: a switch knows at once that its own link is down. */
  private portUsable(port: number): boolean {
    return !this.faultsOn || this.portDown[port] === 0;
  }

  /**
   * The member of nhPorts[off … off + cnt) with the least load for class `prio`: bytes queued in
   * that class plus what is left of the frame on the wire (so an idle port beats a busy one with
   * an empty queue); a paused class counts as full (htsim's comparator: paused loses first). Ties
   * uniformly at random (reservoir sampling over the tied members).
   */
  private leastLoaded(off: number, cnt: number, prio: number): number {
    const rt = this.routes;
    const pi = this.pi;
    const pf = this.pf;
    const now = this.sim.now;
    const rng = this.arRng!;
    let best = -1;
    let bestLoad = Infinity;
    let ties = 0;
    for (let j = 0; j < cnt; j++) {
      const p = rt.nhPorts[off + j];
      if (!this.portUsable(p)) continue;
      const r = p * PI.STRIDE;
      const f = p * PF.STRIDE;
      let load = pi[r + PI.QUEUES + (prio << 2) + QF.BYTES];
      if ((pi[r + PI.PAUSED] & (1 << prio)) !== 0) load += 2 ** 31;
      const busyPs = pf[f + PF.BUSY_UNTIL] - now;
      if (busyPs > 0) load += busyPs / pf[f + PF.PS_PER_BYTE];
      if (load < bestLoad) {
        best = p;
        bestLoad = load;
        ties = 1;
      } else if (load === bestLoad && rng.int(++ties) === 0) best = p;
    }
    return best >= 0 ? best : rt.nhPorts[off];
  }

  // ------------------------------------------------------------------ faults (docs/reference/fabric-realism.md §4)

  /** Faults are configured: the checks on the hot path below run only then. */
  faultsOn = false;
  /** Per port: 1 while its link is down. */
  portDown = new Uint8Array(0);
  /** Per port: the fault that took it down (its losses are counted there). */
  private portFault = new Int32Array(0);
  /** Per port: probability that a packet it sends is lost on the wire, and the fault it is from. */
  private lossP = new Float64Array(0);
  private lossFault = new Int32Array(0);
  private faultRng: Rng | null = null;
  private faultPlan: FaultPlan | null = null;
  faultLog: FaultLog | null = null;
  /** Losses with no route at all go to the latest fault that took a link down. */
  private lastDownFault = 0;
  private convergencePs = 0;
  /** Whether the receiver of `flow` already has `psn` (then a lost copy of it needs no recovery). */
  hasPsn: (flow: number, psn: number) => boolean = () => false;

  /** Schedule the plan's actions; routing converges convergencePs after each link change. */
  enableFaults(plan: FaultPlan, log: FaultLog, lossRng: Rng, convergencePs: number): void {
    const np = this.portCount;
    this.faultsOn = true;
    this.portDown = new Uint8Array(np);
    this.portFault = new Int32Array(np);
    this.lossP = new Float64Array(np);
    this.lossFault = new Int32Array(np);
    this.faultRng = lossRng;
    this.faultPlan = plan;
    this.faultLog = log;
    this.convergencePs = convergencePs;
    for (let k = 0; k < plan.actions.length; k++) this.sim.at(plan.actions[k].atPs, EV.FAULT, k, 0);
  }

  private applyFault(k: number): void {
    const act = this.faultPlan!.actions[k];
    const links = this.faultPlan!.faults[act.fault].links;
    let topology = false;
    for (const l of links) {
      for (const port of [2 * l, 2 * l + 1]) {
        switch (act.action) {
          case FAULT_ACTION.DOWN:
            if (this.portDown[port] === 0) topology = true;
            this.portDown[port] = 1;
            this.portFault[port] = act.fault;
            this.lastDownFault = act.fault;
            break;
          case FAULT_ACTION.UP:
            if (this.portDown[port] !== 0) topology = true;
            this.portDown[port] = 0;
            break;
          case FAULT_ACTION.DEGRADE:
            // Serialisation time ÷ f (fabric-realism.md §4); the ideal FCT keeps the nominal rate.
            this.pf[port * PF.STRIDE + PF.PS_PER_BYTE] = this.psPerByte[port] / act.value;
            break;
          case FAULT_ACTION.RESTORE_RATE:
            this.pf[port * PF.STRIDE + PF.PS_PER_BYTE] = this.psPerByte[port];
            break;
          case FAULT_ACTION.LOSS:
            this.lossP[port] = act.value;
            this.lossFault[port] = act.fault;
            break;
          case FAULT_ACTION.LOSS_OFF:
            this.lossP[port] = 0;
            break;
        }
      }
    }
    if (act.action === FAULT_ACTION.DOWN)
      for (const l of links) for (const port of [2 * l, 2 * l + 1]) this.takeDown(port, act.fault);
    if (act.action === FAULT_ACTION.UP) {
      for (const l of links) {
        for (const port of [2 * l, 2 * l + 1]) {
          // A host whose link is back pulls again (a switch port has nothing queued: all was flushed).
          if (this.portNode[port] < this.hostCount) this.kick(port);
        }
      }
    }
    if (topology) this.sim.at(this.sim.now + this.convergencePs, EV.ROUTES, 0, 0);
  }

  /**
   * A port's link went down: its queued packets are lost (the one being serialised is lost on
   * arrival, lostOnWire), their buffer and ingress accounting released (as a departure would:
   * HPCC's TakeDown leaks it, fabric-realism.md §4), and its pause state cleared both ways.
   */
  private takeDown(port: number, fault: number): void {
    const pi = this.pi;
    const r = port * PI.STRIDE;
    const f = port * PF.STRIDE;
    const now = this.sim.now;
    const paused = pi[r + PI.PAUSED];
    for (let prio = 0; prio < PRIO.COUNT; prio++) {
      if ((paused & (1 << prio)) !== 0) {
        const d = now - this.pf[f + PF.PAUSE_SINCE + prio];
        this.pf[f + PF.PAUSED_TIME + prio] += d;
        this.counters.pausedTimePs += d;
        if (this.pauseObserver !== null) this.pauseObserver.onPauseChange(port, prio, false, now, -1);
      }
      // Our own XOFF towards the dead peer is void: nothing to resume.
      this.ingress[((port * PRIO.COUNT + prio) << IG.SHIFT) + IG.XOFF] = 0;
    }
    pi[r + PI.PAUSED] = 0;
    const node = this.portNode[port];
    for (let prio = 0; prio < PRIO.COUNT; prio++) {
      while (pi[r + PI.QUEUES + (prio << 2) + QF.HEAD] >= 0) {
        const pkt = this.dequeue(port, prio);
        this.pool.pauseMark[pkt] = 0;
        if (node >= this.hostCount) this.leaveSwitch(node, port, pkt);
        this.faultDrop(pkt, fault);
      }
    }
  }

  /** The packet `port` sent reaches a dead link's end, or is lost at random on the wire. PFC
   *  frames are spared random loss: this model's PAUSE has no timer (physics.md §1.1), so a lost
   *  RESUME would hold a class forever. */
  private lostOnWire(port: number, pkt: number): boolean {
    if (this.portDown[port] !== 0) {
      this.faultDrop(pkt, this.portFault[port]);
      return true;
    }
    const p = this.lossP[port];
    if (p > 0 && (this.pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) !== PK.PFC && this.faultRng!.next() < p) {
      this.faultDrop(pkt, this.lossFault[port]);
      return true;
    }
    return false;
  }

  /** A packet lost to a fault: data (not a trimmed header, already counted as a trim) counts as a drop. */
  private faultDrop(pkt: number, fault: number): void {
    const i32 = this.pool.i32;
    const r = pkt << REC.SHIFT;
    if ((i32[r + P.KIND] & P.KIND_MASK) === PK.DATA && (i32[r + P.FLAGS] & F.TRIMMED) === 0) {
      this.counters.drops++;
      const flow = i32[r + P.FLOW];
      const psn = this.pool.side[r + PS.PSN];
      this.faultLog!.lost(fault, flow, psn, !this.hasPsn(flow, psn), this.sim.now);
    } else this.faultLog!.lost(fault, -1, 0, false, this.sim.now);
    this.pool.release(pkt);
  }

  private drop(pkt: number): void {
    this.counters.drops++;
    this.dropsByPrio[this.pool.i32[(pkt << REC.SHIFT) + P.KIND] >> P.PRIO_SHIFT]++;
    this.pool.release(pkt);
  }

  /**
   * Cut a trimmable packet to its header and send it on in the trimmed class (UET trimming,
   * §4.5). Always the arriving one: htsim's trimming queue sometimes trims a packet already
   * queued instead; this keeps the queue's order and its bytes as they were (a choice, the spec
   * leaves it to the switch).
   */
  private trim(egress: number, pkt: number): void {
    const pool = this.pool;
    const hdr = this.cfg.trimHeaderBytes;
    if (this.pi[egress * PI.STRIDE + PI.QUEUES + (PRIO.TRIMMED << 2) + QF.BYTES] + hdr > this.cfg.trimQueueCapBytes) {
      this.drop(pkt);
      return;
    }
    this.counters.trims++;
    this.trimsByPrio[pool.i32[(pkt << REC.SHIFT) + P.KIND] >> P.PRIO_SHIFT]++;
    // A trim at the port facing the destination host is a last-hop trim (§4.5): under RCCC it is
    // not a congestion signal for NSCC (transport/uet/nscc.ts onNack).
    const lastHop = this.portNode[egress ^ 1] < this.hostCount ? F.LASTHOP : 0;
    pool.i32[(pkt << REC.SHIFT) + P.FLAGS] =
      (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] | F.TRIMMED | lastHop) & ~F.TRIMMABLE;
    pool.i32[(pkt << REC.SHIFT) + P.BYTES] = hdr;
    pool.i32[(pkt << REC.SHIFT) + P.KIND] =
      (pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) | (PRIO.TRIMMED << P.PRIO_SHIFT);
    this.enqueue(egress, PRIO.TRIMMED, pkt);
    this.kick(egress);
  }

  // ------------------------------------------------------------------ PFC (HPCC switch-mmu rules, physics.md §1.2)

  /** The shared bytes an ingress may hold before XOFF: α × the free shared buffer (dynamic, HPCC),
   *  or the static limit xoffBytes − reserve (SAI `static_th`, docs/reference/fabric-realism.md §1) while the pool has room. */
  private pfcThreshold(node: number, port: number): number {
    const free = this.cfg.bufferBytes - this.fixedReserved[node] - this.sharedUsed[node];
    if (free <= 0) return 0;
    const st = this.cfg.pfcStaticSharedBytes;
    return st >= 0 ? st : free * this.pfcPort[port * PP.STRIDE + PP.ALPHA];
  }

  private sharedOf(iq: number): number {
    const s = this.ingress[(iq << IG.SHIFT) + IG.ING] - this.cfg.reserveBytes;
    return s > 0 ? s : 0;
  }

  /** Bytes ingress `port` holds for `prio` in reserve + shared, and in headroom (tests, traces). */
  ingressBytes(port: number, prio: number): { heldBytes: number; headroomBytes: number } {
    const g = (port * PRIO.COUNT + prio) << IG.SHIFT;
    return { heldBytes: this.ingress[g + IG.ING], headroomBytes: this.ingress[g + IG.HDRM] };
  }

  /** Ingress admission and accounting: reserve, then shared, then headroom; drop only when headroom is full too. */
  private admitLossless(node: number, port: number, prio: number, bytes: number): boolean {
    const iq = port * PRIO.COUNT + prio;
    const g = iq << IG.SHIFT;
    const ig = this.ingress;
    const thr = this.pfcThreshold(node, port);
    if (bytes + ig[g + IG.HDRM] > this.pfcPort[port * PP.STRIDE + PP.HEADROOM] && bytes + this.sharedOf(iq) > thr)
      return false;
    const reserve = this.cfg.reserveBytes;
    const newBytes = ig[g + IG.ING] + bytes;
    if (newBytes <= reserve) ig[g + IG.ING] = newBytes;
    else if (newBytes - reserve > thr) ig[g + IG.HDRM] += bytes;
    else {
      ig[g + IG.ING] = newBytes;
      this.sharedUsed[node] += Math.min(bytes, newBytes - reserve);
    }
    return true;
  }

  private checkXoff(node: number, port: number, prio: number, egress: number): void {
    const iq = port * PRIO.COUNT + prio;
    const g = iq << IG.SHIFT;
    if (this.ingress[g + IG.XOFF] !== 0) return;
    if (this.ingress[g + IG.HDRM] > 0 || this.sharedOf(iq) >= this.pfcThreshold(node, port)) {
      this.ingress[g + IG.XOFF] = 1;
      this.xoffCause[iq] = this.pauseObserver !== null ? this.heaviestEgress(node, port) : egress;
      this.sendPfc(port, prio, true, this.xoffCause[iq]);
    }
  }

  /** The egress port holding most of this ingress port's lossless bytes (cold path: at XOFF). */
  private heaviestEgress(node: number, inPort: number): number {
    if (this.ieTracked[node] === 0) this.trackIngressBytes(node);
    const deg = this.nodeDegree[node];
    const row = this.ieRow[inPort];
    let best = 0;
    for (let j = 1; j < deg; j++) if (this.ieBytes[row + j] > this.ieBytes[row + best]) best = j;
    return this.nodePorts[node][best];
  }

  /** Start keeping ieBytes for switch `node`: fill its table from the lossless packets queued there. */
  private trackIngressBytes(node: number): void {
    const pi = this.pi;
    const i32 = this.pool.i32;
    const ports = this.nodePorts[node];
    for (let j = 0; j < ports.length; j++) {
      const egress = ports[j];
      for (let prio = 0; prio < PRIO.TRIMMED; prio++) {
        if ((this.cfg.losslessMask & (1 << prio)) === 0) continue;
        for (
          let pkt = pi[egress * PI.STRIDE + PI.QUEUES + (prio << 2) + QF.HEAD];
          pkt >= 0;
          pkt = i32[(pkt << REC.SHIFT) + P.NEXT]
        ) {
          const inPort = i32[(pkt << REC.SHIFT) + P.IN_PORT];
          if (inPort >= 0)
            this.ieBytes[this.ieRow[inPort] + this.portLocal[egress]] += i32[(pkt << REC.SHIFT) + P.BYTES];
        }
      }
    }
    this.ieTracked[node] = 1;
  }

  /** A data packet leaves a switch queue: release its buffer, maybe XON, maybe ECN-mark. */
  private leaveSwitch(node: number, egress: number, pkt: number): void {
    const pool = this.pool;
    const prio = pool.i32[(pkt << REC.SHIFT) + P.KIND] >> P.PRIO_SHIFT;
    if (prio >= PRIO.TRIMMED) return;
    if (this.int !== null) this.pushInt(egress, pkt);
    const bytes = pool.i32[(pkt << REC.SHIFT) + P.BYTES];
    this.usedBytes[node] -= bytes;
    const inPort = pool.i32[(pkt << REC.SHIFT) + P.IN_PORT];
    if (inPort >= 0) {
      const iq = inPort * PRIO.COUNT + prio;
      const g = iq << IG.SHIFT;
      const ig = this.ingress;
      const fromHdrm = Math.min(ig[g + IG.HDRM], bytes);
      const over = ig[g + IG.ING] - this.cfg.reserveBytes;
      const fromShared = Math.min(bytes - fromHdrm, over > 0 ? over : 0);
      ig[g + IG.HDRM] -= fromHdrm;
      ig[g + IG.ING] -= bytes - fromHdrm;
      this.sharedUsed[node] -= fromShared;
      if (this.ieTracked[node] !== 0) this.ieBytes[this.ieRow[inPort] + this.portLocal[egress]] -= bytes;
      if (ig[g + IG.XOFF] !== 0 && ig[g + IG.HDRM] === 0) {
        const shared = this.sharedOf(iq);
        const xon = this.cfg.pfcXonBytes;
        // Static: RESUME once the ingress holds at most xon bytes (SAI `xon`, docs/reference/fabric-realism.md §1); dynamic:
        // HPCC's resume offset below the threshold (physics.md §1.2).
        if (
          xon >= 0
            ? ig[g + IG.ING] <= xon
            : shared === 0 || shared + this.cfg.resumeOffsetBytes <= this.pfcThreshold(node, inPort)
        ) {
          ig[g + IG.XOFF] = 0;
          this.sendPfc(inPort, prio, false, -1);
        }
      }
    }
    if (this.cfg.ecnAtDequeue) this.maybeMark(egress, prio, pkt);
  }

  /**
   * HPCC INT at switch egress (docs/reference/cc-family.md §1.1, ns-3 SwitchNotifyDequeue): a
   * data packet leaving `egress` records the time, the port's wire bytes sent before it and the
   * bytes still queued behind it.
   */
  private pushInt(egress: number, pkt: number): void {
    if ((this.pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK) !== PK.DATA) return;
    this.int!.push(pkt, egress, this.sim.now, this.pf[egress * PF.STRIDE + PF.TX_BYTES], this.portQueueBytes(egress));
  }

  private sendPfc(port: number, prio: number, pause: boolean, cause: number): void {
    // Nobody to tell across a dead link (its pause state was cleared when it went down).
    if (this.faultsOn && this.portDown[port] !== 0) return;
    const node = this.portNode[port];
    const pkt = this.pool.alloc(PK.PFC, -1, node, this.portNode[port ^ 1], WIRE.PFC_FRAME_BYTES, PRIO.CONTROL);
    this.pool.side[(pkt << REC.SHIFT) + PS.AUX] = prio | (pause ? 256 : 0);
    // Not on the wire of a real frame: the simulator's ground truth of why, for the analysis at
    // the paused end (which a partitioned run may simulate in another partition).
    this.pool.side[(pkt << REC.SHIFT) + PS.AUX2] = cause;
    if (pause) this.counters.pauseFrames++;
    else this.counters.resumeFrames++;
    this.enqueue(port, PRIO.CONTROL, pkt);
    this.kick(port);
  }

  /**
   * XOFF/XON semantics: a PAUSE holds the class until an explicit RESUME (HPCC ns-3 model,
   * physics.md §1.1); the packet already on the wire finishes because the port is only
   * checked when it next picks a packet.
   */
  private receivePfc(port: number, pkt: number): void {
    const v = this.pool.side[(pkt << REC.SHIFT) + PS.AUX];
    const cause = this.pool.side[(pkt << REC.SHIFT) + PS.AUX2];
    this.pool.release(pkt);
    const prio = v & 7;
    const bit = 1 << prio;
    const pq = port * PRIO.COUNT + prio;
    const now = this.sim.now;
    const pi = this.pi;
    const r = port * PI.STRIDE;
    const f = port * PF.STRIDE;
    if ((v & 256) !== 0) {
      if ((pi[r + PI.PAUSED] & bit) !== 0) return;
      pi[r + PI.PAUSED] |= bit;
      this.pausesSeen = this.pauseObserver !== null;
      this.pf[f + PF.PAUSE_SINCE + prio] = now;
      this.pauseCount[pq]++;
      if (this.pauseObserver !== null) this.pauseObserver.onPauseChange(port, prio, true, now, cause);
    } else {
      if ((pi[r + PI.PAUSED] & bit) === 0) return;
      pi[r + PI.PAUSED] &= ~bit;
      const d = now - this.pf[f + PF.PAUSE_SINCE + prio];
      this.pf[f + PF.PAUSED_TIME + prio] += d;
      this.counters.pausedTimePs += d;
      if (this.pauseObserver !== null) this.pauseObserver.onPauseChange(port, prio, false, now, -1);
      this.kick(port);
    }
  }

  /** Close open pause intervals at the end of a run so paused time is complete. */
  finishPauses(): void {
    const now = this.sim.now;
    for (let port = 0; port < this.portCount; port++) {
      const m = this.pi[port * PI.STRIDE + PI.PAUSED];
      if (m === 0) continue;
      for (let p = 0; p < PRIO.COUNT; p++) {
        if ((m & (1 << p)) === 0) continue;
        const f = port * PF.STRIDE;
        const d = now - this.pf[f + PF.PAUSE_SINCE + p];
        this.pf[f + PF.PAUSED_TIME + p] += d;
        this.counters.pausedTimePs += d;
        this.pf[f + PF.PAUSE_SINCE + p] = now;
      }
    }
  }

  // ------------------------------------------------------------------ ECN (RED, physics.md §2.1 CP)

  private markOnEnqueue(egress: number, prio: number, pkt: number): void {
    if (!this.cfg.ecnAtDequeue) this.maybeMark(egress, prio, pkt);
  }

  private maybeMark(port: number, prio: number, pkt: number): void {
    const pool = this.pool;
    if (!this.cfg.ecnEnabled || (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & (F.ECT | F.CE)) !== F.ECT) return;
    const len = this.pi[port * PI.STRIDE + PI.QUEUES + (prio << 2) + QF.BYTES];
    const kmin = this.pf[port * PF.STRIDE + PF.KMIN];
    if (len <= kmin) return;
    const kmax = this.cfg.kmaxBytes[port];
    if (len <= kmax) {
      const p = kmax > kmin ? (this.cfg.pmax * (len - kmin)) / (kmax - kmin) : this.cfg.pmax;
      if (this.markRng.next() >= p) return;
    }
    pool.i32[(pkt << REC.SHIFT) + P.FLAGS] |= F.CE;
    this.counters.ecnMarks++;
  }

  // ------------------------------------------------------------------ inspection

  /** Data bytes queued at a port over all data priorities. */
  portQueueBytes(port: number): number {
    let s = 0;
    for (let p = 0; p < PRIO.TRIMMED; p++) s += this.pi[port * PI.STRIDE + PI.QUEUES + (p << 2) + QF.BYTES];
    return s;
  }

  /** Bytes queued at one (port, priority) queue. */
  queueBytes(port: number, prio: number): number {
    return this.pi[port * PI.STRIDE + PI.QUEUES + (prio << 2) + QF.BYTES];
  }

  /** Bit p set ⇒ priority p of `port` is paused by its peer. */
  pausedBits(port: number): number {
    return this.pi[port * PI.STRIDE + PI.PAUSED];
  }

  /** Time (ps) `port`'s priority `prio` has been paused, over closed pause intervals. */
  pausedTimeOf(port: number, prio: number): number {
    return this.pf[port * PF.STRIDE + PF.PAUSED_TIME + prio];
  }

  /** Set every (port, priority)'s paused time (merging the partitions of a run, sim/run/parallel/merge.ts). */
  overridePausedTimes(ps: Float64Array): void {
    for (let port = 0; port < this.portCount; port++) {
      for (let p = 0; p < PRIO.COUNT; p++) this.pf[port * PF.STRIDE + PF.PAUSED_TIME + p] = ps[port * PRIO.COUNT + p];
    }
  }

  /** Wire bytes (frame + preamble + IFG) `port` has sent so far. */
  txBytesOf(port: number): number {
    return this.pf[port * PF.STRIDE + PF.TX_BYTES];
  }

  /** Packets still inside the fabric (queued at ports), for conservation checks. */
  queuedPackets(): number {
    let s = 0;
    for (let p = 0; p < this.portCount; p++) {
      for (let q = 0; q < PRIO.COUNT; q++) {
        for (
          let pkt = this.pi[p * PI.STRIDE + PI.QUEUES + (q << 2) + QF.HEAD];
          pkt >= 0;
          pkt = this.pool.i32[(pkt << REC.SHIFT) + P.NEXT]
        )
          s++;
      }
    }
    return s;
  }
}
