import { EventQueue } from './eventQueue.ts';
import { doubleFields } from './doubleFields.ts';

/**
 * The pending-event set the simulator runs on: fixed-delay FIFO lanes beside a general heap.
 *
 * Most events of a packet network are scheduled a *fixed* delay after now: a port finishes a
 * packet `bytes × psPerByte` after it started it, the packet arrives `serialisation + propagation
 * + switch latency` later — and in a fabric of a few link classes and packet sizes those delays
 * take a handful of values. Events pushed with the same delay d at a non-decreasing `now` are
 * already in (time, sequence) order, so each distinct delay gets a FIFO ring (a *lane*: an
 * append and a read, sequential in memory) and only the lanes' heads compete, in a small
 * binary heap (the *tournament*) of at most MAX_LANES + 1 sources — the last source is the
 * general 4-ary heap (eventQueue.ts), which takes everything scheduled with `push` (timers,
 * RTOs, samplers) and any delay once the lanes are all taken. (The idea is the old one of
 * event lists split by delay class, merged by a heap over a few sorted streams rather than one
 * heap over every pending event.) Measured reason (`npm run bench`, profile in
 * docs/performance.md): on the 1024-host runs the single heap held ~10^4 entries and its sift-downs
 * were a quarter of the run; with the lanes the 1024-host runs took 1.4× less time.
 *
 * The pop order is exactly the single heap's: every source is sorted by (time, sequence), the
 * tournament takes the smallest head, and the sequence numbers come from one counter
 * (docs/architecture.md#determinism: ties break by insertion order).
 */
/** The lane queue's constants (a const enum, so that they compile to immediates: net/packets.ts). */
const enum LQ {
  MAX_LANES = 64,
  /** Source id of the general heap in the tournament (= MAX_LANES). */
  HEAP = 64,
  /** Open-addressing table from delay to lane (a power of two ≥ 2 × MAX_LANES). */
  TABLE_BITS = 8,
  TABLE_SIZE = 256,
  /** A lane entry is 32 bytes: time and sequence as doubles (Float64 slots 0, 1), then kind, a
   *  and b as int32 (Int32 slots 4, 5, 6; slot 7 unused). Reading the integers through an Int32
   *  view of the same buffer costs one load each, where packing them into one double cost a
   *  division, a floor and two conversions per pop and per warmed entry. */
  F64_PER_ENTRY = 4,
  /** A new lane's ring (entries; doubled as needed). */
  FIRST_LANE_CAPACITY = 16,
  /** A cell of headT/headS past the sources', written instead of a source's when the top one
   *  leaves the tournament (replaceTop: one store site for both cases). */
  SCRATCH = 65,
}

/** How a lane entry's integers sit in its ring's Int32 view (LQ), for an EventWarmer. */
export const enum LANE {
  I32_PER_ENTRY = 8,
  I_KIND = 4,
  I_A = 5,
  I_B = 6,
  /** Warm-ahead batch: every WARM_BATCH pops of a lane, the next WARM_BATCH events after the
   *  following WARM_BATCH are warmed (see `warmer`). 16 rather than 8: with the warmer's two
   *  passes (net/fabric.ts warmBatch) more misses overlap; 32 did no better (docs/performance.md,
   *  "Warm-ahead in two passes"). */
  WARM_BATCH = 16,
}

/**
 * Told of events shortly before they are handled, so that it can load the state they will touch
 * (packet and port records) while the CPU is still busy with earlier events.
 */
export interface EventWarmer {
  /**
   * Read (do not change) what handling each of the LANE.WARM_BATCH lane entries from ring
   * position `first` will touch first; return any number read. Entry k is at Int32 index
   * LANE.I32_PER_ENTRY × ((first + k) & mask) of `ring`, its fields at LANE.I_KIND, I_A, I_B.
   * (A batch per call, not an entry: the warmer loads its own arrays once per batch — a call per
   * entry cost 119 instructions an event on the 1024-host UET run, callgrind.)
   */
  warmBatch(ring: Int32Array, first: number, mask: number): number;
}

/**
 * One lane: a ring of 32-byte entries (LQ: time, seq, kind, a, b), grown by doubling. One buffer
 * rather than one array per field: an append and a read each touch one cache line.
 */
class Lane {
  f: Float64Array;
  i: Int32Array;
  head = 0;
  size = 0;
  mask: number;
  constructor(capacity: number) {
    this.f = new Float64Array(LQ.F64_PER_ENTRY * capacity);
    this.i = new Int32Array(this.f.buffer);
    this.mask = capacity - 1;
  }

  grow(): void {
    const cap = this.mask + 1;
    const f = new Float64Array(2 * LQ.F64_PER_ENTRY * cap);
    // Unroll the ring into the front of the new buffer, oldest first.
    const first = Math.min(this.size, cap - this.head);
    f.set(this.f.subarray(LQ.F64_PER_ENTRY * this.head, LQ.F64_PER_ENTRY * (this.head + first)), 0);
    f.set(this.f.subarray(0, LQ.F64_PER_ENTRY * (this.size - first)), LQ.F64_PER_ENTRY * first);
    this.f = f;
    this.i = new Int32Array(f.buffer);
    this.head = 0;
    this.mask = 2 * cap - 1;
  }
}

