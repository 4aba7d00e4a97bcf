import { alignedInt32Array } from '../engine/alignedBuffer.ts';
/**
 * Packets as records in typed arrays: a packet is an integer index, recycled through a free
 * list (performance.md: typed arrays beat pooled objects 2–4× with many packets in flight). One
 * packet shape for every protocol; the meaning of psn/aux fields is per kind (PacketPool below).
 */

// The constants below are `const enum`s, not `const`s, because TypeScript tooling (tsx, esbuild
// bundles) writes an enum member's value in place of every use, so V8 compiles a field offset as
// an immediate. A module-level `const` becomes a variable in a bundle, which V8 loads and
// type-checks at every use: 8–10 % of all instructions (cachegrind, 128-host permutations;
// docs/architecture.md#the-hot-path).

/** Packet kinds (bits 0–7 of the kind word). */
export const enum PK {
  DATA = 0,
  ACK = 1,
  NAK = 2,
  CNP = 3,
  PFC = 4,
  /** Receiver-paced credit (UET RCCC). */
  CREDIT = 5,
}

/** Flags (the P.FLAGS word). */
export const enum F {
  /** ECN-capable. */
  ECT = 1,
  /** Congestion experienced. */
  CE = 2,
  /** Payload cut by a switch. */
  TRIMMED = 4,
  /** A retransmission. */
  RETX = 8,
  /** A switch may trim instead of drop. */
  TRIMMABLE = 16,
  /** Last packet of a message. */
  LAST = 32,
  /** UET ACK request: the receiver ACKs this packet at once (NSCC.AckRequest, physics.md §4.7). */
  AR = 64,
  /** Trimmed at the port facing its destination host (DSCP_TRIMMED_LASTHOP; on a NACK,
   *  UET_TRIMMED_LASTHOP: physics.md §4.4, §4.5). */
  LASTHOP = 128,
}

/** Priority classes of a port's eight queues (physics.md §1.1). */
export const enum PRIO {
  /** Control frames (PFC, ACK/NAK, CNP): strict priority, never paused. */
  CONTROL = 7,
  /** Trimmed headers (UET queue_med, §4.5): strict priority above data. */
  TRIMMED = 6,
  /** Queues per port. */
  COUNT = 8,
  /** Data classes 0–5, served round-robin. */
  DATA_COUNT = 6,
}

/** Frame sizes (docs/architecture.md#units). */
export const enum WIRE {
  /** Preamble + SFD (8 B) + inter-frame gap (12 B): wire time beyond the frame. */
  OVERHEAD_BYTES = 20,
  /** RoCEv2 data headers: Eth 14 + IP 20 + UDP 8 + BTH 12 + ICRC 4 + FCS 4. */
  ROCE_HEADER_BYTES = 62,
  /** RoCEv2 ACK/NAK: data headers + AETH 4. */
  ROCE_ACK_BYTES = 66,
  /** RoCEv2 CNP: headers + 16 reserved bytes. */
  ROCE_CNP_BYTES = 78,
  /** PFC MAC control frame (physics.md §1.1). */
  PFC_FRAME_BYTES = 64,
}

/**
 * Field offsets of the first half of a packet's record (words 0–7, see REC): what a switch
 * reads and writes at every hop.
 */
export const enum P {
  /** Kind in bits 0–7 (KIND_MASK), priority class from bit PRIO_SHIFT up: both read on every arrival. */
  KIND = 0,
  KIND_MASK = 0xff,
  PRIO_SHIFT = 8,
  FLAGS = 1,
  FLOW = 2,
  DST = 3,
  /** Frame bytes (without preamble/IFG). */
  BYTES = 4,
  /** Entropy value, hashed by ECMP. */
  EV = 5,
  /** Next packet in the queue the packet is in. */
  NEXT = 6,
  /** Queued at a switch: the ingress port a lossless packet is accounted to (-1 otherwise). On
   *  the wire to a switch: the egress port it takes there, chosen by the sending port (startTx),
   *  so that its arrival can be warmed with that queue. */
  IN_PORT = 7,
}

/**
 * A packet's record: 16 Int32 words, 64 bytes — one cache line, since the pool's memory is
 * line-aligned (engine/alignedBuffer.ts). Words 0–7 are the fields every hop reads (P.*),
 * words 8–15 the side record only the endpoints read (PS.*, seen through the `side` view, which
 * starts 8 words in). Record p is at (p << SHIFT) in both views, and its side record's doubles at
 * (p << F64_SHIFT) in `sideF64`.
 */
export const enum REC {
  SHIFT = 4,
  WORDS = 16,
  F64_SHIFT = 3,
  SIDE_WORD = 8,
}

/**
 * Field offsets of a packet's side record (8 × Int32, words 8–15 of its record, read through the
 * `side` view): what only the endpoints' transports use. The meaning of PSN and the AUX fields
 * depends on the packet's kind and transport: docs/architecture.md#the-packet-record has the
 * table; the main cases are noted here.
 */
