import type { WorkloadItem } from '../scenario/schema.ts';
import type { Rng } from '../engine/random.ts';
import { nsToPs, type FlowSpec, type WorkloadContext } from './types.ts';
import { InputError } from '../scenario/inputError.ts';

type Permutation = Extract<WorkloadItem, { kind: 'permutation' }>;

/**
 * A uniformly random derangement of 0..n-1 (no fixed points): shuffle and retry until no
 * element maps to itself (expected e ≈ 2.72 shuffles), which is exactly uniform.
 */
export function randomDerangement(n: number, rng: Rng): Int32Array {
  if (n < 2) throw new InputError(`a derangement needs at least 2 elements, got ${n}`);
  const p = new Int32Array(n);
  for (;;) {
    for (let i = 0; i < n; i++) p[i] = i;
    rng.shuffle(p);
    let ok = true;
    for (let i = 0; i < n; i++)
      if (p[i] === i) {
        ok = false;
        break;
      }
    if (ok) return p;
  }
}

/** Every host sends `sizeBytes` to its image under a random derangement (stream `workload/permutation`). */
export function permutationFlows(item: Permutation, ctx: WorkloadContext): FlowSpec[] {
  if (ctx.hostCount < 2)
    throw new InputError(`${ctx.path}: a permutation needs at least 2 hosts, the topology has ${ctx.hostCount}`);
  const perm = randomDerangement(ctx.hostCount, ctx.streams.stream(`workload/permutation${ctx.streamSuffix}`));
  const startPs = nsToPs(item.startNs);
  const flows: FlowSpec[] = [];
  for (let src = 0; src < ctx.hostCount; src++) flows.push({ src, dst: perm[src], sizeBytes: item.sizeBytes, startPs });
  return flows;
}
