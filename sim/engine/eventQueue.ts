/**
 * The pending-event set: a 4-ary min-heap over typed arrays, ordered by (time, insertion
 * sequence) so that events at equal times pop in the order they were scheduled
 * (docs/architecture.md#determinism).
 *
 * The heap's own arrays hold each entry's time and sequence number beside its slot, so a sift
 * compares neighbouring array cells instead of chasing slot indices into other arrays (the
 * comparisons are where a heap spends its time); the event's payload (kind, a, b) stays in
 * its slot and is read once, at pop. No objects are allocated per event; the arrays double
 * when full. 4-ary rather than binary: half the levels, and the four children's times share a
 * cache line (performance.md: 6.3 vs 6.1 M holds/s at 1e5 pending, 1.8 vs 1.3 at 1e6; here the
 * 1024-host runs gained a few per cent). `npm run bench` compares it with js-sdsl's
 * PriorityQueue and the calendar queue.
 */
import { doubleFields } from './doubleFields.ts';

export class EventQueue {
  private hTime: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  private kinds: Int32Array;
  private as: Int32Array;
  private bs: Int32Array;
  private free: Int32Array;
  private freeTop = 0;
  private nextSlot = 0;
  private nextSeq = 0;
  size = 0;

  /** Fields of the event returned by the last pop(). */
  popTime = 0;
  popKind = 0;
  popA = 0;
  popB = 0;

  constructor(capacity = 1024) {
    doubleFields(this, 'popTime');
    this.hTime = new Float64Array(capacity);
    this.hSeq = new Float64Array(capacity);
    this.hSlot = new Int32Array(capacity);
    this.kinds = new Int32Array(capacity);
    this.as = new Int32Array(capacity);
    this.bs = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.hSlot.length * 2;
    const g32 = (x: Int32Array) => {
      const n = new Int32Array(cap);
      n.set(x);
      return n;
    };
    const g64 = (x: Float64Array) => {
      const n = new Float64Array(cap);
      n.set(x);
      return n;
    };
    this.hTime = g64(this.hTime);
    this.hSeq = g64(this.hSeq);
    this.hSlot = g32(this.hSlot);
    this.kinds = g32(this.kinds);
    this.as = g32(this.as);
    this.bs = g32(this.bs);
    this.free = g32(this.free);
  }

  /** Schedule event (kind, a, b) at time t (integer picoseconds). */
  push(t: number, kind: number, a: number, b: number): void {
    this.pushSeq(t, this.nextSeq++, kind, a, b);
  }

  /** push() with the sequence number given by the caller (a LaneQueue numbers all its events). */
  pushSeq(t: number, s: number, kind: number, a: number, b: number): void {
    let slot: number;
    if (this.freeTop > 0) slot = this.free[--this.freeTop];
    else {
      if (this.nextSlot === this.hSlot.length) this.grow();
      slot = this.nextSlot++;
    }
    this.kinds[slot] = kind;
    this.as[slot] = a;
    this.bs[slot] = b;
    const hTime = this.hTime;
    const hSeq = this.hSeq;
    const hSlot = this.hSlot;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = hTime[p];
      if (pt < t || (pt === t && hSeq[p] < s)) break;
      hTime[i] = pt;
      hSeq[i] = hSeq[p];
      hSlot[i] = hSlot[p];
      i = p;
    }
    hTime[i] = t;
    hSeq[i] = s;
    hSlot[i] = slot;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.size > 0 ? this.hTime[0] : Infinity;
  }

  /** Sequence number of the earliest event (size > 0). */
  topSeq(): number {
    return this.hSeq[0];
  }

  /** Remove the earliest event into popTime/popKind/popA/popB; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const hTime = this.hTime;
    const hSeq = this.hSeq;
    const hSlot = this.hSlot;
    const top = hSlot[0];
    this.popTime = hTime[0];
    this.popKind = this.kinds[top];
    this.popA = this.as[top];
    this.popB = this.bs[top];
    this.free[this.freeTop++] = top;
    const n = --this.size;
    if (n > 0) {
      const lt = hTime[n];
      const ls = hSeq[n];
      const lslot = hSlot[n];
      let i = 0;
      for (;;) {
        // 4-ary: the four children sit side by side in the arrays (one cache line of times).
        const first = 4 * i + 1;
        if (first >= n) break;
        let c = first;
        let ct = hTime[c];
        const end = first + 4 < n ? first + 4 : n;
        for (let k = first + 1; k < end; k++) {
          const kt = hTime[k];
          if (kt < ct || (kt === ct && hSeq[k] < hSeq[c])) {
            c = k;
            ct = kt;
          }
        }
        if (lt < ct || (lt === ct && ls < hSeq[c])) break;
        hTime[i] = ct;
        hSeq[i] = hSeq[c];
        hSlot[i] = hSlot[c];
        i = c;
      }
      hTime[i] = lt;
      hSeq[i] = ls;
      hSlot[i] = lslot;
    }
    return true;
  }
}
