import { Simulator, type StopConditions, type StopReason } from '../engine/simulator.ts';
import { RandomStreams } from '../engine/random.ts';
import type { Scenario } from '../scenario/schema.ts';
import { scenarioHash } from '../scenario/hash.ts';
import { buildTopology } from '../topology/index.ts';
import { buildFlows, buildWorkload, type JobPlan } from '../workload/index.ts';
import { hostLeaves } from '../workload/collectives/placement.ts';
import { jobResults } from '../metrics/jobs.ts';
import { aloneScenarios, applyAlone } from './jobsAlone.ts';
import { Fabric, type HostTransport } from '../net/fabric.ts';
import { buildPortTiming } from '../net/portTiming.ts';
import { checkPfcReservation, resolveFabricConfig } from '../net/fabricConfig.ts';
import { WIRE } from '../net/packets.ts';
import { FlowTable, type FlowSpec } from '../transport/flows.ts';
import { RoceTransportModel } from '../transport/roce/roce.ts';
import { UetTransportModel } from '../transport/uet/uet.ts';
import { bindQps, splitAcrossPlanes, type PlaneQps } from '../transport/roce/qpPlanes.ts';
import { MixedTransport, classView } from '../transport/mixed.ts';
import type { ClassInfo } from './simulation.ts';
import { LatencyHistogram } from '../metrics/latencyHistogram.ts';
import { baseRttPs, idealFctPs, pathPorts, type FramingSizes } from '../metrics/ideal.ts';
import { QueueSampler } from '../metrics/queueSampler.ts';
import { FlowTracer } from '../metrics/flowTracer.ts';
import { FabricSeries } from '../metrics/fabricSeries.ts';
import { CongestionAnalysis } from '../metrics/congestion.ts';
import { PauseLog } from '../metrics/pauseLog.ts';
import { StallWatchdog } from '../transport/stallWatchdog.ts';
import { quantiles } from '../metrics/summary.ts';
import type { ClassStat, FlowResult, PlaneStat, PortPfcStat, Result } from '../metrics/result.ts';
import { VERSION } from '../version.ts';
import { checkSize, DEFAULT_MEMORY_LIMIT_BYTES, type SizeEstimate } from '../scenario/estimate.ts';
import { InputError } from '../scenario/inputError.ts';
import { outboxCapacity, planPartitions, windowFor, PartitionError, type PartitionPlan } from '../net/partition.ts';
import { Outbox } from '../net/outbox.ts';
import { FaultLog, resolveFaults, type FaultPlan } from '../net/faults.ts';
import { runPartitionsInOneThread } from './parallel/sequential.ts';
import { absorbPartials, partialOf } from './parallel/merge.ts';
import type { Simulation } from './simulation.ts';
import { runNotes } from './runNotes.ts';

export type { Simulation };

export interface Progress {
  simTimePs: number;
  events: number;
  flowsDone: number;
  flowsTotal: number;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  /** Report progress (and poll isCancelled) every this many events (default 65536). */
  progressEveryEvents?: number;
  isCancelled?: () => boolean;
  /** Reads CDF files named by path (absent in a browser). */
  readText?: (path: string) => string;
  /** Refuse scenarios estimated to need more (default: ETHERSIM_MAX_MEMORY_MB, else 8 GiB). */
  maxMemoryBytes?: number;
  /**
   * Called when the simulation is built and when its events have run (the command line's
   * --timing reads the wall clock there; the model never does). A partitioned run in this
   * thread calls it too; a threaded one has ThreadedRunOptions.onBuilt and onRunEnd.
   */
  onPhase?: (phase: 'built' | 'ran') => void;
  /** Build partition `lp` of a partitioned run (sim/run/parallel/), not the whole fabric. */
  partition?: PartitionSpec;
  /**
   * Record the fabric over time (sim/metrics/fabricSeries.ts) and hand over its NDJSON text as
   * lines (`series.ndjson`, written line by line by `--out`: FabricSeries.ndjsonLines). A
   * partitioned run records a series per partition and joins them (parallel/merge.ts).
   */
  onSeries?: (lines: readonly string[]) => void;
}

/** Which partition to build, and where its outboxes live. */
export interface PartitionSpec {
  lp: number;
  /**
   * Its outboxes (two sets, [parity][destination partition], used in alternate windows so that
   * a partition in another thread can read one set while this one fills the other) in
   * SharedArrayBuffers, for a threaded run (sim/run/parallel/threads.ts); else ArrayBuffers.
   */
  shared?: boolean;
  /** Record this partition's part of the fabric's series (Simulation.series). */
  series?: boolean;
}

/** The smallest frame any port can send (PFC, ACKs, trimmed headers, a 1-byte data packet). */
export function minFrameBytes(s: Scenario): number {
  const f = framingOf(s);
  return Math.min(
    WIRE.PFC_FRAME_BYTES,
    f.ackBytes,
    f.headerBytes + 1,
    s.switch.trimming.headerBytes,
    WIRE.ROCE_CNP_BYTES,
  );
}

