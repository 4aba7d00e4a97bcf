/** The middle value of `xs` (the upper one of the two middles when there are an even number). */
export function median(xs: number[]): number {
  return [...xs].sort((x, y) => x - y)[xs.length >> 1];
}