export const enum PS {
  SRC = 0,
  /** DATA: its PSN; UET ACK: the PSN that triggered it; UET NACK: the trimmed PSN; CREDIT from
   *  the receiver: pull quanta granted so far. */
  PSN = 1,
  /** RoCE ACK/NAK: cumulative (next expected) PSN; UET ACK: cumulative PSN; UET DATA: the PSN's
   *  transmission number (NACKs echo it); PFC: priority | (pause ? 256 : 0). */
  AUX = 2,
  /** UET ACK: SACK bitmap bits 0–31; RoCE ACK with DCTCP: CE marks since the last ACK; UET DATA
   *  with RCCC and a sender's CREDIT: the pull target; PFC: the pause's cause port (-1 on RESUME).
   *  The echoed entropy is in P.EV. */
  AUX2 = 3,
  /** UET ACK: SACK bitmap bits 32–63. */
  AUX3 = 4,
  /** DATA: payload bytes; UET ACK/NACK: the receiver's running count of frame bytes received. */
  PAYLOAD = 5,
}

/** Float64 offsets in the side record, read through `sideF64` at (p << REC.F64_SHIFT) + PS64.*. */
export const enum PS64 {
  /** The side record's last 8 bytes: the time the source handed the packet to its NIC (one-way
   *  latency, RTT samples), beside the fields the endpoints read with it, so an endpoint touches
   *  one cache line per packet. */
  SENT_PS = 3,
}

/**
 * Copy a packet record (REC.WORDS int32 words) from src[s…] to dst[d…], unrolled: a loop cost
 * several times more per packet, set(subarray()) allocates a view per call, and copying as
 * doubles is not safe (a record's word pairs can form NaNs, whose bits an engine may change).
 */
export function copyRecord(src: Int32Array, s: number, dst: Int32Array, d: number): void {
  dst[d] = src[s];
  dst[d + 1] = src[s + 1];
  dst[d + 2] = src[s + 2];
  dst[d + 3] = src[s + 3];
  dst[d + 4] = src[s + 4];
  dst[d + 5] = src[s + 5];
  dst[d + 6] = src[s + 6];
  dst[d + 7] = src[s + 7];
  dst[d + 8] = src[s + 8];
  dst[d + 9] = src[s + 9];
  dst[d + 10] = src[s + 10];
  dst[d + 11] = src[s + 11];
  dst[d + 12] = src[s + 12];
  dst[d + 13] = src[s + 13];
  dst[d + 14] = src[s + 14];
  dst[d + 15] = src[s + 15];
}

/**
 * Packets as records in typed arrays: a packet is an integer index p, its hot fields at
 * i32[(p << REC.SHIFT) + P.*], its transport fields at side[(p << REC.SHIFT) + PS.*] (its send
 * time at sideF64[(p << REC.F64_SHIFT) + PS64.SENT_PS]), recycled through a free list.
 * pauseMark[p] is the queue's cumulative paused time when the packet entered it, for the
 * head-of-line analysis: 0 outside queues and in queues never paused (fabric.ts
 * enqueue/startTx). One packet shape for every protocol; the meaning of psn/aux fields is per
 * kind.
 *
 * Why records rather than one array per field: a packet is touched at every hop, and with
 * 10^5 packets in flight (a 1024-host permutation) the pool is far larger than the caches;
 * one record costs one cache miss per touch instead of one per field. Why one 64-byte line
 * holding both halves rather than a 32-byte hot array beside a side array: packets are picked
 * at random among those in flight, so a touch of a 32-byte record loads a whole line anyway (the
 * neighbour's half is rarely wanted), and an endpoint, which reads both halves, then waits for
 * one line instead of two (docs/architecture.md#the-hot-path).
 */
export class PacketPool {
  // Set by allocate(), from the constructor on.
  i32!: Int32Array;
  side!: Int32Array;
  /** The side records as doubles (the same memory). */
  sideF64!: Float64Array;
  pauseMark!: Float64Array;
  private freeList!: Int32Array;
  private freeTop = 0;
  private hwm = 0;
  private cap = 0;
  /** Packets currently allocated. */
  live = 0;
  /** A merged partitioned run: live data packets over every partition's pool (run/parallel/merge.ts). */
  mergedLiveData: number | null = null;

  constructor(capacity = 4096) {
    this.allocate(capacity);
  }

  /** Fresh, zeroed storage for `capacity` packets (the caller copies what it keeps). */
  private allocate(capacity: number): void {
    // Everything first, then the fields: a failed allocation leaves the pool as it was.
    const i32 = alignedInt32Array(capacity * REC.WORDS);
    const pauseMark = new Float64Array(capacity);
    const freeList = new Int32Array(capacity);
    this.cap = capacity;
    this.i32 = i32;
    this.side = PacketPool.sideOf(i32);
    this.sideF64 = PacketPool.sideF64Of(i32);
    this.pauseMark = pauseMark;
    this.freeList = freeList;
  }