function memoryLimit(options: RunOptions): number {
  if (options.maxMemoryBytes !== undefined) return options.maxMemoryBytes;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.ETHERSIM_MAX_MEMORY_MB;
  if (env === undefined || env === '') return DEFAULT_MEMORY_LIMIT_BYTES;
  // A limit that is not a number must not pass for "no limit given".
  if (!(Number(env) > 0)) throw new InputError(`ETHERSIM_MAX_MEMORY_MB: expected a number of MiB > 0, got "${env}"`);
  return Number(env) * 1024 ** 2;
}

/** Wire bytes per frame beyond the frame itself (preamble/SFD + IFG), as the scenario's `wire` block says. */
export function wireOverheadBytes(s: Scenario): number {
  return s.wire?.preambleIfg === false ? 0 : WIRE.OVERHEAD_BYTES;
}

/** Header bytes of a transport's data packets (RoCE: fixed; UET: transport.headerBytes). */
function dataHeaderBytes(t: Scenario['transport']): number {
  return t.kind === 'roce' ? WIRE.ROCE_HEADER_BYTES : t.headerBytes;
}

/**
 * The transport as the models take it: with `wire.headersInMtu`, transport.mtuBytes is the whole
 * packet, so the payload per packet is mtuBytes − headers (refused when nothing is left).
 */
export function effectiveTransport(s: Scenario, t: Scenario['transport'] = s.transport): Scenario['transport'] {
  if (s.wire?.headersInMtu !== true) return t;
  const hdr = dataHeaderBytes(t);
  if (t.mtuBytes <= hdr)
    throw new InputError(
      `transport.mtuBytes: ${t.mtuBytes} with wire.headersInMtu: true leaves no payload after ${hdr} B of headers; expected more than ${hdr}`,
    );
  return { ...t, mtuBytes: t.mtuBytes - hdr };
}

/** Framing of the scenario's transport: payload, header and ACK bytes, and the per-frame wire overhead. */
export function framingOf(s: Scenario): FramingSizes {
  return framingOfTransport(effectiveTransport(s), wireOverheadBytes(s));
}

/** Framing of one transport (the scenario's own or a traffic class's), already as effectiveTransport gives it. */
function framingOfTransport(t: Scenario['transport'], overheadBytes: number): FramingSizes {
  if (t.kind === 'roce')
    return { mtuBytes: t.mtuBytes, headerBytes: WIRE.ROCE_HEADER_BYTES, ackBytes: WIRE.ROCE_ACK_BYTES, overheadBytes };
  return { mtuBytes: t.mtuBytes, headerBytes: t.headerBytes, ackBytes: t.headerBytes, overheadBytes };
}

const DEPENDENT_FLOWS =
  'engine.partitions: a partitioned run needs flows that do not wait on others (ringAllReduce steps, collectives and jobs do); use engine.partitions: 1';

/** What a simulation is built from, before anything that runs: shared by buildSimulation and checkScenario. */
export interface Statics {
  /** The size estimate the scenario passed (scenario/estimate.ts). */
  size: SizeEstimate;
  streams: RandomStreams;
  graph: ReturnType<typeof buildTopology>;
  timing: ReturnType<typeof buildPortTiming>;
  framing: FramingSizes;
  /** Ports of the longest host-to-host path (from host 0). */
  longest: number[];
  rtt: number;
  planeBdpBytes: number;
  cfg: ReturnType<typeof resolveFabricConfig>;
  flowSpecs: FlowSpec[];
  jobs: JobPlan[];
  faultPlan: FaultPlan | null;
  /** Flows of each further traffic class (scenario.classes), in order; [] without classes. */
  classSpecs: FlowSpec[][];
}

/**
 * The size estimate, the topology and its timing, the switch configuration (refused when PFC
 * would reserve more than the buffer) and the workload (host indices, incast senders, CDFs):
 * everything that can make a valid scenario unbuildable, short of the fabric's own state.
 */
