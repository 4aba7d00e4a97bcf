import { REC, copyRecord } from './packets.ts';

/** Outbox layout (a const enum, so that the offsets compile to immediates: net/packets.ts). */
export const enum OB {
  /** Int32 words per message: arrival time (a double in words 0–1), sending port, one unused
   *  word, then the packet's whole record (REC.WORDS). 80 bytes. */
  WORDS = 20,
  F64_PER_MSG = 10,
  I_PORT = 2,
  I_REC = 4,
  /** The first message-sized slot is the header: message count (Int32 word 0) and earliest
   *  arrival time (Float64 cell 1), in the buffer so that a reader in another thread sees them. */
  I_COUNT = 0,
  F_MIN_TIME = 1,
}

/**
 * Packets in flight on cut links from one partition to another during one window of a
 * partitioned run (net/partition.ts): the arrival time, the sending port and a copy of the
 * packet's record, appended in the order the ports started sending them. The receiving
 * partition turns each into an ARRIVE event at the window's end, in that order, so the run does
 * not depend on how the partitions were scheduled.
 *
 * The buffer is sized once from the physics, so a window can never overflow it: a cut port
 * starts at most one frame per serialisation time of the smallest frame, so in a window of W ps
 * it hands over at most floor(W / minFramePs) + 1 packets. Everything, the count included, lives
 * in the buffer, which may be a SharedArrayBuffer: the partition in another thread then reads it
 * in place through an Outbox of its own over the same buffer (sim/run/parallel/barrier.ts).
 */
export class Outbox {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly capacity: number;

  /** A new, empty outbox over `buffer` (of bytesFor(capacity) bytes). */
  constructor(
    readonly buffer: ArrayBufferLike,
    empty = true,
  ) {
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.capacity = this.i32.length / OB.WORDS - 1;
    if (empty) this.clear();
  }

  /** Another view of an outbox's buffer, as it is (the reading side in another thread). */
  static view(buffer: ArrayBufferLike): Outbox {
    return new Outbox(buffer, false);
  }

  /** Bytes of an outbox for `capacity` messages (and the header). */
  static bytesFor(capacity: number): number {
    return (capacity + 1) * OB.WORDS * 4;
  }

  get count(): number {
    return this.i32[OB.I_COUNT];
  }

  /** Earliest arrival time among the messages (Infinity when empty). */
  get minTimePs(): number {
    return this.f64[OB.F_MIN_TIME];
  }

  /** Message m's arrival time, sending port, and the offset of its record in i32. */
  timeOf(m: number): number {
    return this.f64[(m + 1) * OB.F64_PER_MSG];
  }

  portOf(m: number): number {
    return this.i32[(m + 1) * OB.WORDS + OB.I_PORT];
  }

  /** Where message m's packet record starts in i32. */
  recordOffset(m: number): number {
    return (m + 1) * OB.WORDS + OB.I_REC;
  }

  /** Append packet `pkt` of `pool` (the pool's records), due at `timePs` at the far end of `port`. */
  put(timePs: number, port: number, pool: Int32Array, pkt: number): void {
    const i32 = this.i32;
    const f64 = this.f64;
    const m = i32[OB.I_COUNT];
    if (m >= this.capacity)
      throw new Error(
        `outbox overflow: ${this.capacity} messages in one window (a bound from the physics; this is a bug)`,
      );
    i32[OB.I_COUNT] = m + 1;
    const d = (m + 1) * OB.F64_PER_MSG;
    f64[d] = timePs;
    const w = 2 * d;
    i32[w + OB.I_PORT] = port;
    copyRecord(pool, pkt << REC.SHIFT, i32, w + OB.I_REC);
    if (timePs < f64[OB.F_MIN_TIME]) f64[OB.F_MIN_TIME] = timePs;
  }

  clear(): void {
    this.i32[OB.I_COUNT] = 0;
    this.f64[OB.F_MIN_TIME] = Infinity;
  }
}
