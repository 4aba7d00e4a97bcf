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

/** SACK_Base for an ACK triggered by `ackedPsn` when the cumulative ACK is `cum`. */
export function sackBase(ackedPsn: number, cum: number): number {
  const b = ackedPsn - 63;
  return b > cum + 1 ? b : cum + 1;
}

/**
 * Encode the bitmap from a per-PSN "received" byte array (`got[off + psn] !== 0`) for the
 * 64 PSNs from `base`, never past `limit` (the flow's packet count). Writes the halves
 * into `out[0]` (bits 0–31) and `out[1]` (bits 32–63); no allocation.
 */
export function encodeSack(got: Uint8Array, off: number, base: number, limit: number, out: Int32Array): void {
  let lo = 0;
  let hi = 0;
  const end = Math.min(limit, base + 64);
  for (let p = base; p < end; p++) {
    if (got[off + p] === 0) continue;
    const i = p - base;
    if (i < 32) lo |= 1 << i;
    else hi |= 1 << (i - 32);
  }
  out[0] = lo;
  out[1] = hi;
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