export function buildStatics(scenario: Scenario, options: Pick<RunOptions, 'readText' | 'maxMemoryBytes'>): Statics {
  const size = checkSize(scenario, memoryLimit(options));
  const streams = new RandomStreams(scenario.seed);
  const graph = buildTopology(scenario.topology, scenario.links);
  const timing = buildPortTiming(graph, Math.round(scenario.switch.latencyNs * 1000));
  const framing = framingOf(scenario);
  // Base RTT on the longest host-to-host path (NSCC config_base_rtt, physics.md §4.7): from
  // host 0 to the host farthest from it (the topologies built here are symmetric).
  let longest = [timing.routes.hostNicPort[0]];
  for (let h = 1; h < (graph.hostsPerPlane ?? graph.hostCount); h++) {
    const p = pathPorts(timing, 0, h);
    if (p.length > longest.length) longest = p;
  }
  const rtt = graph.hostCount > 1 ? baseRttPs(timing, longest, framing) : 0;
  let minRate = Infinity;
  for (const p of longest) minRate = Math.min(minRate, timing.rateBps[p]);
  const planeBdpBytes = Math.round((minRate * rtt) / 8e12);
  const cfg = resolveFabricConfig(scenario, graph, {
    maxFrameBytes: framing.mtuBytes + framing.headerBytes,
    overheadBytes: framing.overheadBytes,
    planeBdpBytes,
  });
  checkPfcReservation(cfg, graph);
  // Workload streams are named, so drawing them here rather than after the fabric changes nothing.
  const nicBps = timing.rateBps[timing.routes.hostNicPort[0]];
  // With planes the workload addresses hosts, not NIC ports (topology/planes.ts).
  const hosts = graph.hostsPerPlane ?? graph.hostCount;
  const { flows: flowSpecs, jobs } = buildWorkload(
    scenario.workload,
    hosts,
    nicBps,
    streams,
    options.readText,
    hostLeaves(graph),
  );
  if ((graph.planes ?? 1) > 1 && scenario.engine.partitions > 1)
    throw new InputError(
      'engine.partitions: a multi-plane fabric (topology.planes > 1) runs in one partition; use engine.partitions: 1',
    );
  const classSpecs = (scenario.classes ?? []).map((c, i) =>
    buildFlows(c.workload, hosts, nicBps, classStreams(streams, i + 1), options.readText),
  );
  if (scenario.classes !== undefined) checkClasses(scenario, graph.planes ?? 1);
  if (scenario.transport.kind === 'roce' && scenario.transport.multipath === true && (graph.planes ?? 1) === 1)
    throw new InputError('transport.multipath: spreads a flow over planes; it needs topology.planes ≥ 2');
  // Faults: links named or drawn by a seeded selector (stream 'faults/select'), refused in a
  // partitioned run (every partition would have to agree on the link state at each window).
  const faults = scenario.faults ?? [];
  if (faults.length > 0 && scenario.engine.partitions > 1)
    throw new InputError('faults: a partitioned run cannot take links down yet; use engine.partitions: 1');
  const faultPlan = faults.length > 0 ? resolveFaults(faults, graph, streams.stream('faults/select')) : null;
  return {
    size,
    streams,
    graph,
    timing,
    framing,
    longest,
    rtt,
    planeBdpBytes,
    cfg,
    flowSpecs,
    jobs,
    faultPlan,
    classSpecs,
  };
}

/**
 * Everything that can make a valid scenario unbuildable, checked without building it (`ethersim
 * validate`): buildStatics, and the partition cut. Throws what buildSimulation would.
 */
export function checkScenario(scenario: Scenario, options: Pick<RunOptions, 'readText' | 'maxMemoryBytes'> = {}): void {
  const { graph, timing, flowSpecs } = buildStatics(scenario, options);
  if (scenario.engine.partitions > 1) {
    planPartitions(graph, timing, scenario.engine.partitions);
    if (flowSpecs.some((f) => f.after !== undefined || f.deps !== undefined)) throw new PartitionError(DEPENDENT_FLOWS);
  }
}

