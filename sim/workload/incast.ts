import type { WorkloadItem } from '../scenario/schema.ts';
import { checkHost, nsToPs, type FlowSpec, type WorkloadContext } from './types.ts';
import { InputError } from '../scenario/inputError.ts';

type Incast = Extract<WorkloadItem, { kind: 'incast' }>;

/**
 * Many senders to one receiver, all starting at `startNs`. `senders` is a count N (the first N
 * hosts that are not the receiver) or an explicit list of host indices.
 */
export function incastFlows(item: Incast, ctx: WorkloadContext): FlowSpec[] {
  const { hostCount, path } = ctx;
  const receiver = item.receiver;
  checkHost(`${path}.receiver`, receiver, hostCount);
  let senders: number[];
  if (typeof item.senders === 'number') {
    const n = item.senders;
    if (n > hostCount - 1) {
      throw new InputError(`${path}.senders: ${n} senders need ${n + 1} hosts, the topology has ${hostCount}`);
    }
    senders = [];
    for (let h = 0; senders.length < n; h++) if (h !== receiver) senders.push(h);
  } else {
    senders = item.senders.slice();
    senders.forEach((h, i) => {
      checkHost(`${path}.senders.${i}`, h, hostCount);
      if (h === receiver) throw new InputError(`${path}.senders.${i}: host ${h} is the receiver`);
    });
  }
  const startPs = nsToPs(item.startNs);
  return senders.map((src) => ({ src, dst: receiver, sizeBytes: item.sizeBytes, startPs }));
}
