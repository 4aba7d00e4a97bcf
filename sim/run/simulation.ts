import type { Simulator } from '../engine/simulator.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Fabric, HostTransport } from '../net/fabric.ts';
import type { FlowTable } from '../transport/flows.ts';
import type { LatencyHistogram } from '../metrics/latencyHistogram.ts';
import type { QueueSampler } from '../metrics/queueSampler.ts';
import type { FlowTracer } from '../metrics/flowTracer.ts';
import type { FabricSeries } from '../metrics/fabricSeries.ts';
import type { CongestionAnalysis } from '../metrics/congestion.ts';
import type { PauseLog } from '../metrics/pauseLog.ts';
import type { FramingSizes } from '../metrics/ideal.ts';
import type { PartitionPlan } from '../net/partition.ts';
import type { Outbox } from '../net/outbox.ts';
import type { PlaneQps } from '../transport/roce/qpPlanes.ts';
import type { JobPlan } from '../workload/jobs.ts';

/** Everything a run is made of, built but not yet run (tests and analyses poke at it). */
export interface Simulation {
  scenario: Scenario;
  sim: Simulator;
  fabric: Fabric;
  flows: FlowTable;
  transport: HostTransport;
  latency: LatencyHistogram | null;
  sampler: QueueSampler | null;
  tracer: FlowTracer | null;
  congestion: CongestionAnalysis | null;
  /** Partitioned runs with the congestion analysis: this partition's pause log (replayed at the merge). */
  pauseLog: PauseLog | null;
  framing: FramingSizes;
  baseRttPs: number;
  planeBdpBytes: number;
  /** Partitioned runs: the cut, this partition, and its outboxes [parity][destination]. */
  plan: PartitionPlan | null;
  outboxSets: Outbox[][] | null;
  /** Partitioned runs asked for series.ndjson: this partition's series, sampled in its windows
   *  (parallel/window.ts) and joined at the merge. (An unpartitioned run's is the caller's.) */
  series?: FabricSeries | null;
  /** RoCE over planes: each QP's plane and the workload flow it belongs to (null otherwise). */
  qpPlanes?: PlaneQps | null;
  /** Jobs (collectives, jobs, traces) among the flows, for their metrics (sim/metrics/jobs.ts). */
  jobs: JobPlan[];
  /** Per flow: its job, the job's collective and the step (−1 for other flows); null without jobs. */
  flowTags: { job: Int32Array; op: Int32Array; step: Int32Array } | null;
  /** Several traffic classes (scenario.classes): per class, and each flow's class (null otherwise). */
  classes?: ClassInfo | null;
}

/** The traffic classes of a run (transport/mixed.ts): index 0 is the scenario's own transport. */
export interface ClassInfo {
  names: string[];
  transports: string[];
  priorities: number[];
  framings: FramingSizes[];
  /** Per flow of the run's table: its class. */
  classOf: Int8Array;
}
