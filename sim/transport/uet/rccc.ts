/**
 * RCCC, receiver credit-based CC (physics.md §4.8; model of htsim-UEC `UecPullPacer` /
 * `UecSink::pull` / `UecSrc::computePullTarget`):
 *
 * - Credit is counted in 256-byte quanta (`UEC_PULL_SHIFT 8`, §4.8) as a cumulative
 *   "pull number" per flow, so a lost or reordered credit packet is repaired by the next.
 * - The sender starts with a speculative credit of max_wnd (§4.8) and may send while its
 *   credit is > 0; the first feedback (ACK, NACK or credit) ends speculation and drops any
 *   speculative credit left. Each data packet carries the sender's pull target
 *   (`credit_target`: min(backlog + rtx backlog, cwnd + MTU, max_wnd) − credit, divided
 *   across the flows active on the sending NIC, added to its current pull number).
 * - Each receiver NIC has one pacer that serves its requesting flows round-robin, granting
 *   4 MSS of credit per pull ("as per default in UEC spec", §4.8) but never past the flow's
 *   pull target, and paces the grants at 0.99 × its line rate (§4.8): after a grant of k
 *   quanta the next grant is k × 256 B × 8 / (0.99 × rate) later.
 * - A trimmed packet means the sender must retransmit: the receiver raises that flow's
 *   target by the packet's size and keeps pulling.
 *
 * Not modelled: htsim's "slow pull" of idle senders (speculative top-ups to flows with no
 * backlog) — every flow here has its whole message as backlog from the start.
 */

/** RCCC constants (a const enum, so that they compile to immediates: net/packets.ts). */
export const enum RCCC {
  /** Credit quantum (htsim UEC_PULL_SHIFT = 8 → 256 B, §4.8). */
  PULL_QUANTUM_BYTES = 256,
  /** Credit per pull = 4 MTUs (htsim `_mtus_per_pull`, §4.8). */
  MTUS_PER_PULL = 4,
  /** Pacer rate = 0.99 × line rate (§4.8). */
  PULL_RATE_FACTOR = 0.99,
}

export function quantizeCeil(bytes: number): number {
  return Math.ceil(bytes / RCCC.PULL_QUANTUM_BYTES);
}

/** Receiver side: per-flow pull state and per-host pacers (round-robin rings). */
export class RcccReceiver {
  /** Highest pull target (quanta) a flow's sender asked for. */
  readonly target: Float64Array;
  /** Cumulative credit granted (quanta). */
  readonly granted: Float64Array;
  readonly inQueue: Uint8Array;
  private readonly ring: Int32Array;
  private readonly ringOff: Int32Array;
  private readonly ringCap: Int32Array;
  private readonly ringHead: Int32Array;
  private readonly ringLen: Int32Array;
  readonly pacerBusy: Uint8Array;
  /** ps per credit quantum at each receiver host. */
  readonly psPerQuantum: Float64Array;
  readonly creditPerPull: number;

  constructor(
    flowCount: number,
    hostCount: number,
    dstOf: Int32Array,
    hostRateBps: (h: number) => number,
    mssBytes: number,
  ) {
    this.target = new Float64Array(flowCount);
    this.granted = new Float64Array(flowCount);
    this.inQueue = new Uint8Array(flowCount);
    this.ringOff = new Int32Array(hostCount);
    this.ringCap = new Int32Array(hostCount);
    this.ringHead = new Int32Array(hostCount);
    this.ringLen = new Int32Array(hostCount);
    this.pacerBusy = new Uint8Array(hostCount);
    this.psPerQuantum = new Float64Array(hostCount);
    for (let f = 0; f < flowCount; f++) this.ringCap[dstOf[f]]++;
    let off = 0;
    for (let h = 0; h < hostCount; h++) {
      this.ringOff[h] = off;
      off += this.ringCap[h];
      this.psPerQuantum[h] = (RCCC.PULL_QUANTUM_BYTES * 8e12) / (hostRateBps(h) * RCCC.PULL_RATE_FACTOR);
    }
    this.ring = new Int32Array(Math.max(1, off));
    // "round down to mss rather than mtu" (htsim `_credit_per_pull`).
    this.creditPerPull = Math.floor((mssBytes * RCCC.MTUS_PER_PULL) / RCCC.PULL_QUANTUM_BYTES);
  }

  /** Queue flow f (destined to host h) for credit; returns true if the pacer must be started. */
  request(h: number, f: number): boolean {
    if (this.inQueue[f] === 0) {
      this.inQueue[f] = 1;
      const cap = this.ringCap[h];
      this.ring[this.ringOff[h] + ((this.ringHead[h] + this.ringLen[h]) % cap)] = f;
      this.ringLen[h]++;
    }
    if (this.pacerBusy[h] !== 0) return false;
    this.pacerBusy[h] = 1;
    return true;
  }

  /** Next flow to serve at host h, or -1 (the pacer goes idle). */
  pop(h: number): number {
    if (this.ringLen[h] === 0) return -1;
    const f = this.ring[this.ringOff[h] + this.ringHead[h]];
    this.ringHead[h] = (this.ringHead[h] + 1) % this.ringCap[h];
    this.ringLen[h]--;
    this.inQueue[f] = 0;
    return f;
  }

  /** Grant up to one pull's worth to f; returns the quanta granted (0 if already at target). */
  grant(f: number): number {
    const prev = this.granted[f];
    let next = prev + this.creditPerPull;
    if (next > this.target[f]) next = this.target[f] > prev ? this.target[f] : prev;
    this.granted[f] = next;
    return next - prev;
  }
}
