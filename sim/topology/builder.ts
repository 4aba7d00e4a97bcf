import type { LinkSpec, TopologyGraph } from './graph.ts';
import type { Scenario } from '../scenario/schema.ts';

export type LinksConfig = Scenario['links'];
export type LinkTierConfig = LinksConfig['host'];

/** A link tier in simulator units. */
export interface LinkTier {
  rateBps: number;
  delayPs: number;
}

/** Scenario units (rateGbps, delayNs) → simulator units (rateBps, delayPs). */
export function toLinkTier(cfg: LinkTierConfig): LinkTier {
  return { rateBps: cfg.rateGbps * 1e9, delayPs: Math.round(cfg.delayNs * 1000) };
}

/** The three link tiers with their fallbacks, field by field: fabric defaults to host, core to fabric. */
export function linkTiers(links: LinksConfig): { host: LinkTier; fabric: LinkTier; core: LinkTier } {
  const fabricCfg = {
    rateGbps: links.fabric?.rateGbps ?? links.host.rateGbps,
    delayNs: links.fabric?.delayNs ?? links.host.delayNs,
  };
  const coreCfg = {
    rateGbps: links.core?.rateGbps ?? fabricCfg.rateGbps,
    delayNs: links.core?.delayNs ?? fabricCfg.delayNs,
  };
  return { host: toLinkTier(links.host), fabric: toLinkTier(fabricCfg), core: toLinkTier(coreCfg) };
}

/**
 * Accumulates nodes and links. Hosts must be added first (nodes 0..hostCount-1), and builders
 * add each host's single link before any switch–switch link, so host h's NIC port is 2h.
 */
export class GraphBuilder {
  private readonly tiers: number[] = [];
  private readonly names: string[] = [];
  private readonly columns: number[] = [];
  private readonly tierCount = [0, 0, 0, 0];
  readonly links: LinkSpec[] = [];
  hostCount = 0;

  constructor(readonly kind: string) {}

  /** Adds a node and returns its index; its column is the next free one in its tier. */
  node(tier: number, name: string): number {
    if (tier === 0) {
      if (this.tiers.length !== this.hostCount)
        throw new Error('topology builder: hosts must be added before switches');
      this.hostCount++;
    }
    this.tiers.push(tier);
    this.names.push(name);
    this.columns.push(this.tierCount[tier]++);
    return this.tiers.length - 1;
  }

  link(a: number, b: number, tier: LinkTier): number {
    this.links.push({ a, b, rateBps: tier.rateBps, delayPs: tier.delayPs });
    return this.links.length - 1;
  }

  build(forcedNextNode?: TopologyGraph['forcedNextNode']): TopologyGraph {
    const g: TopologyGraph = {
      kind: this.kind,
      hostCount: this.hostCount,
      nodeCount: this.tiers.length,
      nodeTier: Int8Array.from(this.tiers),
      nodeNames: this.names.slice(),
      nodeColumn: Int32Array.from(this.columns),
      links: this.links,
    };
    if (forcedNextNode) g.forcedNextNode = forcedNextNode;
    return g;
  }
}
