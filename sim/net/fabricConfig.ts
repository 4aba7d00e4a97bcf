import type { Scenario } from '../scenario/schema.ts';
import type { TopologyGraph } from '../topology/graph.ts';
import { InputError } from '../scenario/inputError.ts';
import { portNodeOf } from './routing.ts';

/** Switch and buffer settings resolved to numbers (resolveFabricConfig below builds it from a scenario). */
export interface FabricConfig {
  bufferBytes: number;
  /** Wire bytes per frame beyond it (preamble/SFD + IFG: 20, or 0). */
  wireOverheadBytes: number;
  /** Bit p set ⇒ priority p is lossless (PFC). */
  losslessMask: number;
  reserveBytes: number;
  resumeOffsetBytes: number;
  /** Per port: headroom bytes per lossless priority at this ingress port. */
  headroomBytes: Float64Array;
  /** Per port: PFC dynamic-threshold α. */
  pfcAlpha: Float64Array;
  /** Static PFC (switch.pfc.xoffBytes): the shared bytes an ingress (port, priority) may hold
   *  before XOFF, xoffBytes − reserve (the SAI `static_th` limit L); -1 = dynamic (α × free). */
  pfcStaticSharedBytes: number;
  /** Static PFC: RESUME once the ingress holds at most this many bytes (SAI `xon`); -1 = dynamic. */
  pfcXonBytes: number;
  ecnEnabled: boolean;
  ecnAtDequeue: boolean;
  /** Per port: RED thresholds (bytes) and max probability. */
  kminBytes: Float64Array;
  kmaxBytes: Float64Array;
  pmax: number;
  lossyAlpha: number;
  /** Static cap per lossy egress queue (Infinity = none). */
  lossyQueueCapBytes: number;
  trimEnabled: boolean;
  trimThresholdBytes: number;
  trimHeaderBytes: number;
  /** Cap of the trimmed-header queue (htsim: 2 × queue size, physics.md §4.5). */
  trimQueueCapBytes: number;
  /** Equal-cost choice at switches (routing.mode): ROUTING.ECMP, ADAPTIVE or FLOWLET. */
  routingMode: number;
  /** routing.flowletGapUs in ps. */
  flowletGapPs: number;
  /** Data-class scheduler: 0 round-robin, 1 strict priority, 2 DWRR (switch.scheduler). */
  scheduler: number;
  /** DWRR: bytes each data class may send per round (weight ÷ smallest weight × DWRR_QUANTUM_BYTES). */
  quantumBytes: Int32Array;
}

/**
 * DWRR's quantum for the lightest class: at least the largest frame (a 9,216-byte jumbo payload
 * plus headers and preamble), so that every visit to a backlogged class sends a packet and a round
 * is O(1) (Shreedhar & Varghese 1995, §3: quantum ≥ max packet size).
 */
export const DWRR_QUANTUM_BYTES = 10_240;

/** routing.mode as FabricConfig.routingMode (fabric-realism.md §2). */
export const ROUTING = { ECMP: 0, ADAPTIVE: 1, FLOWLET: 2 } as const;

export interface FabricSizes {
  /** Largest data frame on the wire (bytes, without preamble/IFG). */
  maxFrameBytes: number;
  /** Wire bytes per frame beyond it: preamble/SFD + IFG (20), or 0 (scenario wire.preambleIfg: false). */
  overheadBytes: number;
  /** Plane BDP = min link rate × base RTT (UET §4.6), bytes. */
  planeBdpBytes: number;
}

/**
 * Turns the scenario's switch block into per-port numbers, resolving every 'auto' by the
 * rule its comment cites.
 */
