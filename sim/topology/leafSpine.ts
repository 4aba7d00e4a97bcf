import type { TopologyGraph } from './graph.ts';
import { GraphBuilder, linkTiers, type LinksConfig } from './builder.ts';

export interface LeafSpineParams {
  leaves: number;
  spines: number;
  hostsPerLeaf: number;
}

/**
 * Two-tier Clos: `leaves` leaves ("leaf0".., tier 1) with `hostsPerLeaf` hosts each (host h on
 * leaf floor(h / hostsPerLeaf)); every leaf linked once to every spine ("spine0".., tier 2)
 * with the fabric tier. Nodes: hosts, then leaves, then spines.
 */
export function buildLeafSpine(params: LeafSpineParams, links: LinksConfig): TopologyGraph {
  const { host, fabric } = linkTiers(links);
  const { leaves, spines, hostsPerLeaf } = params;
  const b = new GraphBuilder('leafSpine');
  const hostCount = leaves * hostsPerLeaf;
  for (let h = 0; h < hostCount; h++) b.node(0, `h${h}`);
  const leaf: number[] = [];
  for (let l = 0; l < leaves; l++) leaf.push(b.node(1, `leaf${l}`));
  const spine: number[] = [];
  for (let s = 0; s < spines; s++) spine.push(b.node(2, `spine${s}`));
  for (let h = 0; h < hostCount; h++) b.link(h, leaf[Math.floor(h / hostsPerLeaf)], host);
  for (let l = 0; l < leaves; l++) for (let s = 0; s < spines; s++) b.link(leaf[l], spine[s], fabric);
  return b.build();
}

export interface OversubscriptionParams {
  hostsPerLeaf: number;
  hostRateBps: number;
  spines: number;
  fabricRateBps: number;
}

/**
 * Oversubscription ratio of the first switch tier: downlink capacity / uplink capacity
 * (hostsPerLeaf·hostRate / (spines·fabricRate) for a leaf-spine; 4 means 4:1, 1 non-blocking).
 * Given a graph: the worst ratio over the tier-1 switches that have uplinks (leaf-spine
 * leaves, fat-tree edges); 1 when no tier-1 switch has an uplink (star).
 */
export function oversubscription(x: TopologyGraph | OversubscriptionParams): number {
  if (!('links' in x)) return (x.hostsPerLeaf * x.hostRateBps) / (x.spines * x.fabricRateBps);
  const down = new Float64Array(x.nodeCount);
  const up = new Float64Array(x.nodeCount);
  for (const l of x.links) {
    const ta = x.nodeTier[l.a];
    const tb = x.nodeTier[l.b];
    if (ta === tb) continue;
    const [lo, hi] = ta < tb ? [l.a, l.b] : [l.b, l.a];
    up[lo] += l.rateBps;
    down[hi] += l.rateBps;
  }
  let worst = 0;
  let any = false;
  for (let n = x.hostCount; n < x.nodeCount; n++) {
    if (x.nodeTier[n] !== 1 || up[n] === 0) continue;
    any = true;
    worst = Math.max(worst, down[n] / up[n]);
  }
  return any ? worst : 1;
}
