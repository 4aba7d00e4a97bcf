import type { Rng } from '../../engine/random.ts';

export type LoadBalancing = 'ecmp' | 'oblivious' | 'reps' | 'bitmap' | 'mixed';

/** Load-balancing constants (a const enum, so that they compile to immediates: net/packets.ts). */
const enum REPS {
  /** REPS circular-buffer size (htsim-UEC `repsBufferSize` = 8, physics.md §4.4). */
  REPS_BUFFER = 8,
  /** REPS leaves freeze mode this long after a timeout (htsim `exit_freeze_after` = 10 ms, §4.4). */
  REPS_EXIT_FREEZE_PS = 10e9,
  /** REPS explores this many random EVs after leaving freeze mode (htsim, §4.4). */
  REPS_EXPLORE = 16,
  /** Bitmap penalties per EV: ECN +1, NACK +4, timeout +15, capped at 15 (htsim `UecMpBitmap`, §4.4). */
  PEN_ECN = 1,
  PEN_NACK = 4,
  PEN_MAX = 15,
}

/**
 * Entropy (EV) choice per packet, one state per flow in typed arrays (physics.md §4.4,
 * htsim-UEC `uec_mp.cpp` descriptions):
 * - `ecmp`: one EV per flow, so per-flow ECMP.
 * - `oblivious`: `ev = (index XOR xor) mod N`, index cycling 0..N−1, a fresh random `xor`
 *   on each wrap — every EV once per cycle in a per-flow random order. (N not a power of
 *   two: the spec's random-offset modular counter `(index + offset) mod N` instead.)
 * - `reps`: EVs echoed by un-marked ACKs go into an 8-entry circular buffer; a packet takes
 *   the earliest fresh entry, else a random EV. On a timeout (trimming on) REPS freezes:
 *   it keeps re-using the buffered EVs (cycling, without consuming) until 10 ms pass, then
 *   forgets them and explores 16 random EVs.
 * - `bitmap`: the oblivious rotation, but an EV with a penalty (ECN +1, NACK +4,
 *   timeout +15, max 15) is decremented and skipped.
 * - `mixed`: REPS recycling first (a FIFO of EVs from un-marked ACKs), bitmap otherwise
 *   (htsim `UecMpMixed`, the htsim default). htsim's legacy REPS FIFO is unbounded; here it
 *   holds the latest 8 EVs (bounded per-flow state, in the spirit of REPS' "< 25 bytes").
 *
 * The ECMP hash in the switches takes (flow, EV), so htsim's random upper EV bits (a
 * per-flow constant) are not needed.
 */
export class EntropyChooser {
  private readonly n: number;
  private readonly pow2: boolean;
  private readonly kind: number;
  private readonly fixedEv: Int32Array;
  private readonly index: Int32Array;
  private readonly xor: Int32Array;
  // REPS / mixed buffer (REPS_BUFFER entries per flow).
  private readonly buf: Int32Array;
  private readonly bufFresh: Uint8Array;
  private readonly bufHead: Int32Array;
  private readonly bufCount: Int32Array;
  private readonly freshCount: Int32Array;
  private readonly frozenCursor: Int32Array;
  private readonly frozenUntil: Float64Array;
  private readonly explore: Int32Array;
  // Bitmap penalties (N per flow).
  private readonly penalty: Uint8Array;

  constructor(
    flows: number,
    scheme: LoadBalancing,
    evCount: number,
    private readonly rng: Rng,
    private readonly trimming: boolean,
  ) {
    this.n = evCount;
    this.pow2 = (evCount & (evCount - 1)) === 0;
    this.kind = ['ecmp', 'oblivious', 'reps', 'bitmap', 'mixed'].indexOf(scheme);
    this.fixedEv = new Int32Array(flows);
    this.index = new Int32Array(flows);
    this.xor = new Int32Array(flows);
    for (let f = 0; f < flows; f++) {
      this.fixedEv[f] = rng.int(evCount);
      this.xor[f] = rng.int(evCount);
    }
    const useBuf = scheme === 'reps' || scheme === 'mixed';
    this.buf = new Int32Array(useBuf ? flows * REPS.REPS_BUFFER : 0);
    this.bufFresh = new Uint8Array(useBuf ? flows * REPS.REPS_BUFFER : 0);
    this.bufHead = new Int32Array(flows);
    this.bufCount = new Int32Array(flows);
    this.freshCount = new Int32Array(flows);
    this.frozenCursor = new Int32Array(flows);
    this.frozenUntil = new Float64Array(flows).fill(-1);
    this.explore = new Int32Array(flows);
    this.penalty = new Uint8Array(scheme === 'bitmap' || scheme === 'mixed' ? flows * evCount : 0);
  }

  /** The EV for flow f's next packet (new or retransmitted). */
  next(f: number): number {
    switch (this.kind) {
      case 0:
        return this.fixedEv[f];
      case 1:
        return this.rotate(f);
      case 2:
        return this.nextReps(f);
      case 3:
        return this.nextBitmap(f);
      default: {
        const ev = this.takeOldest(f);
        return ev >= 0 ? ev : this.nextBitmap(f);
      }
    }
  }

  /** An ACK echoed `ev`, with the ECN-CE echo `ce`. */
  onAck(f: number, ev: number, ce: boolean, nowPs: number): void {
    switch (this.kind) {
      case 2:
        this.leaveFreezeIfDue(f, nowPs);
        if (!ce) this.push(f, ev);
        break;
      case 3:
        if (ce) this.penalise(f, ev, REPS.PEN_ECN);
        break;
      case 4:
        if (ce) this.penalise(f, ev, REPS.PEN_ECN);
        else this.push(f, ev);
        break;
    }
  }