export class LaneQueue {
  /** Everything not in a lane. */
  readonly heap: EventQueue;
  private readonly lanes: Lane[] = [];
  /** Delay → lane index (-1 empty slot); keys in tableKey. */
  private readonly tableKey = new Float64Array(LQ.TABLE_SIZE);
  private readonly tableLane = new Int32Array(LQ.TABLE_SIZE).fill(-1);
  /** The tournament: a binary heap of source ids ordered by their head's (time, seq). */
  private readonly tour = new Int32Array(LQ.MAX_LANES + 1);
  private tourSize = 0;
  private readonly headT = new Float64Array(LQ.SCRATCH + 1);
  private readonly headS = new Float64Array(LQ.SCRATCH + 1);
  /** The runner-up's head: the smaller of the top source's children in the tournament. */
  private runT = Infinity;
  private runS = 0;
  private nextSeq = 0;
  /** Pending events in lanes and heap. */
  size = 0;

  /**
   * Why warm ahead: at scale most of a packet network's run time is spent waiting on memory —
   * the record of the packet that arrives, chosen among 10^5 in flight, is in no cache (on the
   * 1024-host runs the first read of it took 14 % of the profile, docs/performance.md). JavaScript
   * has no prefetch instruction, but a batch of independent loads overlaps its misses, so warming
   * WARM_BATCH upcoming events together waits for one miss instead of WARM_BATCH. A lane is
   * FIFO, so its next entries are exactly the events it will deliver next.
   */
  warmer: EventWarmer | null = null;
  /** Sum of the warm reads (kept so that the reads are not optimised away). */
  warmSink = 0;

  popTime = 0;
  popKind = 0;
  popA = 0;
  popB = 0;

  constructor(capacity = 1024) {
    this.heap = new EventQueue(capacity);
    doubleFields(this, 'popTime', 'warmSink');
    doubleFields(this as unknown as { runS: number }, 'runS');
  }

  /** Number of lanes opened so far (≤ MAX_LANES). */
  get laneCount(): number {
    return this.lanes.length;
  }

  /** Schedule (kind, a, b) at absolute time t, through the general heap. */
  push(t: number, kind: number, a: number, b: number): void {
    const heap = this.heap;
    const s = this.nextSeq++;
    heap.pushSeq(t, s, kind, a, b);
    this.size++;
    if (heap.size === 1) this.enter(LQ.HEAP, t, s);
    else if (heap.topSeq() === s) this.decrease(LQ.HEAP, t, s);
  }

  /**
   * Schedule (kind, a, b) at t = now + delayPs. The caller guarantees that `now` never decreases
   * between calls (the simulator's clock), which keeps each lane sorted. kind, a and b are int32,
   * as in the heap (eventQueue.ts).
   */
  pushAfter(now: number, delayPs: number, kind: number, a: number, b: number): void {
    this.pushLane(delayPs, now + delayPs, kind, a, b);
  }

  /**
   * Schedule (kind, a, b) at t in the lane named `key` (a lane per distinct key, as pushAfter
   * has one per delay). The caller guarantees that the times it pushes under one key never
   * decrease — pushAfter's keys are delays pushed at a non-decreasing now; a partitioned run's
   * packets from another partition use keys of their own (net/fabric.ts receiveHandOvers).
   */
  pushLane(key: number, t: number, kind: number, a: number, b: number): void {
    let h = Math.imul(key | 0, 0x9e3779b1) >>> (32 - LQ.TABLE_BITS);
    let li = -1;
    for (;;) {
      const l = this.tableLane[h];
      if (l < 0) break;
      if (this.tableKey[h] === key) {
        li = l;
        break;
      }
      h = (h + 1) & (LQ.TABLE_SIZE - 1);
    }
    if (li < 0) {
      if (this.lanes.length === LQ.MAX_LANES) {
        this.push(t, kind, a, b);
        return;
      }
      li = this.lanes.length;
      // Small at first, so that the first grows come while V8 still records type feedback: a
      // lane's first grow after pushLane was optimised threw that code away (node --trace-deopt).
      this.lanes.push(new Lane(LQ.FIRST_LANE_CAPACITY));
      this.tableKey[h] = key;
      this.tableLane[h] = li;
    }
    const lane = this.lanes[li];
    if (lane.size > lane.mask) lane.grow();
    const j = (lane.head + lane.size) & lane.mask;
    const s = this.nextSeq++;
    const f = lane.f;
    const i = lane.i;
    f[LQ.F64_PER_ENTRY * j] = t;
    f[LQ.F64_PER_ENTRY * j + 1] = s;
    i[LANE.I32_PER_ENTRY * j + LANE.I_KIND] = kind;
    i[LANE.I32_PER_ENTRY * j + LANE.I_A] = a;
    i[LANE.I32_PER_ENTRY * j + LANE.I_B] = b;
    this.size++;
    if (lane.size++ === 0) this.enter(li, t, s);
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.tourSize > 0 ? this.headT[this.tour[0]] : Infinity;
  }