export function resolveFabricConfig(s: Scenario, graph: TopologyGraph, sizes: FabricSizes): FabricConfig {
  const sw = s.switch;
  const np = graph.links.length * 2;
  const nicBps = graph.links.find((l) => l.a < graph.hostCount || l.b < graph.hostCount)!.rateBps;
  const headroom = new Float64Array(np);
  const alpha = new Float64Array(np);
  const kmin = new Float64Array(np);
  const kmax = new Float64Array(np);
  const uet = s.transport.kind === 'uet';
  const rccc = s.transport.kind === 'uet' && s.transport.rccc;
  const dctcp = s.transport.cc === 'dctcp';
  const bdp = sizes.planeBdpBytes;
  const latencyPs = Math.round(sw.latencyNs * 1000);
  for (let p = 0; p < np; p++) {
    const l = graph.links[p >> 1];
    // HPCC third.cc: headroom = rate × link delay / 8 × 3 (physics.md §1.2), plus one
    // maximum frame in each direction (the frame being sent when XOFF is generated and the
    // one the upstream is serialising when it arrives — the MTU[R] + MTU[S] terms of the
    // Cisco closed form, §1.2), so a zero-delay link still gets a lossless headroom; plus the
    // bytes inside this switch's forwarding pipeline at XOFF (rate × switch latency): a frame
    // counts in the buffer only once through it (portTiming.ts), while the PAUSE frame itself
    // is not delayed by it (the first-principles rate × (2 × propagation + reaction) of §1.2,
    // with the pipeline part of the data's path). HPCC has no forwarding latency, so no term.
    headroom[p] =
      sw.pfc.headroomBytes === 'auto'
        ? Math.ceil((l.rateBps * l.delayPs) / 1e12 / 8) * 3 +
          Math.ceil((l.rateBps * latencyPs) / 1e12 / 8) +
          2 * (sizes.maxFrameBytes + sizes.overheadBytes)
        : sw.pfc.headroomBytes;
    // HPCC: α = 1/8 (shift 3) at NIC speed, doubled once per doubling of port speed (§1.2).
    if (sw.pfc.alpha === 'auto') {
      const shift = Math.max(0, 3 - Math.round(Math.log2(l.rateBps / nicBps)));
      alpha[p] = 1 / 2 ** shift;
    } else alpha[p] = sw.pfc.alpha;
    // ECN: RoCE — HPCC run.py Kmin 100 KB × rate/25 G, Kmax 400 KB × rate/25 G (§2.2c);
    // UET — 0.2 / 0.8 × plane BDP on the data class (§4.6).
    // DCTCP on RoCE — HPCC run.py --cc dctcp: one threshold K = 30 KB × rate/10 G (cc-family.md §3.2).
    const perRate = l.rateBps / 25e9;
    const dctcpK = dctcp ? (30_000 * l.rateBps) / 10e9 : 0;
    kmin[p] = sw.ecn.kminBytes !== 'auto' ? sw.ecn.kminBytes : uet ? 0.2 * bdp : dctcp ? dctcpK : 100_000 * perRate;
    kmax[p] = sw.ecn.kmaxBytes !== 'auto' ? sw.ecn.kmaxBytes : uet ? 0.8 * bdp : dctcp ? dctcpK : 400_000 * perRate;
    // RCCC manages the last hop: no ECN on a switch port facing a host (physics.md §4.6 table,
    // §4.8: "last-hop ECN disabled when RCCC on"). Thresholds at infinity mark nothing.
    if (rccc && portNodeOf(graph, p) >= graph.hostCount && portNodeOf(graph, p ^ 1) < graph.hostCount)
      kmin[p] = kmax[p] = Infinity;
  }
  // Kmin ≤ Kmax (RED ramps from Kmin to Kmax, physics.md §2.1): load.ts checks two numbers; here
  // a number against the other's 'auto', once 'auto' is resolved per port.
  if (sw.ecn.enabled) {
    for (let p = 0; p < np; p++) {
      if (!(kmin[p] > kmax[p])) continue;
      const [field, v, other] =
        sw.ecn.kmaxBytes !== 'auto'
          ? [
              'kmaxBytes',
              kmax[p],
              `below Kmin (kminBytes: auto gives ${Math.round(kmin[p])} B on a ${graph.links[p >> 1].rateBps / 1e9} G port)`,
            ]
          : [
              'kminBytes',
              kmin[p],
              `above Kmax (kmaxBytes: auto gives ${Math.round(kmax[p])} B on a ${graph.links[p >> 1].rateBps / 1e9} G port)`,
            ];
      throw new InputError(`switch.ecn.${field}: ${v} is ${other}; RED marks from Kmin up to Kmax, so Kmin ≤ Kmax`);
    }
  }
  let losslessMask = 0;
  if (sw.pfc.enabled) for (const p of sw.pfc.priorities) losslessMask |= 1 << p;
  // Trim at 1 × plane BDP (§4.6); the trimmed-header queue holds 2 × that (htsim, §4.5).
  const trimThreshold =
    sw.trimming.thresholdBytes === 'auto' ? Math.max(bdp, 2 * sizes.maxFrameBytes) : sw.trimming.thresholdBytes;
  // Without trimming, UET tail-drops between 2 and 5 × plane BDP (§4.6): 'auto' takes 5 ×, and
  // so does a UET fabric without trimming that names no cap (the preset of §0). Uncapped, its
  // queues grew to α × the free buffer (MBs), past what UET's auto RTO assumes (uet.ts): a 15 → 1
  // incast then timed out 816 times with no drop and sent 357 duplicates.
  const cap = sw.lossy.queueCapBytes;
  const lossyCap =
    cap === undefined ? (uet && !sw.trimming.enabled ? 5 * bdp : Infinity) : cap === 'auto' ? 5 * bdp : cap;
  return {
    bufferBytes: sw.bufferBytes,
    wireOverheadBytes: sizes.overheadBytes,
    losslessMask,
    reserveBytes: sw.pfc.reserveBytes,
    resumeOffsetBytes: sw.pfc.resumeOffsetBytes,
    headroomBytes: headroom,
    pfcAlpha: alpha,
    pfcStaticSharedBytes: sw.pfc.xoffBytes !== undefined ? Math.max(0, sw.pfc.xoffBytes - sw.pfc.reserveBytes) : -1,
    pfcXonBytes:
      sw.pfc.xoffBytes === undefined
        ? -1
        : (sw.pfc.xonBytes ?? Math.max(0, sw.pfc.xoffBytes - sw.pfc.resumeOffsetBytes)),
    ecnEnabled: sw.ecn.enabled,
    ecnAtDequeue: sw.ecn.mode === 'dequeue',
    kminBytes: kmin,
    kmaxBytes: kmax,
    pmax: sw.ecn.pmax,
    lossyAlpha: sw.lossy.alpha,
    lossyQueueCapBytes: lossyCap,
    trimEnabled: sw.trimming.enabled,
    trimThresholdBytes: trimThreshold,
    trimHeaderBytes: sw.trimming.headerBytes,
    trimQueueCapBytes: 2 * trimThreshold,
    routingMode:
      ROUTING[({ ecmp: 'ECMP', adaptive: 'ADAPTIVE', flowlet: 'FLOWLET' } as const)[s.routing?.mode ?? 'ecmp']],
    flowletGapPs: Math.round((s.routing?.flowletGapUs ?? 100) * 1e6),
    ...schedulerOf(sw.scheduler),
  };
}

