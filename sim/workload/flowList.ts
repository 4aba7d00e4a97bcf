import type { WorkloadItem } from '../scenario/schema.ts';
import { checkHost, nsToPs, type FlowSpec, type WorkloadContext } from './types.ts';
import { InputError } from '../scenario/inputError.ts';

type FlowList = Extract<WorkloadItem, { kind: 'flows' }>;

/** Explicit flows, validated one by one. */
export function flowListFlows(item: FlowList, ctx: WorkloadContext): FlowSpec[] {
  return item.flows.map((f, i) => {
    const where = `${ctx.path}.flows.${i}`;
    checkHost(`${where}.src`, f.src, ctx.hostCount);
    checkHost(`${where}.dst`, f.dst, ctx.hostCount);
    if (f.src === f.dst) throw new InputError(`${where}: src and dst are both host ${f.src}`);
    return { src: f.src, dst: f.dst, sizeBytes: f.sizeBytes, startPs: nsToPs(f.startNs) };
  });
}
