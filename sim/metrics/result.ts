import type { FaultResult } from '../net/faults.ts';
/**
 * The result of one run: plain, JSON-serialisable data, identical wherever the run happened
 * (every field except meta.wallMs is deterministic).
 */
import type { CongestionResult } from './congestion.ts';
import type { Counters } from './counters.ts';
import type { JobResult } from './jobResult.ts';

export type { Counters };

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export interface FlowResult {
  id: number;
  src: number;
  dst: number;
  sizeBytes: number;
  startPs: number;
  /** Creation → last byte acknowledged at the sender; -1 if the flow did not finish. */
  fctPs: number;
  /** Size with headers over the bottleneck rate plus base RTT on an empty path. */
  idealFctPs: number;
  slowdown: number;
  retransmits: number;
  /** Payload bytes delivered to the receiving application by the end of the run (each byte once). */
  deliveredBytes: number;
  /** RoCE over planes: the plane this QP is bound to (docs/fabric-shapes.md "Planes"). */
  plane?: number;
  /** Multi-path RoCE: the workload flow this QP carries part of. */
  parent?: number;
  /** Flows of a job: its index in jobs[], the collective's in that job's collectives[], the algorithm's step. */
  job?: number;
  op?: number;
  step?: number;
  /** With traffic classes: the flow's class (index into Result.classes). */
  class?: number;
}

/** One traffic class of a run with several (docs/fabric-shapes.md "Traffic classes"). */
export interface ClassStat {
  name: string;
  transport: string;
  priority: number;
  flowsTotal: number;
  flowsDone: number;
  fctUs: Quantiles;
  slowdown: Quantiles;
  /** Packets of this class dropped, and cut to their header, at switches. */
  drops: number;
  trims: number;
  /** PAUSE frames that took effect on this priority, and the time they held ports. */
  pauses: number;
  pausedTimePs: number;
}

/** One plane of a multi-plane fabric (docs/fabric-shapes.md "Planes"). */
export interface PlaneStat {
  plane: number;
  /** Wire bytes sent on the plane's ports (NICs and switches). */
  txBytes: number;
  /** Bits sent ÷ (Σ port rates × simulated time), over the plane's ports. */
  utilisation: number;
  /** PAUSE frames that took effect on the plane's ports, and the time they held them. */
  pauses: number;
  pausedTimePs: number;
  /** RoCE: QPs bound to the plane. */
  qps?: number;
}

export interface PortPfcStat {
  /** Node that was paused (upstream, the sender of the paused traffic). */
  node: string;
  /** Node whose buffer sent the PAUSE. */
  peer: string;
  port: number;
  priority: number;
  pauses: number;
  pausedTimePs: number;
}

export interface Series {
  name: string;
  /** Sample times (ps). */
  t: number[];
  v: number[];
}

/** UET transport extras (sim/transport/uet/uet.ts): reordering seen by receivers, loss recovery, derived parameters. */
export interface UetReport {
  reorder: {
    /** Data packets accepted by receivers (first copies). */
    arrivals: number;
    /** Of those, packets that arrived while an earlier PSN was still missing. */
    outOfOrder: number;
    /** Reorder distance = PSN − cumulative expected PSN at arrival, over out-of-order arrivals. */
    maxDistance: number;
    p99Distance: number;
    meanDistance: number;
  };
  loss: {
    nacksReceived: number;
    /** Losses inferred from the SACKs (see the rule on UetTransportModel). */
    sackInferred: number;
    timeouts: number;
    /** Copies a receiver already had (spurious retransmissions). */
    duplicates: number;
  };
  params: {
    baseRttUs: number;
    planeBdpBytes: number;
    maxWndBytes: number;
    targetQdelayUs: number;
    rtoUs: number;
    reorderWindowUs: number;
    loadBalancing: string;
    cc: string;
    rccc: boolean;
  };
}

export interface Result {
  meta: {
    version: string;
    name: string;
    seed: number;
    scenarioHash: string;
    transport: string;
    hosts: number;
    switches: number;
    links: number;
    simTimePs: number;
    events: number;
    /** Wall-clock duration of the run: the only non-deterministic field, filled by the caller. */
    wallMs: number;
    stopReason: 'allFlowsDone' | 'timeLimit' | 'eventBudget' | 'idle' | 'cancelled' | 'deadlock' | 'stalled';
  };
  flows: FlowResult[];
  /** The event counters, with the packets still in flight at the end: `inFlight` of them, data
   *  (untrimmed payload packets) and control (everything else) apart. */
  counters: Counters & { inFlight: number; inFlightData: number; inFlightControl: number };
  /** Settings that are valid but most likely not meant, and what the run found that needs a
   *  look (a lossless class that dropped): one line each, also printed by the command line. */
  notes: string[];
  summary: {
    flowsTotal: number;
    flowsDone: number;
    fctUs: Quantiles;
    slowdown: Quantiles;
    /** Per-packet one-way latency (µs), from a histogram with ≤ 1 % relative error. */
    latencyUs: Quantiles;
  };
  pfc: PortPfcStat[];
  series: Series[];
  /** Congestion trees, victims and deadlocks (absent when metrics.congestion is off). */
  congestion?: CongestionResult;
  /** UET extras (present when transport.kind is uet). */
  uet?: UetReport;
  /** Per plane (present when topology.planes > 1). */
  planes?: PlaneStat[];
  /** Jobs: collectives, jobs and traces in the workload (sim/metrics/jobs.ts). */
  jobs?: JobResult[];
  /** What each scheduled fault did (present when the scenario has faults: docs/faults.md). */
  faults?: FaultResult[];
  /** Per traffic class (present when the scenario has classes). */
  classes?: ClassStat[];
  [extra: string]: unknown;
}
