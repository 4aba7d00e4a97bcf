import type { TopologyGraph } from './graph.ts';
import { GraphBuilder, linkTiers, type LinksConfig } from './builder.ts';

export interface FatTreeParams {
  k: number;
  /** Hosts per edge switch; default k/2. */
  hostsPerEdge?: number;
}

/**
 * Standard three-tier k-ary fat-tree: k pods of k/2 edge ("edge<pod>.<j>", tier 1) and k/2
 * aggregation ("agg<pod>.<i>", tier 2) switches, (k/2)² cores ("core<c>", tier 3). Edge j of
 * pod p links to every agg of pod p (fabric tier); agg i of pod p links to cores
 * i·k/2 .. i·k/2 + k/2 − 1 (core tier). Hosts are numbered pod-major, edge-major: host h is on
 * edge floor(h / hostsPerEdge). Nodes: hosts, edges, aggs, cores. k = 4: 16 hosts, 20
 * switches, 48 links.
 */
export function buildFatTree(params: FatTreeParams, links: LinksConfig): TopologyGraph {
  const { host, fabric, core } = linkTiers(links);
  const k = params.k;
  if (!Number.isInteger(k) || k < 2 || k % 2 !== 0)
    throw new Error(`topology.k: expected an even integer ≥ 2, got ${k}`);
  const half = k / 2;
  const hpe = params.hostsPerEdge ?? half;
  const b = new GraphBuilder('fatTree');
  const hostCount = k * half * hpe;
  for (let h = 0; h < hostCount; h++) b.node(0, `h${h}`);
  const edge: number[] = []; // pod-major: edge[p*half + j]
  for (let p = 0; p < k; p++) for (let j = 0; j < half; j++) edge.push(b.node(1, `edge${p}.${j}`));
  const agg: number[] = [];
  for (let p = 0; p < k; p++) for (let i = 0; i < half; i++) agg.push(b.node(2, `agg${p}.${i}`));
  const cores: number[] = [];
  for (let c = 0; c < half * half; c++) cores.push(b.node(3, `core${c}`));
  for (let h = 0; h < hostCount; h++) b.link(h, edge[Math.floor(h / hpe)], host);
  for (let p = 0; p < k; p++)
    for (let j = 0; j < half; j++) for (let i = 0; i < half; i++) b.link(edge[p * half + j], agg[p * half + i], fabric);
  for (let p = 0; p < k; p++)
    for (let i = 0; i < half; i++) for (let c = 0; c < half; c++) b.link(agg[p * half + i], cores[i * half + c], core);
  return b.build();
}