export function buildSimulation(
  scenario: Scenario,
  options: RunOptions = {},
  /** buildStatics' result for this scenario, when the caller has it (the partitions of one
   *  thread share it: buildPartitions). Only read here. */
  prebuilt?: Statics,
): Simulation {
  const statics = prebuilt ?? buildStatics(scenario, options);
  const { streams, graph, timing, framing, longest, rtt, planeBdpBytes, cfg, flowSpecs, jobs, faultPlan, classSpecs } =
    statics;
  const sim = new Simulator();
  // Streams drawn while the run goes (RED marks, UET entropy) are the partition's own in a
  // partitioned run: two partitions drawing one sequence would give their packets correlated
  // choices. Streams drawn while building (ECMP seeds, QP source ports, workloads) are shared,
  // so that every partition builds the same fabric and flows.
  const live = (name: string) =>
    streams.stream(options.partition !== undefined ? `${name}#p${options.partition.lp}` : name);
  const fabric = new Fabric(
    sim,
    graph,
    timing,
    cfg,
    live('ecn/red'),
    (n) => streams.stream(`ecmp/${graph.nodeNames[n]}`).uint32() | 0,
    cfg.routingMode !== 0 ? live('routing/adaptive') : null,
  );
  // Room for the packets the estimate allows (a partition's share of them), so that the pool
  // need not double its way up (net/packets.ts reserve).
  fabric.pool.reserve(Math.ceil(statics.size.packets / scenario.engine.partitions));
  const t = effectiveTransport(scenario);
  const planes = graph.planes ?? 1;
  // RoCE: each QP's UDP source port is its entropy (physics.md §3.1), drawn before the flow table
  // so that, over planes, it can also name the QP's plane (transport/roce/qpPlanes.ts).
  let specs = flowSpecs;
  let evs: Int32Array | null = null;
  let qpPlanes: PlaneQps | null = null;
  if (t.kind === 'roce') {
    const split = planes > 1 && t.multipath === true ? splitAcrossPlanes(flowSpecs, planes) : null;
    if (split !== null) specs = split.specs;
    // A job's QPs draw from the job's own stream, so that its paths do not depend on the traffic
    // beside it (jobs' flows come after the others': those draw what they drew before jobs existed).
    const evRng = streams.stream('roce/qp-source-port');
    const jobRngs = jobs.map((j) => streams.stream(`roce/qp-source-port/job-${j.name}`));
    evs = Int32Array.from(specs, (f) => (f.job === undefined ? evRng : jobRngs[f.job]).int(65536));
    if (planes > 1) {
      const seed = streams.stream('roce/plane-hash').uint32() | 0;
      qpPlanes = bindQps(specs, evs, planes, graph.hostsPerPlane!, seed, split);
      specs = qpPlanes.specs;
    }
  }
  // Traffic classes: the run's flow table holds every class's flows, each class a part of it.
  const perClass = [specs, ...classSpecs];
  if (classSpecs.length > 0) specs = perClass.flat().map(({ after: _a, deps: _d, depLagPs: _l, ...f }) => f);
  const flows = new FlowTable(specs, sim);
  const part = options.partition;
  let plan: PartitionPlan | null = null;
  let outboxSets: Outbox[][] | null = null;
  if (part !== undefined) {
    plan = planPartitions(graph, timing, scenario.engine.partitions);
    if (flows.hasDependencies) throw new PartitionError(DEPENDENT_FLOWS);
    const minWire = minFrameBytes(scenario) + framing.overheadBytes;
    plan.windowPs = windowFor(plan, timing, minWire);
    outboxSets = [0, 1].map(() =>
      Array.from({ length: plan!.count }, (_, dst) => {
        const cap = dst === part.lp ? 0 : outboxCapacity(plan!, timing, minWire, part.lp, dst);
        const buf =
          part.shared === true ? new SharedArrayBuffer(Outbox.bytesFor(cap)) : new ArrayBuffer(Outbox.bytesFor(cap));
        return new Outbox(buf);
      }),
    );
    fabric.setPartition(plan, part.lp, outboxSets[0]);
    flows.setPartition(plan.nodeLp, part.lp);
  }
  const latency = scenario.metrics.latency ? new LatencyHistogram() : null;
  let transport: HostTransport;
  let classes: ClassInfo | null = null;
  if (classSpecs.length > 0) {
    // One transport per class, each on its own view of the fabric (transport/mixed.ts).
    const all = [t, ...scenario.classes!.map((c) => effectiveTransport(scenario, c.transport))];
    const classOf = new Int8Array(flows.count);
    let offset = 0;
    const subs = all.map((tc, i) => {
      const view = classView(fabric, i);
      const mine = new FlowTable(perClass[i], view.sim, { parent: flows, offset });
      classOf.fill(i, offset, offset + mine.count);
      offset += mine.count;
      const prefix = i === 0 ? '' : `class${i}/`;
      if (tc.kind === 'roce') {
        const rng = streams.stream(`${prefix}roce/qp-source-port`);
        const qpEv = Int32Array.from({ length: mine.count }, () => rng.int(65536));
        return new RoceTransportModel(view, mine, tc, latency, (f) => qpEv[f], planeBdpBytes, rtt);
      }
      return new UetTransportModel(view, mine, tc, latency, {
        baseRttPs: rtt,
        planeBdpBytes,
        pathQueues: longest.length - 1,
        evRng: live(`${prefix}uet/entropy`),
      });
    });
    transport = new MixedTransport(
      fabric,
      subs,
      all.map((tc) => tc.priority),
    );
    classes = {
      names: ['main', ...scenario.classes!.map((c) => c.name)],
      transports: all.map((tc) => tc.kind),
      priorities: all.map((tc) => tc.priority),
      framings: all.map((tc) => framingOfTransport(tc, wireOverheadBytes(scenario))),
      classOf,
    };
  } else if (t.kind === 'roce') {
    const qpEv = evs!;
    transport = new RoceTransportModel(fabric, flows, t, latency, (f) => qpEv[f], planeBdpBytes, rtt);
  } else {
    transport = new UetTransportModel(fabric, flows, t, latency, {
      baseRttPs: rtt,
      planeBdpBytes,
      pathQueues: longest.length - 1,
      evRng: live('uet/entropy'),
      nicPorts: planes,
    });
    // UET sprays over its NIC's planes (net/fabric.ts sprayPlanes).
    if (planes > 1) fabric.enableSprayPlanes();
  }
  fabric.transport = transport;
  if (faultPlan !== null) {
    const t = transport as RoceTransportModel | UetTransportModel;
    fabric.hasPsn = t.hasPsn.bind(t);
    // routing.convergenceUs (schema: 900 ms, FRR's default BFD detection, fabric-realism.md §4).
    fabric.enableFaults(
      faultPlan,
      new FaultLog(faultPlan),
      live('faults/loss'),
      Math.round((scenario.routing?.convergenceUs ?? 900_000) * 1e6),
    );
  }
  const sampler =
    scenario.metrics.queueSampleNs !== undefined
      ? new QueueSampler(
          fabric,
          flows,
          scenario.metrics.queueSampleNs,
          scenario.metrics.maxSamples,
          !scenario.stop.allFlowsDone,
        )
      : null;
  fabric.sampler = sampler;
  const m = scenario.metrics;
  const tracer =
    m.flowTraceNs !== undefined
      ? new FlowTracer(
          fabric,
          flows,
          (m.traceFlows ?? [...Array(Math.min(16, flows.count)).keys()]).filter((f) => f < flows.count),
          m.flowTraceNs,
          m.maxSamples,
          !scenario.stop.allFlowsDone,
        )
      : null;
  fabric.tracer = tracer;
  // A partitioned run checks for stalls at window ends, over all partitions (sim/run/parallel/).
  fabric.watchdog =
    part === undefined ? new StallWatchdog(fabric, flows, Math.round(scenario.stop.stallUs * 1e6)) : null;
  let congestion: CongestionAnalysis | null = null;
  let pauseLog: PauseLog | null = null;
  if (m.congestion) {
    const waiting = transport.waitingFlows?.bind(transport) ?? (() => []);
    const entropy = transport.flowEntropy?.bind(transport) ?? (() => 0);
    if (part === undefined) {
      congestion = CongestionAnalysis.live(fabric, flows, Math.round(m.deadlockTimeoutUs * 1e6), waiting, entropy);
      fabric.pauseObserver = congestion;
    } else {
      // A partition sees its own ports only: it logs, and the merge replays every log (pauseLog.ts).
      pauseLog = new PauseLog(fabric, waiting);
      fabric.pauseObserver = pauseLog;
    }
  }
  return {
    scenario,
    sim,
    fabric,
    flows,
    transport,
    latency,
    sampler,
    tracer,
    congestion,
    pauseLog,
    framing,
    baseRttPs: rtt,
    planeBdpBytes,
    plan,
    outboxSets,
    series: part?.series === true ? new FabricSeries(fabric, flows, true) : null,
    qpPlanes,
    jobs,
    flowTags: jobs.length ? flowTagsOf(specs) : null,
    classes,
  };
}

