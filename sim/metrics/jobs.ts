import type { PortTiming } from '../net/portTiming.ts';
import { WIRE } from '../net/packets.ts';
import type { JobPlan, OpRecord } from '../workload/jobs.ts';

export type { CollectiveResult, JobResult };
import { busBwFactor } from '../workload/collectives/algorithms.ts';
import { entryReadyPs } from '../workload/collectives/emit.ts';
import { idealFctPs, pathPorts, type FramingSizes } from './ideal.ts';
import type { CollectiveResult, JobResult } from './jobResult.ts';
import { quantiles } from './summary.ts';

/**
 * Per-job metrics (docs/collectives.md, "Metrics"): every collective's completion time (its
 * first rank issuing it → its last byte acknowledged), algorithm and bus bandwidth as nccl-tests
 * defines them, the ideal time on an idle fabric at line rate and the slowdown against it; each
 * iteration's time and their quantiles; the job's completion time.
 */

/** Payload plus per-packet header and Ethernet overhead of a transfer. */
export function wireBytes(bytes: number, f: FramingSizes): number {
  const npk = Math.max(1, Math.ceil(bytes / f.mtuBytes));
  return bytes + npk * (f.headerBytes + WIRE.OVERHEAD_BYTES);
}

export interface FlowView {
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
  sizeBytes: ArrayLike<number>;
  startPs: ArrayLike<number>;
  finishPs: ArrayLike<number>;
}

/**
 * The collective's time on an idle fabric at line rate, as the α–β model (docs/reference/
 * collectives.md §1.6): the busiest rank's wire bytes (sent or received, whichever is more) at
 * its NIC's rate, plus α for each transfer on the longest dependency chain, α being an empty
 * path's 1-byte transfer time (propagation, forwarding and the ACK back) on the longest path
 * between two of its ranks, plus the intra-node steps of a hierarchical form.
 */
export function idealCollectivePs(
  op: OpRecord,
  flows: FlowView,
  timing: PortTiming,
  framing: FramingSizes,
  alphaCache: Map<number, number>,
): number {
  const sent = new Map<number, number>();
  const recv = new Map<number, number>();
  let alpha = 0;
  for (let f = op.firstFlow; f < op.endFlow; f++) {
    const s = flows.src[f];
    const d = flows.dst[f];
    const w = wireBytes(flows.sizeBytes[f], framing);
    sent.set(s, (sent.get(s) ?? 0) + w);
    recv.set(d, (recv.get(d) ?? 0) + w);
    const key = s * 1e6 + d;
    let a = alphaCache.get(key);
    if (a === undefined) {
      a = idealFctPs(timing, pathPorts(timing, s, d), 1, framing);
      alphaCache.set(key, a);
    }
    if (a > alpha) alpha = a;
  }
  let beta = 0;
  for (const m of [sent, recv])
    for (const [h, bytes] of m) {
      const t = bytes * timing.psPerByte[timing.routes.hostNicPort[h]];
      if (t > beta) beta = t;
    }
  return Math.round(beta + op.levels * alpha + op.headPs + op.tailPs);
}

/** The jobs' results from the flows' start and finish times. */
export function jobResults(
  plans: readonly JobPlan[],
  flows: FlowView,
  timing: PortTiming,
  framing: FramingSizes,
): JobResult[] {
  const alphaCache = new Map<number, number>();
  return plans.map((plan) => {
    const collectives = plan.ops.map((op): CollectiveResult => {
      let start = Infinity;
      for (const e of op.entries) {
        const t = entryReadyPs(e, flows.finishPs);
        if (t >= 0 && t < start) start = t;
      }
      let end = -1;
      let done = true;
      for (let f = op.firstFlow; f < op.endFlow; f++) {
        const t = flows.finishPs[f];
        if (t < 0) done = false;
        else if (t > end) end = t;
      }
      const startPs = start === Infinity ? -1 : start;
      const endPs = done && startPs >= 0 ? end + op.tailPs : -1;
      const timePs = endPs >= 0 ? endPs - startPs : -1;
      const idealPs = idealCollectivePs(op, flows, timing, framing, alphaCache);
      const algbw = timePs > 0 ? op.sizeBytes / (timePs / 1e12) / 1e9 : 0;
      const factor = op.kind === 'sendRecv' ? 1 : busBwFactor(op.kind, op.ranks);
      return {
        name: op.name,
        iteration: op.iteration,
        kind: op.kind,
        algorithm: op.algorithm,
        sizeBytes: op.sizeBytes,
        ranks: op.ranks,
        channels: op.channels,
        chunks: op.chunks,
        transfers: op.endFlow - op.firstFlow,
        startPs,
        endPs,
        timePs,
        algbwGBps: algbw,
        busbwGBps: algbw * factor,
        idealPs,
        slowdown: timePs > 0 ? timePs / idealPs : -1,
      };
    });
    const iterationPs: number[] = [];
    let prev = plan.startPs;
    let endPs = -1;
    for (const ends of plan.iterationEnds) {
      let t = -1;
      let done = true;
      for (const e of ends) {
        const r = entryReadyPs(e, flows.finishPs);
        if (r < 0) done = false;
        else if (r > t) t = r;
      }
      if (!done) {
        endPs = -1;
        break;
      }
      iterationPs.push(t - prev);
      prev = t;
      endPs = t;
    }
    return {
      name: plan.name,
      kind: plan.kind,
      hosts: plan.hosts,
      iterations: plan.iterations,
      startPs: plan.startPs,
      endPs,
      completionPs: endPs >= 0 ? endPs - plan.startPs : -1,
      iterationPs,
      iterationUs: quantiles(iterationPs.map((p) => p / 1e6)),
      collectives,
    };
  });
}

/**
 * The jobs' numbers as sweep metrics (sim/run/sweep.ts results.csv): per job its completion,
 * iteration p50/p99, mean busbw and slowdowns (−1 where unfinished or unknown).
 */
export function jobMetrics(jobs: readonly JobResult[]): Array<[string, number]> {
  const rows: Array<[string, number]> = [];
  for (const j of jobs) {
    const key = `job_${j.name.replace(/[^A-Za-z0-9]+/g, '_')}`;
    const colls = j.collectives.filter((c) => c.timePs > 0);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : -1);
    rows.push(
      [`${key}_time_us`, j.completionPs >= 0 ? j.completionPs / 1e6 : -1],
      [`${key}_iter_p50_us`, j.iterationUs.count ? j.iterationUs.p50 : -1],
      [`${key}_iter_p99_us`, j.iterationUs.count ? j.iterationUs.p99 : -1],
      [`${key}_busbw_GBps`, mean(colls.map((c) => c.busbwGBps))],
      [`${key}_slowdown_vs_ideal`, mean(colls.map((c) => c.slowdown))],
      [`${key}_slowdown_vs_alone`, j.slowdownVsAlone ?? -1],
    );
  }
  return rows;
}