/** Lossless priorities in a mask (bit p: priority p). */
function losslessCount(mask: number): number {
  let n = 0;
  for (let b = 0; b < 8; b++) if (mask & (1 << b)) n++;
  return n;
}

/**
 * Bytes PFC sets aside in each switch's buffer before anything is shared: headroom and reserve
 * per ingress port and lossless priority (HPCC switch-mmu, physics.md §1.2); 0 at hosts.
 */
export function pfcReservedBytes(cfg: FabricConfig, graph: TopologyGraph): Float64Array {
  const lossless = losslessCount(cfg.losslessMask);
  const reserved = new Float64Array(graph.nodeCount);
  for (let p = 0; p < 2 * graph.links.length; p++) {
    const n = portNodeOf(graph, p);
    if (n >= graph.hostCount) reserved[n] += lossless * (cfg.headroomBytes[p] + cfg.reserveBytes);
  }
  return reserved;
}

/**
 * Refuse a switch whose buffer is smaller than what PFC sets aside in it (pfcReservedBytes):
 * the shared pool would be negative, every lossless packet would go to headroom, and the switch
 * would hold more than its buffer.
 */
export function checkPfcReservation(cfg: FabricConfig, graph: TopologyGraph): void {
  const reserved = pfcReservedBytes(cfg, graph);
  let worst = -1;
  for (let n = graph.hostCount; n < graph.nodeCount; n++) if (worst < 0 || reserved[n] > reserved[worst]) worst = n;
  if (worst < 0 || reserved[worst] <= cfg.bufferBytes) return;
  // What the message names, for that switch only.
  const lossless = losslessCount(cfg.losslessMask);
  let ports = 0;
  let hMax = 0;
  for (let p = 0; p < 2 * graph.links.length; p++) {
    if (portNodeOf(graph, p) !== worst) continue;
    ports++;
    hMax = Math.max(hMax, cfg.headroomBytes[p]);
  }
  const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
  throw new InputError(
    `switch.bufferBytes: ${cfg.bufferBytes} B (${mb(cfg.bufferBytes)}) is less than the ${Math.ceil(reserved[worst])} B (${mb(reserved[worst])}) ` +
      `that PFC sets aside at ${graph.nodeNames[worst]}: ${ports} ingress ports × ${lossless} lossless priorit${lossless === 1 ? 'y' : 'ies'} × ` +
      `(headroom up to ${Math.ceil(hMax)} B + reserve ${cfg.reserveBytes} B); raise switch.bufferBytes, or lower switch.pfc.headroomBytes or reserveBytes`,
  );
}

/** The scheduler's kind and DWRR quanta from switch.scheduler. */
function schedulerOf(sc: Scenario['switch']['scheduler']): { scheduler: number; quantumBytes: Int32Array } {
  const quantumBytes = new Int32Array(6).fill(DWRR_QUANTUM_BYTES);
  if (sc === undefined || sc.kind === 'roundRobin') return { scheduler: 0, quantumBytes };
  if (sc.kind === 'strict') return { scheduler: 1, quantumBytes };
  const w = [0, 1, 2, 3, 4, 5].map((p) => sc.weights?.[String(p) as '0'] ?? 1);
  const least = Math.min(...w);
  for (let p = 0; p < 6; p++) quantumBytes[p] = Math.round((w[p] / least) * DWRR_QUANTUM_BYTES);
  return { scheduler: 2, quantumBytes };
}
