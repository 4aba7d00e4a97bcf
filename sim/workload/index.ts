import type { Scenario, WorkloadItem } from '../scenario/schema.ts';
import type { RandomStreams } from '../engine/random.ts';
import type { FlowSpec, ReadText, WorkloadContext } from './types.ts';
import { type JobPlan, jobFlows } from './jobs.ts';
import { chakraFlows } from './chakra/chakraJob.ts';
import { incastFlows } from './incast.ts';
import { permutationFlows } from './permutation.ts';
import { allToAllFlows } from './allToAll.ts';
import { flowListFlows } from './flowList.ts';
import { poissonFlows } from './poisson.ts';
import { ringAllReduceFlows } from './ringAllReduce.ts';
import { InputError } from '../scenario/inputError.ts';

export type { FlowSpec, ReadText } from './types.ts';
export type { JobPlan, OpRecord } from './jobs.ts';
export { incastFlows } from './incast.ts';
export { permutationFlows, randomDerangement } from './permutation.ts';
export { allToAllFlows } from './allToAll.ts';
export { flowListFlows } from './flowList.ts';
export { poissonFlows } from './poisson.ts';
export { ringAllReduceFlows } from './ringAllReduce.ts';
export { BUNDLED_CDF_NAMES, cdfMean, cdfValueAt, loadCdf, parseCdf, sampleCdf, type Cdf } from './cdf.ts';

/** A workload as built: its flows, and the jobs among them (collectives, jobs, traces). */
export interface Workload {
  flows: FlowSpec[];
  jobs: JobPlan[];
}

const JOB_KINDS = new Set(['collective', 'job', 'chakra']);

/**
 * The flows a scenario's workload describes. A list of items is concatenated in order; the
 * result is sorted stably by startPs (ties keep generation order). Host indices and src ≠ dst
 * are checked, with errors naming the scenario path (`workload.flows[2].dst: host 40 does not
 * exist (hosts 0..31)`). `readText` reads CDF files that are not bundled (absent in a browser).
 */
export function buildFlows(
  workload: Scenario['workload'],
  hostCount: number,
  hostRateBps: number,
  streams: RandomStreams,
  readText?: ReadText,
  hostLeaf?: ArrayLike<number>,
): FlowSpec[] {
  return buildWorkload(workload, hostCount, hostRateBps, streams, readText, hostLeaf).flows;
}

/**
 * As buildFlows, with the jobs. Jobs (collective, job and chakra items) come after the other
 * items' flows, in item order, each in its own generation order: a job's flows and their
 * dependencies do not depend on the traffic beside it.
 */
export function buildWorkload(
  workload: Scenario['workload'],
  hostCount: number,
  hostRateBps: number,
  streams: RandomStreams,
  readText?: ReadText,
  hostLeaf?: ArrayLike<number>,
): Workload {
  const items: WorkloadItem[] = Array.isArray(workload) ? workload : [workload];
  const seenKinds = new Map<string, number>();
  const flows: FlowSpec[] = [];
  const ctxOf = (item: WorkloadItem, i: number): WorkloadContext => {
    const n = seenKinds.get(item.kind) ?? 0;
    seenKinds.set(item.kind, n + 1);
    return {
      hostCount,
      hostRateBps,
      streams,
      path: Array.isArray(workload) ? `workload.${i}` : 'workload',
      streamSuffix: n === 0 ? '' : `#${n}`,
      readText,
      hostLeaf,
    };
  };
  items.forEach((item, i) => {
    if (JOB_KINDS.has(item.kind)) return;
    const ctx = ctxOf(item, i);
    const base = flows.length;
    for (const f of generate(item, ctx)) {
      if (f.src === f.dst) throw new InputError(`${ctx.path}: flow from host ${f.src} to itself`);
      flows.push(f.after === undefined ? f : { ...f, after: base + f.after });
    }
  });
  // Array.prototype.sort is stable (ES2019). Dependent flows keep pointing at the same flow.
  const order = flows.map((_, i) => i).sort((a, b) => flows[a].startPs - flows[b].startPs);
  const newIndex = new Int32Array(flows.length);
  order.forEach((old, i) => {
    newIndex[old] = i;
  });
  const sorted = order.map((old) => {
    const f = flows[old];
    return f.after === undefined ? f : { ...f, after: newIndex[f.after] };
  });
  const jobs: JobPlan[] = [];
  const names = new Map<string, string>();
  items.forEach((item, i) => {
    if (item.kind !== 'collective' && item.kind !== 'job' && item.kind !== 'chakra') return;
    const ctx = ctxOf(item, i);
    const plan =
      item.kind === 'chakra'
        ? chakraFlows(item, ctx, jobs.length, i, sorted)
        : jobFlows(item, ctx, jobs.length, i, sorted);
    const seen = names.get(plan.name);
    if (seen !== undefined)
      throw new InputError(`${ctx.path}.name: "${plan.name}" is also the name of ${seen}; job names must be unique`);
    names.set(plan.name, ctx.path);
    jobs.push(plan);
  });
  return { flows: sorted, jobs };
}

function generate(item: WorkloadItem, ctx: WorkloadContext): FlowSpec[] {
  switch (item.kind) {
    case 'incast':
      return incastFlows(item, ctx);
    case 'permutation':
      return permutationFlows(item, ctx);
    case 'allToAll':
      return allToAllFlows(item, ctx);
    case 'flows':
      return flowListFlows(item, ctx);
    case 'poisson':
      return poissonFlows(item, ctx);
    case 'ringAllReduce':
      return ringAllReduceFlows(item, ctx);
    case 'collective':
    case 'job':
    case 'chakra':
      throw new Error('jobs are built by buildWorkload');
    default: {
      const never: never = item;
      throw new InputError(`${ctx.path}.kind: unknown workload kind ${(never as { kind: string }).kind}`);
    }
  }
}
