/**
 * What a UET receiver has got, per flow: one bit per PSN (physics.md §4.3: the receiver keeps
 * a bitmap and reports 64 bits of it in every SACK).
 *
 * Bits rather than a byte per PSN so that a SACK is read off two or three words
 * (sack.ts encodeSack) instead of 64 byte loads, and the whole set is about a sixth of the size
 * (78 KB instead of 500 KB for the 1024-host 2 MB permutation: 489 PSNs a flow, 16 + 3 words). Each flow's bits start on a word of their own and
 * have three spare words after them, so a 64-bit window that reaches past the flow's last
 * PSN reads zeros, never the next flow's bits (the furthest window starts at PSN npkts + 1,
 * an ACK's base once everything has arrived, and reads three words from there).
 */
import { lowestBit } from './bits.ts';

export class ReceivedPsns {
  readonly words: Int32Array;
  /** First word of flow f's bits. */
  readonly wordOff: Int32Array;

  constructor(npkts: Int32Array) {
    const n = npkts.length;
    this.wordOff = new Int32Array(n);
    let total = 0;
    for (let f = 0; f < n; f++) {
      this.wordOff[f] = total;
      total += ((npkts[f] + 31) >> 5) + 3;
    }
    this.words = new Int32Array(total);
  }

  has(f: number, psn: number): boolean {
    return (this.words[this.wordOff[f] + (psn >> 5)] & (1 << (psn & 31))) !== 0;
  }

  add(f: number, psn: number): void {
    this.words[this.wordOff[f] + (psn >> 5)] |= 1 << (psn & 31);
  }

  /** The first PSN ≥ from that flow f has not got, or limit if there is none below it. */
  firstMissing(f: number, from: number, limit: number): number {
    const words = this.words;
    const w0 = this.wordOff[f];
    let p = from;
    while (p < limit) {
      // Missing PSNs from p to the top of p's word as set bits (the bits shifted in above the
      // word's top count as missing, so a word's run of got PSNs is skipped at once).
      const s = p & 31;
      const missing = ~(words[w0 + (p >> 5)] >>> s);
      const k = missing === 0 ? 32 : lowestBit(missing);
      if (k < 32 - s) return p + k < limit ? p + k : limit;
      p += 32 - s;
    }
    return limit;
  }
}