  /** A trim NACK came back for a packet sent on `ev`. */
  onNack(f: number, ev: number): void {
    if (this.kind === 3 || this.kind === 4) this.penalise(f, ev, REPS.PEN_NACK);
  }

  /** A packet sent on `ev` timed out. */
  onTimeout(f: number, ev: number, nowPs: number): void {
    if (this.kind === 3 || this.kind === 4) this.penalise(f, ev, REPS.PEN_MAX);
    else if (this.kind === 2 && this.trimming && this.frozenUntil[f] < 0 && this.explore[f] === 0) {
      // htsim enters freeze mode only with trimming on (REPS relies on trims to tell
      // congestion from failure); without trimming a timeout leaves REPS as it is.
      this.frozenUntil[f] = nowPs + REPS.REPS_EXIT_FREEZE_PS;
      this.frozenCursor[f] = 0;
    }
  }

  /**
   * A packet sent on `ev` was lost without a trim (SACK-inferred): with trimming on, a drop is
   * not congestion but a failed or lossy path, so it counts as htsim counts a timeout (bitmap
   * +15, REPS freezes); without trimming, as a NACK (+4). Oblivious and ECMP do not react.
   */
  onLoss(f: number, ev: number, nowPs: number): void {
    if (this.trimming) this.onTimeout(f, ev, nowPs);
    else this.onNack(f, ev);
  }

  // ------------------------------------------------------------------ schemes

  private rotate(f: number): number {
    const n = this.n;
    const i = this.index[f];
    const ev = this.pow2 ? (i ^ this.xor[f]) & (n - 1) : (i + this.xor[f]) % n;
    if (i + 1 === n) {
      this.index[f] = 0;
      this.xor[f] = this.rng.int(n);
    } else this.index[f] = i + 1;
    return ev;
  }

  private nextBitmap(f: number): number {
    const base = f * this.n;
    let ev = this.rotate(f);
    if (this.penalty[base + ev] === 0) return ev;
    // Decrement the first penalised EV met, then skip penalised EVs (at most one full cycle).
    this.penalty[base + ev]--;
    for (let k = 0; k < this.n; k++) {
      ev = this.rotate(f);
      if (this.penalty[base + ev] === 0) return ev;
    }
    return ev;
  }

  private penalise(f: number, ev: number, p: number): void {
    const i = f * this.n + ev;
    const v = this.penalty[i] + p;
    this.penalty[i] = v > REPS.PEN_MAX ? REPS.PEN_MAX : v;
  }

  private leaveFreezeIfDue(f: number, nowPs: number): void {
    if (this.frozenUntil[f] >= 0 && nowPs > this.frozenUntil[f]) {
      this.frozenUntil[f] = -1;
      this.bufCount[f] = 0;
      this.freshCount[f] = 0;
      this.explore[f] = REPS.REPS_EXPLORE;
    }
  }

  private nextReps(f: number): number {
    if (this.explore[f] > 0) {
      this.explore[f]--;
      return this.rng.int(this.n);
    }
    const count = this.bufCount[f];
    if (this.frozenUntil[f] >= 0) {
      if (count === 0) return this.rng.int(this.n);
      // Frozen: cycle over the remembered EVs without consuming them.
      const c = this.frozenCursor[f] % count;
      this.frozenCursor[f] = c + 1;
      const oldest = (this.bufHead[f] - count + REPS.REPS_BUFFER) % REPS.REPS_BUFFER;
      return this.buf[f * REPS.REPS_BUFFER + ((oldest + c) % REPS.REPS_BUFFER)];
    }
    if (this.freshCount[f] === 0) return this.rng.int(this.n);
    // The earliest fresh entry, oldest first.
    const base = f * REPS.REPS_BUFFER;
    const oldest = (this.bufHead[f] - count + REPS.REPS_BUFFER) % REPS.REPS_BUFFER;
    for (let k = 0; k < count; k++) {
      const j = base + ((oldest + k) % REPS.REPS_BUFFER);
      if (this.bufFresh[j] !== 0) {
        this.bufFresh[j] = 0;
        this.freshCount[f]--;
        return this.buf[j];
      }
    }
    return this.rng.int(this.n);
  }

  /** Add an EV to the circular buffer (overwriting the oldest when full), marked fresh. */
  private push(f: number, ev: number): void {
    const j = f * REPS.REPS_BUFFER + this.bufHead[f];
    if (this.bufCount[f] === REPS.REPS_BUFFER) {
      if (this.bufFresh[j] !== 0) this.freshCount[f]--;
    } else this.bufCount[f]++;
    this.buf[j] = ev;
    this.bufFresh[j] = 1;
    this.freshCount[f]++;
    this.bufHead[f] = (this.bufHead[f] + 1) % REPS.REPS_BUFFER;
  }

  /** Mixed: consume the oldest recycled EV (FIFO), or -1 when none. */
  private takeOldest(f: number): number {
    const count = this.bufCount[f];
    if (count === 0) return -1;
    const j = f * REPS.REPS_BUFFER + ((this.bufHead[f] - count + REPS.REPS_BUFFER) % REPS.REPS_BUFFER);
    this.bufCount[f] = count - 1;
    if (this.bufFresh[j] !== 0) {
      this.bufFresh[j] = 0;
      this.freshCount[f]--;
    }
    return this.buf[j];
  }
}