/** Each flow's job, collective and step (−1 for flows of no job). */
function flowTagsOf(specs: FlowSpec[]): NonNullable<Simulation['flowTags']> {
  const job = new Int32Array(specs.length).fill(-1);
  const op = new Int32Array(specs.length).fill(-1);
  const step = new Int32Array(specs.length).fill(-1);
  specs.forEach((f, i) => {
    if (f.job === undefined) return;
    job[i] = f.job;
    op[i] = f.op ?? -1;
    step[i] = f.step ?? -1;
  });
  return { job, op, step };
}

/** Run a validated scenario to completion and return its result (meta.wallMs is left 0 for the caller). */
export function runScenario(scenario: Scenario, options: RunOptions = {}): Result {
  if (scenario.engine.partitions > 1) return runPartitionedScenario(scenario, options);
  const s = buildSimulation(scenario, options);
  const series = options.onSeries ? new FabricSeries(s.fabric, s.flows) : null;
  options.onPhase?.('built');
  const reason = runSimulation(s, options, series);
  options.onPhase?.('ran');
  const result = collectResult(s, reason);
  const lines = seriesLinesOf(series, result);
  if (lines !== undefined) options.onSeries!(lines);
  if (reason !== 'cancelled') {
    const alone = aloneScenarios(scenario).map((a) => ({
      job: a.job,
      result: runScenario(a.scenario, { ...options, onProgress: undefined, onSeries: undefined, onPhase: undefined }),
    }));
    applyAlone(result, alone);
  }
  return result;
}

/** The scenario's stop conditions as the engine takes them. */
export function stopLimits(s: Simulation): StopConditions {
  const stop = s.scenario.stop;
  return {
    timeLimitPs: stop.timeUs !== undefined ? Math.round(stop.timeUs * 1e6) : Infinity,
    maxEvents: stop.maxEvents ?? Infinity,
  };
}

/** The stall watchdog's period (ps). */
export function stallPsOf(s: Simulation): number {
  return Math.round(s.scenario.stop.stallUs * 1e6);
}

/** Work after the last event, before the result is collected (open pause intervals closed). */
export function finishSimulation(s: Simulation): void {
  s.fabric.finishPauses();
}

/** The series file's lines, its meta line naming the run it belongs to. */
export function seriesLines(series: FabricSeries, result: Result): string[] {
  return series.ndjsonLines({ name: result.meta.name, seed: result.meta.seed, scenarioHash: result.meta.scenarioHash });
}

/** seriesLines when there is a series to write: none for a run without one, or one cancelled. */
export function seriesLinesOf(series: FabricSeries | null, result: Result): string[] | undefined {
  return series !== null && result.meta.stopReason !== 'cancelled' ? seriesLines(series, result) : undefined;
}

