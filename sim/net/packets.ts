/**
 * Packets as a struct of arrays: a packet is an integer index into typed arrays, recycled
 * through a free list (performance.md: SoA beats pooled objects 2–4× with many packets in
 * flight). One packet shape for every protocol; the meaning of psn/aux fields is per kind.
 */

// Packet kinds.
export const PK_DATA = 0;
export const PK_ACK = 1;
export const PK_NAK = 2;
export const PK_CNP = 3;
export const PK_PFC = 4;
/** Receiver-paced credit (UET RCCC). */
export const PK_CREDIT = 5;

// Flags.
export const F_ECT = 1; // ECN-capable
export const F_CE = 2; // congestion experienced
export const F_TRIMMED = 4; // payload cut by a switch
export const F_RETX = 8; // a retransmission
export const F_TRIMMABLE = 16; // a switch may trim instead of drop
export const F_LAST = 32; // last packet of a message
export const F_AR = 64; // UET ACK request: the receiver ACKs this packet at once (NSCC.AckRequest, physics.md §4.7)

/** Priority of control frames (PFC, ACK/NAK, CNP): strict priority, never paused (physics.md §1.1). */
export const PRIO_CONTROL = 7;
/** Priority of trimmed headers (UET queue_med, §4.5): strict priority above data. */
export const PRIO_TRIMMED = 6;

/** Preamble + SFD (8 B) + inter-frame gap (12 B): wire time beyond the frame (DESIGN.md Units). */
export const WIRE_OVERHEAD_BYTES = 20;
/** RoCEv2 data headers: Eth 14 + IP 20 + UDP 8 + BTH 12 + ICRC 4 + FCS 4 (DESIGN.md Units). */
export const ROCE_HEADER_BYTES = 62;
/** RoCEv2 ACK/NAK: data headers + AETH 4. */
export const ROCE_ACK_BYTES = 66;
/** RoCEv2 CNP: headers + 16 reserved bytes. */
export const ROCE_CNP_BYTES = 78;
/** PFC MAC control frame (physics.md §1.1). */
export const PFC_FRAME_BYTES = 64;

export class PacketPool {
  kind: Uint8Array;
  flags: Uint8Array;
  prio: Uint8Array;
  flow: Int32Array;
  src: Int32Array;
  dst: Int32Array;
  psn: Int32Array;
  /** ACK: cumulative PSN; PFC: priority | (pause ? 256 : 0); trimmed/NACK: PSN info. */
  aux: Int32Array;
  /** UET: SACK bitmap low 32 bits; ACK: echoed entropy. */
  aux2: Int32Array;
  /** UET: SACK bitmap high 32 bits. */
  aux3: Int32Array;
  /** Frame bytes (without preamble/IFG). */
  bytes: Int32Array;
  payload: Int32Array;
  /** Entropy value, hashed by ECMP. */
  ev: Int32Array;
  /** Next packet in the queue this packet sits in. */
  next: Int32Array;
  /** Ingress port at the switch currently holding the packet (-1 at a host). */
  inPort: Int32Array;
  /** Time the source handed the packet to its NIC (one-way latency, RTT samples). */
  sentPs: Float64Array;
  /** Time the packet entered its current queue. */
  enqPs: Float64Array;
  /** The queue's cumulative paused time when the packet entered it (head-of-line analysis). */
  pauseMarkPs: Float64Array;
  /** When the packet, now on a link, arrives at the far end. */
  arrivePs: Float64Array;

  private freeList: Int32Array;
  private freeTop = 0;
  private hwm = 0;
  /** Packets currently allocated. */
  live = 0;

  constructor(capacity = 4096) {
    this.kind = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.prio = new Uint8Array(capacity);
    this.flow = new Int32Array(capacity);
    this.src = new Int32Array(capacity);
    this.dst = new Int32Array(capacity);
    this.psn = new Int32Array(capacity);
    this.aux = new Int32Array(capacity);
    this.aux2 = new Int32Array(capacity);
    this.aux3 = new Int32Array(capacity);
    this.bytes = new Int32Array(capacity);
    this.payload = new Int32Array(capacity);
    this.ev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.inPort = new Int32Array(capacity);
    this.sentPs = new Float64Array(capacity);
    this.enqPs = new Float64Array(capacity);
    this.pauseMarkPs = new Float64Array(capacity);
    this.arrivePs = new Float64Array(capacity);
    this.freeList = new Int32Array(capacity);
  }

  get capacity(): number {
    return this.kind.length;
  }

  private grow(): void {
    const cap = this.kind.length * 2;
    const u8 = (x: Uint8Array) => { const n = new Uint8Array(cap); n.set(x); return n; };
    const i32 = (x: Int32Array) => { const n = new Int32Array(cap); n.set(x); return n; };
    const f64 = (x: Float64Array) => { const n = new Float64Array(cap); n.set(x); return n; };
    this.kind = u8(this.kind);
    this.flags = u8(this.flags);
    this.prio = u8(this.prio);
    this.flow = i32(this.flow);
    this.src = i32(this.src);
    this.dst = i32(this.dst);
    this.psn = i32(this.psn);
    this.aux = i32(this.aux);
    this.aux2 = i32(this.aux2);
    this.aux3 = i32(this.aux3);
    this.bytes = i32(this.bytes);
    this.payload = i32(this.payload);
    this.ev = i32(this.ev);
    this.next = i32(this.next);
    this.inPort = i32(this.inPort);
    this.sentPs = f64(this.sentPs);
    this.enqPs = f64(this.enqPs);
    this.pauseMarkPs = f64(this.pauseMarkPs);
    this.arrivePs = f64(this.arrivePs);
    this.freeList = i32(this.freeList);
  }

  /** A fresh packet with every field set (no stale state from its previous life). */
  alloc(kind: number, flow: number, src: number, dst: number, bytes: number, prio: number): number {
    let p: number;
    if (this.freeTop > 0) p = this.freeList[--this.freeTop];
    else {
      if (this.hwm === this.kind.length) this.grow();
      p = this.hwm++;
    }
    this.live++;
    this.kind[p] = kind;
    this.flags[p] = 0;
    this.prio[p] = prio;
    this.flow[p] = flow;
    this.src[p] = src;
    this.dst[p] = dst;
    this.psn[p] = 0;
    this.aux[p] = 0;
    this.aux2[p] = 0;
    this.aux3[p] = 0;
    this.bytes[p] = bytes;
    this.payload[p] = 0;
    this.ev[p] = 0;
    this.next[p] = -1;
    this.inPort[p] = -1;
    this.sentPs[p] = 0;
    this.enqPs[p] = 0;
    return p;
  }

  release(p: number): void {
    this.live--;
    this.freeList[this.freeTop++] = p;
  }

  /** Peak number of packet slots ever used. */
  get highWater(): number {
    return this.hwm;
  }
}
