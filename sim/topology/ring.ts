import type { TopologyGraph } from './graph.ts';
import { GraphBuilder, linkTiers, type LinksConfig } from './builder.ts';

export interface RingParams {
  switches: number;
  hostsPerSwitch: number;
  /** Route every flow clockwise (switch i → i+1 mod n) instead of by shortest path. */
  clockwise?: boolean;
}

/**
 * `switches` switches ("sw0".., tier 1) in a ring, switch i linked to i+1 mod n (fabric tier),
 * each with `hostsPerSwitch` hosts (host h on switch floor(h / hostsPerSwitch)). With
 * `clockwise`, `forcedNextNode` sends every packet to the next switch clockwise until it
 * reaches the destination's switch: the cyclic buffer dependency behind a PFC deadlock.
 */
export function buildRing(params: RingParams, links: LinksConfig): TopologyGraph {
  const { host, fabric } = linkTiers(links);
  const n = params.switches;
  const hps = params.hostsPerSwitch;
  const b = new GraphBuilder('ring');
  const hostCount = n * hps;
  for (let h = 0; h < hostCount; h++) b.node(0, `h${h}`);
  const sw: number[] = [];
  for (let i = 0; i < n; i++) sw.push(b.node(1, `sw${i}`));
  for (let h = 0; h < hostCount; h++) b.link(h, sw[Math.floor(h / hps)], host);
  for (let i = 0; i < n; i++) b.link(sw[i], sw[(i + 1) % n], fabric);
  if (!params.clockwise) return b.build();
  const forced = (switchNode: number, dstHost: number): number => {
    const i = switchNode - hostCount;
    if (i < 0 || i >= n) throw new Error(`ring routing: node ${switchNode} is not a switch`);
    if (Math.floor(dstHost / hps) === i) return dstHost;
    return hostCount + ((i + 1) % n);
  };
  return b.build(forced);
}