/** seriesLinesOf in one string (for the page; the CLI writes the lines). */
export function seriesTextOf(series: FabricSeries | null, result: Result): string | undefined {
  return seriesLinesOf(series, result)?.join('');
}

/**
 * Run in time slices ending at the series' sample times, sampling at each (the engine stops
 * before the first event past the limit and the next slice resumes there, so the run is the
 * one unsliced run would be). Returns the engine's stop reason.
 */
export function runSliced(
  s: Simulation,
  limits: StopConditions,
  series: FabricSeries,
  run: (limits: StopConditions) => StopReason,
): StopReason {
  const endPs = limits.timeLimitPs;
  for (;;) {
    const reason = run({ timeLimitPs: Math.min(endPs, series.nextPs), maxEvents: limits.maxEvents });
    if (reason === 'timeLimit' && s.sim.now < endPs) {
      series.sample();
      continue;
    }
    series.finish();
    return reason;
  }
}

export function runSimulation(s: Simulation, options: RunOptions = {}, series: FabricSeries | null = null): StopReason {
  const { sim, flows } = s;
  const between = () => {
    options.onProgress?.({
      simTimePs: sim.now,
      events: sim.events,
      flowsDone: flows.doneCount,
      flowsTotal: flows.count,
    });
    return options.isCancelled?.() ?? false;
  };
  const every = options.progressEveryEvents ?? 65536;
  const reason = series
    ? runSliced(s, stopLimits(s), series, (l) => sim.run(s.fabric, l, between, every))
    : sim.run(s.fabric, stopLimits(s), between, every);
  finishSimulation(s);
  return reason;
}

// ------------------------------------------------------------------ partitioned runs (sim/run/parallel/)

/** Every partition of a partitioned scenario, built in this thread. */
export function buildPartitions(
  scenario: Scenario,
  options: RunOptions = {},
  /** Record series.ndjson (each partition its part: Simulation.series). */
  series = options.onSeries !== undefined,
): Simulation[] {
  // The topology, its routes and timing, the switch configuration and the workload once for
  // all of them: the partitions only read them.
  const statics = buildStatics(scenario, options);
  return Array.from({ length: scenario.engine.partitions }, (_, lp) =>
    buildSimulation(scenario, { ...options, partition: { lp, series } }, statics),
  );
}

/** A partitioned scenario with its partitions taking turns in this thread (sim/run/parallel/sequential.ts). */
export function runPartitionedScenario(scenario: Scenario, options: RunOptions = {}): Result {
  const parts = buildPartitions(scenario, options);
  options.onPhase?.('built');
  const between = () => {
    options.onProgress?.(partitionsProgress(parts));
    return options.isCancelled?.() ?? false;
  };
  const reason = runPartitionsInOneThread(parts, stopLimits(parts[0]), stallPsOf(parts[0]), between);
  options.onPhase?.('ran');
  return collectPartitioned(parts, reason, options.onSeries);
}

export function partitionsProgress(parts: Simulation[]): Progress {
  let events = 0;
  let done = 0;
  let t = 0;
  for (const p of parts) {
    events += p.sim.events;
    done += p.flows.doneCount;
    if (p.sim.now > t) t = p.sim.now;
  }
  return { simTimePs: t, events, flowsDone: done, flowsTotal: parts[0].flows.count };
}

/**
 * Finish every partition, fold them into partition 0 and collect the whole run's result; the
 * joined series.ndjson goes to `onSeries` when the partitions recorded theirs (buildPartitions).
 */
export function collectPartitioned(
  parts: Simulation[],
  reason: StopReason,
  onSeries?: (lines: readonly string[]) => void,
): Result {
  for (const p of parts) finishSimulation(p);
  const partials = parts.map(partialOf);
  const { series } = absorbPartials(parts[0], partials);
  const result = collectResult(parts[0], reason);
  const lines = seriesLinesOf(series, result);
  if (lines !== undefined) onSeries?.(lines);
  return result;
}

