/**
 * The pending-event set: a binary min-heap over typed arrays, ordered by (time, insertion
 * sequence) so that events at equal times pop in the order they were scheduled
 * (DESIGN.md "Determinism").
 *
 * An event is three integers (kind, a, b) plus its time; the heap holds slot indices and the
 * slots hold the fields, so a sift moves one Int32 per level. No objects are allocated per
 * event; the arrays double when full. performance.md: a typed-array heap runs 10–15 M holds/s
 * at 1e3–1e4 pending events, 2–3× js-sdsl's PriorityQueue (re-measured by `npm run bench`).
 */
export class EventQueue {
  private heap: Int32Array;
  private time: Float64Array;
  private seq: Float64Array;
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
    this.heap = new Int32Array(capacity);
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kinds = new Int32Array(capacity);
    this.as = new Int32Array(capacity);
    this.bs = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.heap.length * 2;
    const g32 = (x: Int32Array) => { const n = new Int32Array(cap); n.set(x); return n; };
    const g64 = (x: Float64Array) => { const n = new Float64Array(cap); n.set(x); return n; };
    this.heap = g32(this.heap);
    this.time = g64(this.time);
    this.seq = g64(this.seq);
    this.kinds = g32(this.kinds);
    this.as = g32(this.as);
    this.bs = g32(this.bs);
    this.free = g32(this.free);
  }

  /** Schedule event (kind, a, b) at time t (integer picoseconds). */
  push(t: number, kind: number, a: number, b: number): void {
    let slot: number;
    if (this.freeTop > 0) slot = this.free[--this.freeTop];
    else {
      if (this.nextSlot === this.heap.length) this.grow();
      slot = this.nextSlot++;
    }
    const time = this.time;
    const seq = this.seq;
    time[slot] = t;
    const s = this.nextSeq++;
    seq[slot] = s;
    this.kinds[slot] = kind;
    this.as[slot] = a;
    this.bs[slot] = b;
    // sift up
    const heap = this.heap;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = heap[p];
      const pt = time[ps];
      if (pt < t || (pt === t && seq[ps] < s)) break;
      heap[i] = ps;
      i = p;
    }
    heap[i] = slot;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.size > 0 ? this.time[this.heap[0]] : Infinity;
  }

  /** Remove the earliest event into popTime/popKind/popA/popB; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const heap = this.heap;
    const time = this.time;
    const seq = this.seq;
    const top = heap[0];
    this.popTime = time[top];
    this.popKind = this.kinds[top];
    this.popA = this.as[top];
    this.popB = this.bs[top];
    this.free[this.freeTop++] = top;
    const n = --this.size;
    if (n > 0) {
      const last = heap[n];
      const lt = time[last];
      const ls = seq[last];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let cs = heap[c];
        let ct = time[cs];
        const r = c + 1;
        if (r < n) {
          const rs = heap[r];
          const rt = time[rs];
          if (rt < ct || (rt === ct && seq[rs] < seq[cs])) { c = r; cs = rs; ct = rt; }
        }
        if (lt < ct || (lt === ct && ls < seq[cs])) break;
        heap[i] = cs;
        i = c;
      }
      heap[i] = last;
    }
    return true;
  }
}
