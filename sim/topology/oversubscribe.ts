import type { Scenario } from '../scenario/schema.ts';
import { InputError } from '../scenario/inputError.ts';
import type { LinksConfig } from './builder.ts';

type LeafSpineTopology = Extract<Scenario['topology'], { kind: 'leafSpine' }>;
type FatTreeTopology = Extract<Scenario['topology'], { kind: 'fatTree' }>;

/** A leaf-spine with every count and rate known. */
export interface ResolvedLeafSpine {
  topology: LeafSpineTopology & { spines: number };
  links: LinksConfig;
}

/** A fat tree with every count and rate known. */
export interface ResolvedFatTree {
  topology: FatTreeTopology & { hostsPerEdge: number };
  links: LinksConfig;
}

const EPS = 1e-9;

function isWhole(x: number): boolean {
  return Math.abs(x - Math.round(x)) < EPS * Math.max(1, Math.abs(x));
}

/**
 * Builds a leaf-spine's `oversubscription: R` (docs/fabric-shapes.md "Oversubscription"):
 * R = hostsPerLeaf × host rate / (spines × fabric rate) at every leaf (fabric-realism §5).
 * - `oversubscribeBy: uplinks` (the default; uet-htsim's construction, radix_down / radix_up = R
 *   at equal speeds): the uplinks keep the fabric rate and there are fewer of them,
 *   spines = hostsPerLeaf × host rate / (R × fabric rate), which must be a whole number; a
 *   `spines` given as well must equal it.
 * - `oversubscribeBy: rate`: `spines` as given, every leaf–spine link at
 *   hostsPerLeaf × host rate / (spines × R); `links.fabric.rateGbps` must then be left out.
 * Without `oversubscription` the topology is as written (spines required).
 */
export function resolveLeafSpine(t: LeafSpineTopology, links: LinksConfig): ResolvedLeafSpine {
  const hostGbps = links.host.rateGbps;
  const fabricGbps = links.fabric?.rateGbps ?? hostGbps;
  const r = t.oversubscription;
  if (r === undefined) {
    if (t.spines === undefined)
      throw new InputError('topology.spines: expected a positive integer (or topology.oversubscription to derive it)');
    if (t.oversubscribeBy !== undefined)
      throw new InputError('topology.oversubscribeBy: only meaningful with topology.oversubscription');
    return { topology: { ...t, spines: t.spines }, links };
  }
  if ((t.oversubscribeBy ?? 'uplinks') === 'uplinks') {
    const exact = (t.hostsPerLeaf * hostGbps) / (r * fabricGbps);
    if (!isWhole(exact) || Math.round(exact) < 1)
      throw new InputError(
        `topology.oversubscription: ${r} needs ${t.hostsPerLeaf} × ${hostGbps} G / (${r} × ${fabricGbps} G) = ${exact.toFixed(3)} uplinks per leaf, not a whole number ≥ 1; ` +
          'choose hostsPerLeaf, the link rates or the ratio so that it is, or use oversubscribeBy: rate',
      );
    const spines = Math.round(exact);
    if (t.spines !== undefined && t.spines !== spines)
      throw new InputError(
        `topology.spines: ${t.spines} contradicts oversubscription ${r} with oversubscribeBy: uplinks, which gives ${spines} spines; leave spines out`,
      );
    return { topology: { ...t, spines }, links };
  }
  if (t.spines === undefined)
    throw new InputError('topology.spines: expected a positive integer (oversubscribeBy: rate keeps the spines given)');
  if (links.fabric?.rateGbps !== undefined)
    throw new InputError(
      'links.fabric.rateGbps: leave it out with topology.oversubscribeBy: rate (the ratio sets the uplink rate)',
    );
  const upGbps = (t.hostsPerLeaf * hostGbps) / (t.spines * r);
  return {
    topology: { ...t, spines: t.spines },
    links: { ...links, fabric: { ...links.fabric, rateGbps: upGbps } },
  };
}

/**
 * A fat tree's `oversubscription: R` at the edge tier (the aggregation and core tiers stay
 * non-blocking): R = hostsPerEdge × host rate / (k/2 × edge–aggregation rate).
 * - `uplinks` (default): each edge keeps its k/2 uplinks at the fabric rate and has R times more
 *   hosts, hostsPerEdge = R × k/2 × fabric rate / host rate (whole; a `hostsPerEdge` given must
 *   equal it): uet-htsim's fat_tree_*_4os construction, radix_down / radix_up = R.
 * - `rate`: hostsPerEdge as given (default k/2); the edge–aggregation links run at
 *   hostsPerEdge × host rate / (k/2 × R), and aggregation–core links, unless `links.core` names
 *   a rate, at that rate too (so the aggregation tier stays 1:1).
 */
export function resolveFatTree(t: FatTreeTopology, links: LinksConfig): ResolvedFatTree {
  const half = t.k / 2;
  const hostGbps = links.host.rateGbps;
  const fabricGbps = links.fabric?.rateGbps ?? hostGbps;
  const r = t.oversubscription;
  if (r === undefined) {
    if (t.oversubscribeBy !== undefined)
      throw new InputError('topology.oversubscribeBy: only meaningful with topology.oversubscription');
    return { topology: { ...t, hostsPerEdge: t.hostsPerEdge ?? half }, links };
  }
  if ((t.oversubscribeBy ?? 'uplinks') === 'uplinks') {
    const exact = (r * half * fabricGbps) / hostGbps;
    if (!isWhole(exact) || Math.round(exact) < 1)
      throw new InputError(
        `topology.oversubscription: ${r} needs ${r} × ${half} uplinks × ${fabricGbps} G / ${hostGbps} G = ${exact.toFixed(3)} hosts per edge, not a whole number; ` +
          'choose k, the link rates or the ratio so that it is, or use oversubscribeBy: rate',
      );
    const hpe = Math.round(exact);
    if (t.hostsPerEdge !== undefined && t.hostsPerEdge !== hpe)
      throw new InputError(
        `topology.hostsPerEdge: ${t.hostsPerEdge} contradicts oversubscription ${r} with oversubscribeBy: uplinks, which gives ${hpe}; leave hostsPerEdge out`,
      );
    return { topology: { ...t, hostsPerEdge: hpe }, links };
  }
  if (links.fabric?.rateGbps !== undefined)
    throw new InputError(
      'links.fabric.rateGbps: leave it out with topology.oversubscribeBy: rate (the ratio sets the edge uplink rate)',
    );
  const hpe = t.hostsPerEdge ?? half;
  const upGbps = (hpe * hostGbps) / (half * r);
  return {
    topology: { ...t, hostsPerEdge: hpe },
    links: {
      ...links,
      fabric: { ...links.fabric, rateGbps: upGbps },
      core: { ...links.core, rateGbps: links.core?.rateGbps ?? upGbps },
    },
  };
}
