import type { TopologyGraph } from './graph.ts';
import { GraphBuilder, linkTiers, type LinksConfig } from './builder.ts';

/** N hosts on one switch ("sw0"). */
export function buildStar(params: { hosts: number }, links: LinksConfig): TopologyGraph {
  const { host } = linkTiers(links);
  const b = new GraphBuilder('star');
  for (let h = 0; h < params.hosts; h++) b.node(0, `h${h}`);
  const sw = b.node(1, 'sw0');
  for (let h = 0; h < params.hosts; h++) b.link(h, sw, host);
  return b.build();
}
