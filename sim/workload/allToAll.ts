import type { WorkloadItem } from '../scenario/schema.ts';
import { hostSet, nsToPs, type FlowSpec, type WorkloadContext } from './types.ts';

type AllToAll = Extract<WorkloadItem, { kind: 'allToAll' }>;

/** A flow for every ordered pair (i ≠ j) of the host set, source-major: n(n−1) flows. */
export function allToAllFlows(item: AllToAll, ctx: WorkloadContext): FlowSpec[] {
  const hosts = hostSet(`${ctx.path}.hosts`, item.hosts, ctx.hostCount, 2);
  const startPs = nsToPs(item.startNs);
  const flows: FlowSpec[] = [];
  for (const src of hosts)
    for (const dst of hosts) if (src !== dst) flows.push({ src, dst, sizeBytes: item.sizeBytes, startPs });
  return flows;
}
