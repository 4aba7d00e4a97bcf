import type { Result } from '../../sim/metrics/result.ts';

/** What a benchmark run measured besides its result (runOne.ts, runOneThreaded.ts). */
export interface RunTiming {
  buildMs: number;
  runMs: number;
  peakPackets: number;
  /** JS heap plus typed-array stores grown by building and running (0 where not visible). */
  heapGrownBytes: number;
  /** RSS before building. */
  rss0: number;
}

/** The one JSON line a benchmark run prints for bench.ts. */
export function runRecord(r: Result, t: RunTiming): string {
  const fcts = r.flows
    .filter((f) => f.fctPs >= 0)
    .map((f) => f.fctPs / 1e6)
    .sort((a, b) => a - b);
  return `${JSON.stringify({
    scenarioHash: r.meta.scenarioHash,
    seed: r.meta.seed,
    buildMs: t.buildMs,
    runMs: t.runMs,
    wallMs: t.buildMs + t.runMs,
    events: r.meta.events,
    flowsDone: r.summary.flowsDone,
    flows: r.summary.flowsTotal,
    stopReason: r.meta.stopReason,
    fctP50Us: r.summary.fctUs.p50,
    fctP99Us: r.summary.fctUs.p99,
    fctMaxUs: r.summary.fctUs.max,
    /** Tail over ideal: the shape a larger fabric is checked against (bench.ts `shapeOf`). */
    slowdownP99: r.summary.slowdown.p99,
    fctUs: fcts,
    peakPackets: t.peakPackets,
    heapGrownBytes: t.heapGrownBytes,
    /** Memory grown by the run (peak RSS over RSS before building), for bytes per live packet. */
    grownBytes: process.resourceUsage().maxRSS * 1024 - t.rss0,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`;
}