  /**
   * Make room for `packets` before the first one is allocated (the size estimate's bound on
   * packets alive, scenario/estimate.ts), so that a large run does not double its way up: each
   * doubling copies every record and touches every page again, seconds at 9 M packets (65,536
   * hosts). Reserving costs address space, not memory: the pages of slots never used are never
   * touched (the free list hands out recently freed slots first). Capped at RESERVE_MAX_PACKETS.
   */
  reserve(packets: number): void {
    const want = Math.min(packets, PacketPool.RESERVE_MAX_PACKETS);
    if (this.hwm !== 0 || want <= this.cap) return;
    try {
      this.allocate(want);
    } catch (e) {
      // Address space refused (a 32-bit browser, a tight ulimit -v): start small and grow.
      if (!(e instanceof RangeError)) throw e;
    }
  }

  /** 2 GiB of records: the most reserve() takes (past it the pool grows by doubling). */
  static readonly RESERVE_MAX_PACKETS = 1 << 25;

  get capacity(): number {
    return this.cap;
  }

  /** The side view: the same memory from word REC.SIDE_WORD on, so record p's side fields are at (p << REC.SHIFT) + PS.*. */
  private static sideOf(i32: Int32Array): Int32Array {
    return new Int32Array(i32.buffer, 4 * REC.SIDE_WORD, i32.length - REC.SIDE_WORD);
  }

  private static sideF64Of(i32: Int32Array): Float64Array {
    return new Float64Array(i32.buffer, 4 * REC.SIDE_WORD, (i32.length - REC.SIDE_WORD) >> 1);
  }

  /**
   * Double the capacity: new storage, the old copied in. Not grown in place (a WebAssembly
   * memory's grow()): that detaches the old buffer, and once any ArrayBuffer has been detached
   * V8's optimised code checks every typed-array access for it (a loop summing an Int32Array ran
   * 227 → 412 ms after one unrelated detach; docs/performance.md). reserve() avoids most growth.
   */
  private grow(): void {
    const { i32, pauseMark, freeList } = this;
    this.allocate(this.cap * 2);
    this.i32.set(i32);
    this.pauseMark.set(pauseMark);
    this.freeList.set(freeList);
  }

  /** A free packet slot (the most recently freed: its line is likely in cache), counted live. */
  private take(): number {
    let p: number;
    if (this.freeTop > 0) p = this.freeList[--this.freeTop];
    else {
      if (this.hwm === this.cap) this.grow();
      p = this.hwm++;
    }
    this.live++;
    this.pauseMark[p] = 0;
    return p;
  }

  /** A fresh packet with every field set (no stale state from its previous life). */
  alloc(kind: number, flow: number, src: number, dst: number, bytes: number, prio: number): number {
    const p = this.take();
    const b = p << REC.SHIFT;
    const i = this.i32;
    i[b + P.KIND] = kind | (prio << P.PRIO_SHIFT);
    i[b + P.FLAGS] = 0;
    i[b + P.FLOW] = flow;
    i[b + P.DST] = dst;
    i[b + P.BYTES] = bytes;
    i[b + P.EV] = 0;
    i[b + P.NEXT] = -1;
    i[b + P.IN_PORT] = -1;
    // Field by field rather than side.fill (a builtin call per packet, ~1 % of a 1024-host run).
    const side = this.side;
    side[b + PS.SRC] = src;
    side[b + PS.PSN] = 0;
    side[b + PS.AUX] = 0;
    side[b + PS.AUX2] = 0;
    side[b + PS.AUX3] = 0;
    side[b + PS.PAYLOAD] = 0;
    this.sideF64[(p << REC.F64_SHIFT) + PS64.SENT_PS] = 0;
    return p;
  }

  /** A packet whose record is a copy of the REC.WORDS words at src[offset…] (a packet handed
   *  over from another partition, net/outbox.ts). */
  allocCopy(src: Int32Array, offset: number): number {
    const p = this.take();
    copyRecord(src, offset, this.i32, p << REC.SHIFT);
    return p;
  }

  release(p: number): void {
    this.live--;
    this.freeList[this.freeTop++] = p;
  }

  /**
   * Live packets by what they carry (cold: a walk over every slot, for the end of a run): data
   * packets with their payload, and the rest (ACK, NAK, CNP, PFC, credits, trimmed headers).
   */
  liveByKind(): { data: number; control: number } {
    if (this.mergedLiveData !== null) return { data: this.mergedLiveData, control: this.live - this.mergedLiveData };
    const free = new Uint8Array(this.hwm);
    for (let k = 0; k < this.freeTop; k++) free[this.freeList[k]] = 1;
    let data = 0;
    for (let p = 0; p < this.hwm; p++) {
      if (free[p] !== 0) continue;
      const b = p << REC.SHIFT;
      if ((this.i32[b + P.KIND] & P.KIND_MASK) === PK.DATA && (this.i32[b + P.FLAGS] & F.TRIMMED) === 0) data++;
    }
    return { data, control: this.live - data };
  }

  /** Peak number of packet slots ever used. */
  get highWater(): number {
    return this.hwm;
  }
}
