import type { CollectiveKind } from '../workload/collectives/algorithms.ts';

/**
 * The per-job part of a Result (filled by sim/metrics/jobs.ts). Plain, JSON-serialisable data;
 * imports nothing of result.ts, which includes it.
 */

/** Nearest-rank quantiles, as result.ts Quantiles. */
export interface JobQuantiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export interface CollectiveResult {
  name: string;
  iteration: number;
  kind: CollectiveKind | 'sendRecv';
  algorithm: string;
  sizeBytes: number;
  ranks: number;
  channels: number;
  chunks: number;
  /** Transfers (flows) it was made of. */
  transfers: number;
  /** Its first rank issued it (ps); −1 if it never was. */
  startPs: number;
  /** Its last transfer acknowledged, plus a hierarchical form's intra-node all-gather; −1 if unfinished. */
  endPs: number;
  timePs: number;
  /** nccl-tests: algbw = S / t (GB/s, 10^9 B), busbw = algbw × the collective's factor (§3). */
  algbwGBps: number;
  busbwGBps: number;
  /** α–β estimate on an idle fabric at line rate (see idealCollectivePs). */
  idealPs: number;
  slowdown: number;
}

export interface JobResult {
  name: string;
  kind: 'collective' | 'job' | 'chakra';
  hosts: number[];
  iterations: number;
  startPs: number;
  /** The last rank's end of the last iteration; −1 if unfinished. */
  endPs: number;
  completionPs: number;
  /** Each iteration's time: its end minus the previous iteration's end (the job's start for the first). */
  iterationPs: number[];
  /** JobQuantiles of iterationPs in µs (nearest rank). */
  iterationUs: JobQuantiles;
  collectives: CollectiveResult[];
  /** The same job alone on the fabric (filled by the run layer when it ran it: sim/run/jobsAlone.ts). */
  alone?: { completionPs: number; iterationUs: JobQuantiles };
  /** completionPs over the alone run's. */
  slowdownVsAlone?: number;
}