  /** Remove the earliest event into popTime/popKind/popA/popB; false when empty. */
  pop(): boolean {
    if (this.tourSize === 0) return false;
    const src = this.tour[0];
    this.size--;
    if (src === LQ.HEAP) {
      const heap = this.heap;
      heap.pop();
      this.popTime = heap.popTime;
      this.popKind = heap.popKind;
      this.popA = heap.popA;
      this.popB = heap.popB;
      // One call for both cases (a time of −1: the heap ran empty; see replaceTop).
      const more = heap.size > 0;
      this.replaceTop(more ? heap.peekTime() : -1, more ? heap.topSeq() : 0);
      return true;
    }
    const lane = this.lanes[src];
    const j = lane.head;
    const f = lane.f;
    const i = lane.i;
    this.popTime = f[LQ.F64_PER_ENTRY * j];
    this.popKind = i[LANE.I32_PER_ENTRY * j + LANE.I_KIND];
    this.popA = i[LANE.I32_PER_ENTRY * j + LANE.I_A];
    this.popB = i[LANE.I32_PER_ENTRY * j + LANE.I_B];
    const n = (j + 1) & lane.mask;
    lane.head = n;
    if ((n & (LANE.WARM_BATCH - 1)) === 0 && lane.size > 2 * LANE.WARM_BATCH && this.warmer !== null)
      this.warmAhead(lane);
    // (t = −1: the lane ran empty; see replaceTop.)
    let t = -1;
    let s = 0;
    if (--lane.size > 0) {
      t = f[LQ.F64_PER_ENTRY * n];
      s = f[LQ.F64_PER_ENTRY * n + 1];
      if (t < this.runT || (t === this.runT && s < this.runS)) {
        // Still ahead of every other source (the runner-up is the smaller of the top's children):
        // the tournament keeps its shape. On the 1024-host runs the popped lane stays on top for
        // 93 % (UET) and 78 % (RoCE) of pops — runs of events of one delay class.
        this.headT[src] = t;
        this.headS[src] = s;
        return true;
      }
    }
    this.replaceTop(t, s);
    return true;
  }

  /** Warm the events WARM_BATCH…2 × WARM_BATCH − 1 places after the lane's head (they pop soon). */
  private warmAhead(lane: Lane): void {
    this.warmSink += this.warmer!.warmBatch(lane.i, lane.head + LANE.WARM_BATCH, lane.mask);
  }

  // ------------------------------------------------------------------ the tournament

  private less(x: number, y: number): boolean {
    const xt = this.headT[x];
    const yt = this.headT[y];
    return xt < yt || (xt === yt && this.headS[x] < this.headS[y]);
  }

  /** A source became non-empty with head (t, s). */
  private enter(src: number, t: number, s: number): void {
    this.headT[src] = t;
    this.headS[src] = s;
    this.siftUp(this.tourSize++, src);
  }

  /** The heap source's head got earlier (a push became its top). */
  private decrease(src: number, t: number, s: number): void {
    this.headT[src] = t;
    this.headS[src] = s;
    const tour = this.tour;
    let i = 0;
    while (tour[i] !== src) i++;
    this.siftUp(i, src);
  }

  private siftUp(i: number, src: number): void {
    const tour = this.tour;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(src, tour[p])) break;
      tour[i] = tour[p];
      i = p;
    }
    tour[i] = src;
    this.refreshRunnerUp();
  }

  /**
   * The top source's head moved to (t, s): sift it down; or, with t = −1, the top source ran empty:
   * take it out and sift the last one down from the top. One function with no branch around a
   * property access for both: a call or access first reached after V8 optimised its caller has
   * no type feedback, and reaching it throws the caller's code away (the first lane to run empty
   * did so to the event loop, node --trace-deopt).
   */
  private replaceTop(t: number, s: number): void {
    const tour = this.tour;
    const empty = t < 0;
    const n = this.tourSize - (empty ? 1 : 0);
    this.tourSize = n;
    const src = tour[empty ? n : 0];
    const cell = empty ? LQ.SCRATCH : src;
    this.headT[cell] = t;
    this.headS[cell] = s;
    if (n > 0) this.siftDown(src);
  }

  private siftDown(src: number): void {
    const tour = this.tour;
    const n = this.tourSize;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(tour[c + 1], tour[c])) c++;
      if (!this.less(tour[c], src)) break;
      tour[i] = tour[c];
      i = c;
    }
    tour[i] = src;
    this.refreshRunnerUp();
  }

  /** Keep runT/runS the key of the smaller of the top's children (Infinity when there is none). */
  private refreshRunnerUp(): void {
    const n = this.tourSize;
    // One store of each field for both cases: a store only the rare case (fewer than two
    // sources, late in a run) reached was compiled without feedback, and its first use threw
    // away pop, siftDown and replaceTop together (node --trace-deopt, the incast).
    let t = Infinity;
    let s = 0;
    if (n >= 2) {
      let c = this.tour[1];
      if (n > 2 && this.less(this.tour[2], c)) c = this.tour[2];
      t = this.headT[c];
      s = this.headS[c];
    }
    this.runT = t;
    this.runS = s;
  }
}
