import type { Simulation } from '../simulation.ts';
import type { Series } from '../../metrics/result.ts';
import { UetTransportModel, type UetStats } from '../../transport/uet/uet.ts';
import { replayPauseLogs, type PauseLogData } from '../../metrics/pauseLog.ts';
import { FabricSeries, type SeriesPart } from '../../metrics/fabricSeries.ts';

/**
 * What one partition of a partitioned run knows at its end, as plain data (so that it can come
 * from another thread), and how partition 0 takes it in so that its ordinary collectResult
 * describes the whole run. Each datum comes from where it is true: a flow's start, finish and
 * retransmissions from its sender's partition, its delivered bytes from its receiver's; a port's
 * pauses and queue samples from the partition of its node; counters, histograms and reorder
 * statistics summed.
 */
export interface PartitionPartial {
  lp: number;
  events: number;
  nowPs: number;
  finishPs: Float64Array;
  retransmits: Int32Array;
  deliveredBytes: Float64Array;
  counters: Record<string, number>;
  /** Live data packets (not trimmed headers, not control) in this partition's pool. */
  liveData: number;
  livePackets: number;
  peakPackets: number;
  pauseCount: Int32Array;
  /** Per (port, priority): paused time, from the partition of the port's node. */
  pausedTimePs: Float64Array;
  latency: { counts: Float64Array; total: number; maxNs: number; sumNs: number } | null;
  uet: UetStats | null;
  queueSeries: Array<{ port: number; series: Series }>;
  traceSeries: Series[];
  pauseLog: PauseLogData | null;
  /** This partition's part of series.ndjson, when the run records it. */
  series: SeriesPart | null;
}

export function partialOf(s: Simulation): PartitionPartial {
  const { fabric, flows } = s;
  const pausedTimePs = new Float64Array(fabric.portCount * 8);
  for (let port = 0; port < fabric.portCount; port++) {
    for (let prio = 0; prio < 8; prio++) pausedTimePs[port * 8 + prio] = fabric.pausedTimeOf(port, prio);
  }
  return {
    lp: fabric.partition,
    events: s.sim.events,
    nowPs: s.sim.now,
    finishPs: flows.finishPs.slice(),
    retransmits: flows.retransmits.slice(),
    deliveredBytes: flows.deliveredBytes.slice(),
    counters: { ...fabric.counters },
    livePackets: fabric.pool.live,
    liveData: fabric.pool.liveByKind().data,
    peakPackets: fabric.pool.highWater,
    pauseCount: fabric.pauseCount.slice(),
    pausedTimePs,
    latency: s.latency !== null ? s.latency.raw() : null,
    uet: s.transport instanceof UetTransportModel ? s.transport.stats() : null,
    queueSeries: s.sampler !== null ? s.sampler.portSeries() : [],
    traceSeries: s.tracer !== null ? s.tracer.series() : [],
    pauseLog: s.pauseLog !== null ? s.pauseLog.data() : null,
    series: s.series != null ? s.series.partOf() : null,
  };
}

/** Totals over partitions that collectResult does not read from partition 0's objects. */
export interface MergedTotals {
  /** Packet records in use at the peak, summed over partitions (each has its own pool). */
  peakPackets: number;
  /** The whole fabric's series, when the partitions recorded theirs. */
  series: FabricSeries | null;
}

/**
 * Fold every partition's partial (s0's own among them, taken before anything was folded in)
 * into partition 0's simulation `s0`. Afterwards s0 reads as the whole run.
 */
export function absorbPartials(s0: Simulation, partials: PartitionPartial[]): MergedTotals {
  const { fabric, flows, sim } = s0;
  const all = [...partials].sort((a, b) => a.lp - b.lp);
  const others = all.filter((p) => p.lp !== fabric.partition);
  const plan = s0.plan!;
  const lpOfHost = (h: number) => plan.nodeLp[h];
  // Flows: sender side and receiver side from where they live.
  let done = 0;
  let lastDone = -1;
  for (let f = 0; f < flows.count; f++) {
    const snd = all[lpOfHost(flows.src[f])];
    const rcv = all[lpOfHost(flows.dst[f])];
    flows.finishPs[f] = snd.finishPs[f];
    flows.retransmits[f] = snd.retransmits[f];
    flows.deliveredBytes[f] = rcv.deliveredBytes[f];
    if (flows.finishPs[f] >= 0) {
      done++;
      if (flows.finishPs[f] > lastDone) lastDone = flows.finishPs[f];
    }
  }
  flows.doneCount = done;
  flows.othersDone = 0;
  flows.allDonePs = done === flows.count && flows.count > 0 ? lastDone : -1;
  // Counters: sums, in partition order.
  const c = fabric.counters as unknown as Record<string, number>;
  for (const k of Object.keys(c)) c[k] = all.reduce((sum, p) => sum + p.counters[k], 0);
  // Pauses: the paused port's partition holds them.
  for (let i = 0; i < fabric.pauseCount.length; i++) {
    const lp = plan.nodeLp[fabric.portNode[i >> 3]];
    fabric.pauseCount[i] = all[lp].pauseCount[i];
  }
  const pausedTime = new Float64Array(fabric.portCount * 8);
  for (let i = 0; i < pausedTime.length; i++) pausedTime[i] = all[plan.nodeLp[fabric.portNode[i >> 3]]].pausedTimePs[i];
  fabric.overridePausedTimes(pausedTime);
  fabric.pool.live = all.reduce((sum, p) => sum + p.livePackets, 0);
  fabric.pool.mergedLiveData = all.reduce((sum, p) => sum + p.liveData, 0);
  if (s0.latency !== null) for (const p of others) if (p.latency !== null) s0.latency.addRaw(p.latency);
  if (s0.transport instanceof UetTransportModel)
    for (const p of others) if (p.uet !== null) s0.transport.absorbStats(p.uet);
  if (s0.sampler !== null) for (const p of others) s0.sampler.absorb(p.queueSeries);
  if (s0.tracer !== null) for (const p of others) s0.tracer.absorb(p.traceSeries);
  sim.events = all.reduce((sum, p) => sum + p.events, 0);
  sim.now = Math.max(...all.map((p) => p.nowPs));
  if (s0.pauseLog !== null) {
    const t = s0.transport;
    const entropy = t.flowEntropy?.bind(t) ?? (() => 0);
    s0.congestion = replayPauseLogs(
      all.map((p) => p.pauseLog!),
      fabric,
      flows,
      Math.round(s0.scenario.metrics.deadlockTimeoutUs * 1e6),
      entropy,
      sim.now,
    );
  }
  const series = all.every((p) => p.series !== null)
    ? FabricSeries.merged(
        fabric,
        flows,
        all.map((p) => p.series!),
      )
    : null;
  return { peakPackets: all.reduce((sum, p) => sum + p.peakPackets, 0), series };
}