export function collectResult(s: Simulation, reason: StopReason): Result {
  const { scenario, sim, fabric, flows } = s;
  const flowResults: FlowResult[] = [];
  const fcts: number[] = [];
  const slowdowns: number[] = [];
  const idealCache = new Map<string, number>();
  const qp = s.qpPlanes ?? null;
  // Spraying over P planes, a lone flow's packets leave its P ports in turn: its ideal is one
  // plane's path carrying a P-th of its bytes (docs/fabric-shapes.md "Planes").
  const spray = fabric.sprayPlanes ? fabric.planes : 1;
  // Ideal FCTs on the intact fabric (faults may have changed the routes in use).
  const intact = fabric.faultsOn ? { ...timingOf(fabric), routes: fabric.nominalRoutes } : fabric;
  for (let f = 0; f < flows.count; f++) {
    const src = flows.src[f];
    const dst = flows.dst[f];
    const size = flows.sizeBytes[f];
    const cls = s.classes?.classOf[f] ?? 0;
    const framing = s.classes?.framings[cls] ?? s.framing;
    const key = `${src}>${dst}>${size}>${cls}`;
    let ideal = idealCache.get(key);
    if (ideal === undefined) {
      const perPort = spray > 1 ? Math.ceil(size / spray) : size;
      ideal = idealFctPs(fabric, pathPorts(intact, src, dst), perPort, framing);
      idealCache.set(key, ideal);
    }
    const done = flows.finishPs[f] >= 0;
    const fct = done ? flows.finishPs[f] - flows.startPs[f] : -1;
    // Slowdown below 1 is clamped to 1 (HPCC fct_analysis.py, §5.1).
    const slowdown = done ? Math.max(1, fct / ideal) : -1;
    if (done) {
      fcts.push(fct / 1e6);
      slowdowns.push(slowdown);
    }
    const shift = qp !== null ? qp.plane[f] * fabric.hostsPerPlane : 0;
    flowResults.push({
      id: f,
      src: src - shift,
      dst: dst - shift,
      ...(qp !== null
        ? {
            plane: qp.plane[f],
            ...(s.scenario.transport.kind === 'roce' && s.scenario.transport.multipath ? { parent: qp.parent[f] } : {}),
          }
        : {}),
      ...(s.classes ? { class: cls } : {}),
      sizeBytes: size,
      startPs: flows.startPs[f],
      fctPs: fct,
      idealFctPs: ideal,
      slowdown,
      retransmits: flows.retransmits[f],
      deliveredBytes: flows.deliveredBytes[f],
      ...(s.flowTags !== null && s.flowTags.job[f] >= 0
        ? { job: s.flowTags.job[f], op: s.flowTags.op[f], step: s.flowTags.step[f] }
        : {}),
    });
  }
  const names = fabric.graph.nodeNames;
  const pfc: PortPfcStat[] = [];
  for (let port = 0; port < fabric.portCount; port++) {
    for (let prio = 0; prio < 8; prio++) {
      const i = port * 8 + prio;
      if (fabric.pauseCount[i] === 0) continue;
      pfc.push({
        node: names[fabric.portNode[port]],
        peer: names[fabric.portNode[port ^ 1]],
        port,
        priority: prio,
        pauses: fabric.pauseCount[i],
        pausedTimePs: fabric.pausedTimeOf(port, prio),
      });
    }
  }
  const allDone = flows.doneCount === flows.count;
  // Every flow done and the run ended by draining (idle) or at a time limit that only timers
  // still pending reached (the stall watchdog's next check, say): the run ended because the flows
  // did, unless the scenario asked to run on to the time limit (stop.allFlowsDone: false).
  const untilLimit = !scenario.stop.allFlowsDone;
  const stopReason: Result['meta']['stopReason'] =
    reason === 'done' || (allDone && !untilLimit && (reason === 'idle' || reason === 'timeLimit'))
      ? 'allFlowsDone'
      : reason === 'timeLimit'
        ? 'timeLimit'
        : reason === 'eventBudget'
          ? 'eventBudget'
          : reason === 'cancelled'
            ? 'cancelled'
            : reason === 'deadlock'
              ? 'deadlock'
              : reason === 'stalled'
                ? 'stalled'
                : 'idle';
  const counters = { ...fabric.counters };
  const live = fabric.pool.liveByKind();
  const uet = s.transport instanceof UetTransportModel ? { uet: s.transport.report() } : {};
  return {
    ...uet,
    meta: {
      version: VERSION,
      name: scenario.name,
      seed: scenario.seed,
      scenarioHash: scenarioHash(scenario),
      transport: scenario.transport.kind,
      // Hosts, not NIC ports: a multi-plane fabric has a host node per plane (topology/planes.ts).
      hosts: fabric.hostsPerPlane,
      switches: fabric.nodeCount - fabric.hostCount,
      links: fabric.graph.links.length,
      simTimePs: allDone && flows.count > 0 && !untilLimit ? flows.allDonePs : sim.now,
      events: sim.events,
      wallMs: 0,
      stopReason,
    },
    flows: flowResults,
    // Data in flight (not trimmed headers) apart from control (ACKs, NAKs, CNPs, PFC frames,
    // credits, trimmed headers), so that sent = delivered + (drops − headerDrops) + trims +
    // discards + inFlightData holds for every run, finished or not.
    counters: { ...counters, inFlight: fabric.pool.live, inFlightData: live.data, inFlightControl: live.control },
    notes: runNotes(s, counters),
    summary: {
      flowsTotal: flows.count,
      flowsDone: flows.doneCount,
      fctUs: quantiles(fcts),
      slowdown: quantiles(slowdowns),
      latencyUs: s.latency !== null ? s.latency.quantilesUs() : quantiles([]),
    },
    pfc,
    series: [...(s.sampler !== null ? s.sampler.series() : []), ...(s.tracer !== null ? s.tracer.series() : [])],
    ...(s.congestion !== null ? { congestion: congestionResult(s) } : {}),
    ...(fabric.planes > 1 ? { planes: planeStats(fabric, qp, sim.now) } : {}),
    ...(s.jobs.length ? { jobs: jobResults(s.jobs, flows, fabric, s.framing) } : {}),
    ...(fabric.faultLog !== null ? { faults: fabric.faultLog.results() } : {}),
    ...(s.classes ? { classes: classStats(fabric, s.classes, flowResults) } : {}),
  };
}

