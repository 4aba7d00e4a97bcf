import type { Scenario } from '../scenario/schema.ts';
import type { TopologyGraph } from './graph.ts';
import { buildStar } from './star.ts';
import { buildDumbbell } from './dumbbell.ts';
import { buildLeafSpine } from './leafSpine.ts';
import { buildFatTree } from './fatTree.ts';
import { buildRing } from './ring.ts';
import { resolveFatTree, resolveLeafSpine } from './oversubscribe.ts';
import { oversubscription } from './leafSpine.ts';
import { replicatePlanes } from './planes.ts';

export type { LinkSpec, TopologyGraph } from './graph.ts';
export { buildStar } from './star.ts';
export { buildDumbbell } from './dumbbell.ts';
export { buildLeafSpine, oversubscription, type LeafSpineParams, type OversubscriptionParams } from './leafSpine.ts';
export { buildFatTree, type FatTreeParams } from './fatTree.ts';
export { buildRing, type RingParams } from './ring.ts';
export { replicatePlanes } from './planes.ts';
export { resolveFatTree, resolveLeafSpine } from './oversubscribe.ts';
export { linkTiers, toLinkTier, type LinkTier, type LinksConfig } from './builder.ts';

/**
 * Builds the topology a scenario names. Link tiers: host links use `links.host`; switch ↔
 * switch links `links.fabric ?? links.host`; fat-tree aggregation ↔ core
 * `links.core ?? links.fabric ?? links.host`.
 */
export function buildTopology(topology: Scenario['topology'], links: Scenario['links']): TopologyGraph {
  const one = buildOnePlane(topology, links);
  // What the page draws and the docs report: the first switch tier's downlink / uplink capacity.
  one.oversubscription = oversubscription(one);
  const planes = 'planes' in topology ? (topology.planes ?? 1) : 1;
  return replicatePlanes(one, planes);
}

function buildOnePlane(topology: Scenario['topology'], links: Scenario['links']): TopologyGraph {
  switch (topology.kind) {
    case 'star':
      return buildStar(topology, links);
    case 'dumbbell':
      return buildDumbbell(topology, links);
    case 'leafSpine': {
      const r = resolveLeafSpine(topology, links);
      return buildLeafSpine(r.topology, r.links);
    }
    case 'fatTree': {
      const r = resolveFatTree(topology, links);
      return buildFatTree(r.topology, r.links);
    }
    case 'ring':
      return buildRing(topology, links);
    default: {
      const never: never = topology;
      throw new Error(`topology.kind: unknown kind ${(never as { kind: string }).kind}`);
    }
  }
}
