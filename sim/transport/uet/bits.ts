/** Index (0–31) of the lowest set bit of a nonzero int32. (imul negates without the int32
 *  overflow check -w has for bit 31 alone, which deoptimised the caller once per isolate.) */
export function lowestBit(w: number): number {
  return 31 - Math.clz32(w & Math.imul(w, -1));
}
