/**
 * The run layer's wall clock, in ms: the one place in sim/ outside the command line that reads
 * one (docs/architecture.md#determinism). Its readers only measure a run for people —
 * `meta.wallMs`, the `--timing` report, the throttling of progress messages — and nothing they
 * read reaches the simulated network, which knows no time but its own picoseconds.
 */
export function wallClockMs(): number {
  return performance.now(); // wall clock: reports only, never the physics
}
