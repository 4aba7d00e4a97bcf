import type { TopologyGraph } from './graph.ts';
import { GraphBuilder, linkTiers, type LinksConfig } from './builder.ts';

/**
 * Two switches "L" and "R" joined by one fabric-tier link (the bottleneck). Left hosts are
 * 0..n-1 on L, right hosts n..2n-1 on R.
 */
export function buildDumbbell(params: { hostsPerSide: number }, links: LinksConfig): TopologyGraph {
  const { host, fabric } = linkTiers(links);
  const n = params.hostsPerSide;
  const b = new GraphBuilder('dumbbell');
  for (let h = 0; h < 2 * n; h++) b.node(0, `h${h}`);
  const left = b.node(1, 'L');
  const right = b.node(1, 'R');
  for (let h = 0; h < 2 * n; h++) b.link(h, h < n ? left : right, host);
  b.link(left, right, fabric);
  return b.build();
}
