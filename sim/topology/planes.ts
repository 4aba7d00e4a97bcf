import type { LinkSpec, TopologyGraph } from './graph.ts';

/**
 * P parallel copies of a one-plane fabric (docs/fabric-shapes.md "Planes"; fabric-realism §6,
 * uet-htsim `-planes`): every host has one NIC port per plane, each on its own copy of the
 * switches. As a graph, host h's NIC on plane p is its own host node h + p·H (H hosts per plane),
 * so that every host node keeps exactly one link (graph.ts conventions): nodes are the P·H NIC
 * nodes (plane-major), then plane 0's switches, plane 1's, …; links are every NIC's link
 * (node order, so NIC node n's port is 2n), then each plane's switch links. Plane 0 keeps its
 * names (and so its ECMP seeds); plane p ≥ 1 appends "/p<p>" ("h3/p1", "leaf0/p1").
 */
export function replicatePlanes(g: TopologyGraph, planes: number): TopologyGraph {
  if (planes === 1) return g;
  if (g.forcedNextNode) throw new Error('topology: planes cannot copy a topology with forced routes');
  const H = g.hostCount;
  const S = g.nodeCount - H;
  const nodeOf = (n: number, p: number) => (n < H ? p * H + n : planes * H + p * S + (n - H));
  const tierCount = [0, 0, 0, 0];
  for (let n = H; n < g.nodeCount; n++) tierCount[g.nodeTier[n]]++;
  const total = planes * g.nodeCount;
  const nodeTier = new Int8Array(total);
  const nodeColumn = new Int32Array(total);
  const nodePlane = new Int8Array(total);
  const nodeNames: string[] = new Array(total);
  for (let p = 0; p < planes; p++) {
    for (let n = 0; n < g.nodeCount; n++) {
      const m = nodeOf(n, p);
      nodeTier[m] = g.nodeTier[n];
      nodePlane[m] = p;
      nodeNames[m] = p === 0 ? g.nodeNames[n] : `${g.nodeNames[n]}/p${p}`;
      // Hosts: one column per host (a host's NICs stacked); switches: the planes side by side.
      nodeColumn[m] = n < H ? g.nodeColumn[n] : p * tierCount[g.nodeTier[n]] + g.nodeColumn[n];
    }
  }
  const hostLinks: LinkSpec[] = [];
  const switchLinks: LinkSpec[] = [];
  for (let p = 0; p < planes; p++) {
    for (const l of g.links) {
      const copy = { ...l, a: nodeOf(l.a, p), b: nodeOf(l.b, p) };
      if (l.a < H || l.b < H) hostLinks.push(copy);
      else switchLinks.push(copy);
    }
  }
  // Host node n's link is link n (its NIC port 2n), as one-plane builders keep it.
  hostLinks.sort((x, y) => Math.min(x.a, x.b) - Math.min(y.a, y.b));
  return {
    ...g,
    hostCount: planes * H,
    nodeCount: total,
    nodeTier,
    nodeNames,
    nodeColumn,
    links: [...hostLinks, ...switchLinks],
    planes,
    hostsPerPlane: H,
    nodePlane,
  };
}
