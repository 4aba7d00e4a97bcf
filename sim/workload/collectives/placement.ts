import type { TopologyGraph } from '../../topology/graph.ts';
import type { RandomStreams } from '../../engine/random.ts';
import { InputError } from '../../scenario/inputError.ts';
import { checkHost } from '../types.ts';

/** How a job's ranks land on hosts (docs/collectives.md, "Placement"). */
export interface PlacementSpec {
  ranks?: number;
  /** An explicit list: rank i runs on hosts[i]. */
  hosts?: number[];
  placement: 'contiguous' | 'strided' | 'random' | 'railAligned';
  firstHost: number;
  stride?: number;
  gpusPerNode?: number;
}

/** Each host's first switch (the leaf, ToR or edge switch it hangs from). */
export function hostLeaves(graph: TopologyGraph): Int32Array {
  const leaf = new Int32Array(graph.hostCount).fill(-1);
  for (const l of graph.links) {
    if (l.a < graph.hostCount) leaf[l.a] = l.b;
    else if (l.b < graph.hostCount) leaf[l.b] = l.a;
  }
  return leaf;
}

/**
 * The hosts of ranks 0..n−1.
 * - contiguous: firstHost, firstHost+1, …
 * - strided: firstHost + i·stride (stride default ⌊hosts/n⌋), spreading a job over leaves;
 * - random: n distinct hosts in a random order, from the job's own stream (`streamName`);
 * - railAligned: ranks form nodes of gpusPerNode consecutive ranks, and local rank j of every
 *   node sits on leaf j (a rail-optimised cluster: NIC j of every server on leaf j).
 */
export function placeRanks(
  where: string,
  p: PlacementSpec,
  hostCount: number,
  streams: RandomStreams,
  streamName: string,
  hostLeaf?: ArrayLike<number>,
): number[] {
  if (p.hosts !== undefined) {
    const seen = new Set<number>();
    p.hosts.forEach((h, i) => {
      checkHost(`${where}.hosts.${i}`, h, hostCount);
      if (seen.has(h)) throw new InputError(`${where}.hosts.${i}: host ${h} is listed twice`);
      seen.add(h);
    });
    if (p.ranks !== undefined && p.ranks !== p.hosts.length)
      throw new InputError(`${where}.ranks: ${p.ranks} ranks but ${p.hosts.length} hosts listed; give one of them`);
    return p.hosts.slice();
  }
  const n = p.ranks ?? hostCount;
  if (n < 1 || n > hostCount)
    throw new InputError(`${where}.ranks: expected 1 to ${hostCount} ranks (the topology's hosts), got ${n}`);
  switch (p.placement) {
    case 'contiguous': {
      if (p.firstHost + n > hostCount)
        throw new InputError(
          `${where}.firstHost: ${n} contiguous ranks from host ${p.firstHost} run past the last host ${hostCount - 1}`,
        );
      return Array.from({ length: n }, (_, i) => p.firstHost + i);
    }
    case 'strided': {
      const stride = p.stride ?? Math.max(1, Math.floor((hostCount - p.firstHost) / n));
      const last = p.firstHost + (n - 1) * stride;
      if (last >= hostCount)
        throw new InputError(
          `${where}.stride: ${n} ranks every ${stride} hosts from host ${p.firstHost} run past the last host ${hostCount - 1}`,
        );
      return Array.from({ length: n }, (_, i) => p.firstHost + i * stride);
    }
    case 'random': {
      const all = Array.from({ length: hostCount }, (_, h) => h);
      streams.stream(streamName).shuffle(all);
      return all.slice(0, n);
    }
    case 'railAligned': {
      const m = p.gpusPerNode;
      if (m === undefined) throw new InputError(`${where}.gpusPerNode: railAligned placement needs gpusPerNode`);
      if (n % m !== 0) throw new InputError(`${where}.ranks: ${n} ranks do not make whole nodes of ${m} (gpusPerNode)`);
      if (hostLeaf === undefined)
        throw new InputError(`${where}.placement: railAligned needs the topology's leaf switches, not known here`);
      const byLeaf = new Map<number, number[]>();
      for (let h = 0; h < hostCount; h++) {
        const l = hostLeaf[h];
        if (!byLeaf.has(l)) byLeaf.set(l, []);
        byLeaf.get(l)!.push(h);
      }
      const leaves = [...byLeaf.values()];
      const nodes = n / m;
      if (m > leaves.length)
        throw new InputError(
          `${where}.gpusPerNode: ${m} rails need ${m} leaf switches, the topology has ${leaves.length}`,
        );
      const short = leaves.slice(0, m).findIndex((hs) => hs.length < nodes);
      if (short >= 0)
        throw new InputError(
          `${where}.ranks: ${nodes} nodes need ${nodes} hosts on every rail's leaf; leaf ${short} has ${leaves[short].length}`,
        );
      return Array.from({ length: n }, (_, r) => leaves[r % m][Math.floor(r / m)]);
    }
  }
}
