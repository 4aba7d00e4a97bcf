import type { WorkloadItem } from '../scenario/schema.ts';
import { checkHost, nsToPs, type FlowSpec, type WorkloadContext } from './types.ts';
import { InputError } from '../scenario/inputError.ts';

type RingAllReduce = Extract<WorkloadItem, { kind: 'ringAllReduce' }>;

/**
 * Ring all-reduce as the collective libraries run it: n ranks in a ring, the buffer cut into n
 * chunks, n − 1 reduce-scatter steps then n − 1 all-gather steps; in every step each rank
 * sends one chunk (sizeBytes / n) to the next rank. A rank can forward a chunk only once it
 * has received it, so rank i's step-s flow starts when rank i−1's step-(s−1) flow completes
 * (completion = the sender has it acknowledged; the extra half RTT over "data arrived" is
 * the price of one completion notion across transports). Step 0 starts at startNs.
 */
export function ringAllReduceFlows(item: RingAllReduce, ctx: WorkloadContext): FlowSpec[] {
  const { hostCount, path } = ctx;
  const ranks = item.hosts ?? Array.from({ length: hostCount }, (_, h) => h);
  ranks.forEach((h, i) => {
    checkHost(`${path}.hosts.${i}`, h, hostCount);
  });
  if (new Set(ranks).size !== ranks.length) throw new InputError(`${path}.hosts: a host is listed twice`);
  const n = ranks.length;
  const chunk = Math.max(1, Math.ceil(item.sizeBytes / n));
  const startPs = nsToPs(item.startNs);
  const flows: FlowSpec[] = [];
  // Flow (step s, rank i) has index s * n + i.
  for (let s = 0; s < 2 * (n - 1); s++) {
    for (let i = 0; i < n; i++) {
      const f: FlowSpec = { src: ranks[i], dst: ranks[(i + 1) % n], sizeBytes: chunk, startPs: s === 0 ? startPs : 0 };
      if (s > 0) f.after = (s - 1) * n + ((i - 1 + n) % n);
      flows.push(f);
    }
  }
  return flows;
}
