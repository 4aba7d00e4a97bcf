/**
 * The pending-event set as a calendar queue (R. Brown, CACM 1988) over typed arrays:
 * `nb` buckets ("days") of `width` ps; an event goes to bucket floor(t / width) mod nb, kept
 * sorted inside its bucket. Popping walks the days of the current "year" from the last
 * position, so with a well-chosen width push and pop are O(1).
 *
 * The three things performance.md says the textbook version lacks are here: the width is
 * estimated from up to 512 consecutive events (not 25, which collapse when many timestamps
 * are equal), it is re-estimated when the queue settles (a periodic check of the work done
 * per operation), and each bucket keeps a tail pointer so an event not earlier than the
 * bucket's last is appended in O(1) — which also keeps equal times in insertion order
 * (an event is always placed after every event with the same time), as determinism needs.
 * Same interface as EventQueue: push(t, kind, a, b); pop() fills popTime/popKind/popA/popB.
 */
export class CalendarQueue {
  private time: Float64Array;
  private kinds: Int32Array;
  private as: Int32Array;
  private bs: Int32Array;
  private nextOf: Int32Array;
  private prevOf: Int32Array;
  private free: Int32Array;
  private freeTop = 0;
  private nextSlot = 0;

  private head: Int32Array;
  private tail: Int32Array;
  private nb = 0;
  private mask = 0;
  private width = 1;
  private lastBucket = 0;
  private bucketTop = 1;

  size = 0;
  popTime = 0;
  popKind = 0;
  popA = 0;
  popB = 0;

  // Work counters for the periodic width check.
  private ops = 0;
  private work = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.kinds = new Int32Array(capacity);
    this.as = new Int32Array(capacity);
    this.bs = new Int32Array(capacity);
    this.nextOf = new Int32Array(capacity);
    this.prevOf = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    this.head = new Int32Array(0);
    this.tail = new Int32Array(0);
    this.setBuckets(16, 1000, 0);
  }

  private setBuckets(nb: number, width: number, startTime: number): void {
    this.nb = nb;
    this.mask = nb - 1;
    this.width = width;
    this.head = new Int32Array(nb).fill(-1);
    this.tail = new Int32Array(nb).fill(-1);
    const day = Math.floor(startTime / width);
    this.lastBucket = day % nb;
    this.bucketTop = (day + 1) * width;
  }

  private growSlots(): void {
    const cap = this.time.length * 2;
    const g32 = (x: Int32Array) => {
      const n = new Int32Array(cap);
      n.set(x);
      return n;
    };
    const t = new Float64Array(cap);
    t.set(this.time);
    this.time = t;
    this.kinds = g32(this.kinds);
    this.as = g32(this.as);
    this.bs = g32(this.bs);
    this.nextOf = g32(this.nextOf);
    this.prevOf = g32(this.prevOf);
    this.free = g32(this.free);
  }

  push(t: number, kind: number, a: number, b: number): void {
    let slot: number;
    if (this.freeTop > 0) slot = this.free[--this.freeTop];
    else {
      if (this.nextSlot === this.time.length) this.growSlots();
      slot = this.nextSlot++;
    }
    this.time[slot] = t;
    this.kinds[slot] = kind;
    this.as[slot] = a;
    this.bs[slot] = b;
    this.insert(slot, t);
    if (++this.size > 2 * this.nb) this.resize(this.nb * 2);
  }

  private insert(slot: number, t: number): void {
    const time = this.time;
    const next = this.nextOf;
    const prev = this.prevOf;
    const i = Math.floor(t / this.width) % this.nb;
    let cur = this.tail[i];
    // Walk back from the tail to the last event not later than t (new events are usually late
    // in their bucket, and synchronised ports make long runs of equal times), and insert after
    // it: FIFO among ties.
    while (cur >= 0 && time[cur] > t) {
      cur = prev[cur];
      this.work++;
    }
    prev[slot] = cur;
    if (cur < 0) {
      const h = this.head[i];
      next[slot] = h;
      if (h >= 0) prev[h] = slot;
      else this.tail[i] = slot;
      this.head[i] = slot;
    } else {
      const nx = next[cur];
      next[slot] = nx;
      next[cur] = slot;
      if (nx >= 0) prev[nx] = slot;
      else this.tail[i] = slot;
    }
  }

  peekTime(): number {
    if (this.size === 0) return Infinity;
    const s = this.findMin();
    return this.time[this.head[s]];
  }

  /** Bucket holding the earliest event; moves the calendar's position to it. */
  private findMin(): number {
    const time = this.time;
    const head = this.head;
    let i = this.lastBucket;
    let top = this.bucketTop;
    const w = this.width;
    const mask = this.mask;
    for (let n = 0; n < this.nb; n++) {
      const h = head[i];
      if (h >= 0 && time[h] < top) {
        this.lastBucket = i;
        this.bucketTop = top;
        this.work += n;
        return i;
      }
      i = (i + 1) & mask;
      top += w;
    }
    // Nothing in this year: jump straight to the earliest event.
    let best = -1;
    let bt = Infinity;
    for (let j = 0; j < this.nb; j++) {
      const h = head[j];
      if (h >= 0 && time[h] < bt) {
        bt = time[h];
        best = j;
      }
    }
    this.work += this.nb;
    this.lastBucket = best;
    this.bucketTop = (Math.floor(bt / w) + 1) * w;
    return best;
  }

  /** Take the earliest event out of its bucket; returns its slot. */
  private unlinkMin(): number {
    const i = this.findMin();
    const slot = this.head[i];
    const nx = this.nextOf[slot];
    this.head[i] = nx;
    if (nx < 0) this.tail[i] = -1;
    else this.prevOf[nx] = -1;
    return slot;
  }

  pop(): boolean {
    if (this.size === 0) return false;
    const slot = this.unlinkMin();
    this.popTime = this.time[slot];
    this.popKind = this.kinds[slot];
    this.popA = this.as[slot];
    this.popB = this.bs[slot];
    this.free[this.freeTop++] = slot;
    this.size--;
    if (this.size < this.nb / 2 && this.nb > 16) this.resize(this.nb / 2);
    else if (++this.ops >= 65536) {
      // Re-estimate the width when the queue has settled and each operation costs too much.
      if (this.work > 4 * this.ops) this.resize(this.nb);
      this.ops = 0;
      this.work = 0;
    }
    return true;
  }

  /** Rebuild with nb buckets and a width estimated from the earliest events. */
  private resize(nb: number): void {
    const n = this.size;
    const slots = new Int32Array(n);
    // Drain in order (stable), then re-insert in the same order.
    const times = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const slot = this.unlinkMin();
      slots[j] = slot;
      times[j] = this.time[slot];
    }
    // Width: 3 × the mean gap between distinct consecutive times among the first 512 events
    // (equal timestamps would otherwise collapse the estimate to 0).
    const k = Math.min(n, 512);
    let gaps = 0;
    let sum = 0;
    for (let j = 1; j < k; j++) {
      const d = times[j] - times[j - 1];
      if (d > 0) {
        sum += d;
        gaps++;
      }
    }
    let width = gaps > 0 ? Math.max(1, Math.round((3 * sum) / gaps)) : this.width;
    if (!Number.isFinite(width)) width = this.width;
    // Position the calendar at the last popped time: later pushes may be earlier than the
    // earliest pending event, but never earlier than "now".
    this.setBuckets(nb, width, n > 0 ? Math.min(times[0], this.popTime) : this.popTime);
    for (let j = 0; j < n; j++) this.insert(slots[j], times[j]);
    this.ops = 0;
    this.work = 0;
  }
}