/**
 * Per plane (docs/fabric-shapes.md "Planes"): wire bytes sent on its ports (NIC and switch), their
 * utilisation over the run (bits sent ÷ Σ port rate × time), PAUSEs received and time paused, and,
 * for RoCE, the QPs bound to it.
 */
function planeStats(fabric: Fabric, qp: PlaneQps | null, nowPs: number): PlaneStat[] {
  const plane = fabric.graph.nodePlane!;
  const stats: PlaneStat[] = Array.from({ length: fabric.planes }, (_, p) => ({
    plane: p,
    txBytes: 0,
    utilisation: 0,
    pauses: 0,
    pausedTimePs: 0,
    ...(qp !== null ? { qps: 0 } : {}),
  }));
  const capacityBits = new Float64Array(fabric.planes);
  for (let port = 0; port < fabric.portCount; port++) {
    const st = stats[plane[fabric.portNode[port]]];
    st.txBytes += fabric.txBytesOf(port);
    capacityBits[st.plane] += (fabric.rateBps[port] * nowPs) / 1e12;
    for (let prio = 0; prio < 8; prio++) {
      st.pauses += fabric.pauseCount[port * 8 + prio];
      st.pausedTimePs += fabric.pausedTimeOf(port, prio);
    }
  }
  for (const st of stats) st.utilisation = capacityBits[st.plane] > 0 ? (st.txBytes * 8) / capacityBits[st.plane] : 0;
  if (qp !== null) for (let q = 0; q < qp.plane.length; q++) stats[qp.plane[q]].qps!++;
  return stats;
}

/** The fields of a fabric that path lookups read (PortTiming). */
function timingOf(f: Fabric) {
  return {
    hostCount: f.hostCount,
    nodeCount: f.nodeCount,
    portCount: f.portCount,
    portNode: f.portNode,
    rateBps: f.rateBps,
    psPerByte: f.psPerByte,
    arrivalDelayPs: f.arrivalDelayPs,
    linkDelayPs: f.linkDelayPs,
  };
}

/** The congestion analysis' result, with the links faults took down, degraded or made lossy. */
function congestionResult(s: Simulation) {
  const r = s.congestion!.result(s.sim.now);
  const log = s.fabric.faultLog;
  return log !== null ? { failedLinks: log.failedLinks(s.sim.now), ...r } : r;
}

/** Class i's random streams: the first class's names as they are, further classes' prefixed. */
function classStreams(streams: RandomStreams, i: number): RandomStreams {
  const prefixed = Object.create(streams) as RandomStreams;
  prefixed.stream = (name: string) => streams.stream(`class${i}/${name}`);
  return prefixed;
}

/** What traffic classes cannot be combined with, refused in one line naming the field. */
function checkClasses(s: Scenario, planes: number): void {
  if (planes > 1) throw new InputError('classes: traffic classes run on one plane; use topology.planes: 1');
  if (s.engine.partitions > 1)
    throw new InputError('classes: traffic classes run in one partition; use engine.partitions: 1');
  const prios = [s.transport.priority, ...s.classes!.map((c) => c.transport.priority)];
  prios.forEach((p, i) => {
    if (prios.indexOf(p) !== i)
      throw new InputError(
        `classes[${i - 1}].transport.priority: ${p} is already another class's; each class needs a priority of its own (0–5)`,
      );
  });
}

/**
 * Per traffic class (docs/fabric-shapes.md "Traffic classes"): its flows' FCTs and slowdowns, and
 * the drops, trims and PAUSEs of its priority (drops and trims counted by the class of the packet
 * a switch dropped or cut; PAUSEs are per priority by PFC's nature).
 */
function classStats(fabric: Fabric, c: ClassInfo, flows: FlowResult[]): ClassStat[] {
  return c.names.map((name, i) => {
    const mine = flows.filter((f) => f.class === i);
    const done = mine.filter((f) => f.fctPs >= 0);
    const prio = c.priorities[i];
    let pauses = 0;
    let pausedTimePs = 0;
    for (let port = 0; port < fabric.portCount; port++) {
      pauses += fabric.pauseCount[port * 8 + prio];
      pausedTimePs += fabric.pausedTimeOf(port, prio);
    }
    return {
      name,
      transport: c.transports[i],
      priority: prio,
      flowsTotal: mine.length,
      flowsDone: done.length,
      fctUs: quantiles(done.map((f) => f.fctPs / 1e6)),
      slowdown: quantiles(done.map((f) => f.slowdown)),
      drops: fabric.dropsByPrio[prio],
      trims: fabric.trimsByPrio[prio],
      pauses,
      pausedTimePs,
    };
  });
}
