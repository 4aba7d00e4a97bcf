/**
 * The UET SACK: a cumulative ACK PSN (`CACK_PSN`, the next PSN the receiver still misses)
 * plus a 64-bit bitmap relative to `SACK_Base` (physics.md §4.3, spec §3.5.11.14). A set
 * bit i says "PSN base + i arrived"; a cleared bit says nothing.
 *
 * Base choice (htsim-UEC `UecSink::sackBitmapBase`): the window ends at the PSN that
 * triggered the ACK, `base = max(ackedPsn − 63, cum + 1)`, so the newest arrivals are
 * always covered. The base is not carried in the packet: the sender recomputes it from the
 * ACK's acked PSN and cumulative PSN with the same function.
 *
 * The 64 bits travel as two int32 halves (packet fields aux2 = bits 0–31, aux3 = 32–63).
 */
import type { ReceivedPsns } from './receivedPsns.ts';
import { lowestBit } from './bits.ts';

export { lowestBit };

/** SACK_Base for an ACK triggered by `ackedPsn` when the cumulative ACK is `cum`. */
export function sackBase(ackedPsn: number, cum: number): number {
  const b = ackedPsn - 63;
  return b > cum + 1 ? b : cum + 1;
}

/**
 * Encode flow f's bitmap for the 64 PSNs from `base` (≥ 0) into `out[0]` (bits 0–31) and
 * `out[1]` (bits 32–63): a funnel shift across the three words the window touches. PSNs past
 * the flow's last read as not received (receivedPsns.ts keeps spare zero words). No allocation.
 */
export function encodeSack(got: ReceivedPsns, f: number, base: number, out: Int32Array): void {
  const words = got.words;
  const w = got.wordOff[f] + (base >> 5);
  const s = base & 31;
  const w0 = words[w];
  const w1 = words[w + 1];
  if (s === 0) {
    out[0] = w0;
    out[1] = w1;
  } else {
    const w2 = words[w + 2];
    out[0] = (w0 >>> s) | (w1 << (32 - s));
    out[1] = (w1 >>> s) | (w2 << (32 - s));
  }
}

/** Is bit i (0–63) set in the bitmap (lo, hi)? */
export function sackBit(lo: number, hi: number, i: number): boolean {
  return i < 32 ? ((lo >>> i) & 1) !== 0 : ((hi >>> (i - 32)) & 1) !== 0;
}

/** The PSNs a SACK reports as received (for tests and debugging; allocates). */
export function decodeSack(base: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) if (sackBit(lo, hi, i)) out.push(base + i);
  return out;
}
