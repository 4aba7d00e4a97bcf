import type { TopologyGraph } from '../../sim/topology/graph.ts';

/**
 * A layered Clos drawing of a topology: hosts along the bottom, then ToR/leaf/edge, spine/agg,
 * core at the top; within a tier, nodes in their builder's column order (so a leaf sits above
 * its hosts). Each link is drawn as two lanes, one per direction: port 2i (a → b) and 2i + 1
 * (b → a), offset to either side of the centre line. Links inside one tier (a ring) bow
 * upwards as arcs.
 */
export interface NodePos {
  id: number;
  name: string;
  tier: number;
  x: number;
  y: number;
}

export interface PortGeom {
  port: number;
  /** From this port's node towards its peer, offset into its own lane. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Quadratic control point for arcs (same-tier links), else NaN. */
  cx: number;
  cy: number;
  /** Where the port's queue is drawn: a little way out from its node. */
  qx: number;
  qy: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: NodePos[];
  ports: PortGeom[];
  hostRadius: number;
  switchRadius: number;
}

export function layoutTopology(g: TopologyGraph, width: number, height: number): Layout {
  const tiers = [...new Set(Array.from(g.nodeTier))].sort((a, b) => a - b);
  const count = new Map<number, number>();
  for (let n = 0; n < g.nodeCount; n++) count.set(g.nodeTier[n], (count.get(g.nodeTier[n]) ?? 0) + 1);
  const mx = 24;
  // Links inside one tier (a ring's wrap-around) bow upwards: leave room for the widest bow.
  const bows = g.links
    .filter((l) => g.nodeTier[l.a] === g.nodeTier[l.b])
    .map((l) => Math.abs(g.nodeColumn[l.a] - g.nodeColumn[l.b]) / (count.get(g.nodeTier[l.a]) ?? 1));
  const bowRoom = bows.length ? Math.min(80, Math.max(...bows) * (width - 2 * mx) * 0.25) + 8 : 0;
  const top = 28 + bowRoom;
  const bottom = height - 22;
  const rowY = (tier: number) => {
    const i = tiers.indexOf(tier);
    return tiers.length === 1 ? (top + bottom) / 2 : bottom - (i * (bottom - top)) / (tiers.length - 1);
  };
  const nodes: NodePos[] = [];
  for (let n = 0; n < g.nodeCount; n++) {
    const t = g.nodeTier[n];
    const c = count.get(t)!;
    nodes.push({
      id: n,
      name: g.nodeNames[n],
      tier: t,
      x: mx + ((g.nodeColumn[n] + 0.5) / c) * (width - 2 * mx),
      y: rowY(t),
    });
  }
  const hostGap = (width - 2 * mx) / Math.max(1, count.get(0) ?? 1);
  const hostRadius = Math.max(1.5, Math.min(6, hostGap * 0.35));
  const switchRadius = Math.max(
    3,
    Math.min(
      10,
      ((width - 2 * mx) / Math.max(1, ...[...count.entries()].filter(([t]) => t > 0).map(([, c]) => c))) * 0.3,
    ),
  );
  const lane = Math.max(0.8, Math.min(2.5, hostGap * 0.18));
  const ports: PortGeom[] = [];
  g.links.forEach((l, i) => {
    const A = nodes[l.a];
    const B = nodes[l.b];
    for (const dir of [0, 1]) {
      const from = dir === 0 ? A : B;
      const to = dir === 0 ? B : A;
      const dx = to.x - from.x;
      const dy = to.y - from.y;
      const len = Math.hypot(dx, dy) || 1;
      // Offset each direction to its right-hand side, so the two lanes never overlap.
      const ox = (-dy / len) * lane;
      const oy = (dx / len) * lane;
      const x1 = from.x + ox,
        y1 = from.y + oy,
        x2 = to.x + ox,
        y2 = to.y + oy;
      let cx = NaN,
        cy = NaN;
      if (from.tier === to.tier) {
        cx = (x1 + x2) / 2;
        cy = Math.min(y1, y2) - Math.min(80, Math.abs(dx) * 0.25) + (dir === 0 ? -lane * 2 : lane * 2);
      }
      const f = Math.min(0.3, ((from.tier === 0 ? hostRadius : switchRadius) * 2.2) / len);
      const qx = Number.isNaN(cx) ? x1 + (x2 - x1) * f : x1 + (cx - x1) * f * 2;
      const qy = Number.isNaN(cy) ? y1 + (y2 - y1) * f : y1 + (cy - y1) * f * 2;
      ports.push({ port: 2 * i + dir, x1, y1, x2, y2, cx, cy, qx, qy });
    }
  });
  return { width, height, nodes, ports, hostRadius, switchRadius };
}

/** SVG path data for a port's lane, optionally reversed (drawn from the peer back to the node). */
export function portPath(p: PortGeom, reverse = false): string {
  const [ax, ay, bx, by] = reverse ? [p.x2, p.y2, p.x1, p.y1] : [p.x1, p.y1, p.x2, p.y2];
  if (Number.isNaN(p.cx)) return `M${ax.toFixed(1)},${ay.toFixed(1)}L${bx.toFixed(1)},${by.toFixed(1)}`;
  return `M${ax.toFixed(1)},${ay.toFixed(1)}Q${p.cx.toFixed(1)},${p.cy.toFixed(1)} ${bx.toFixed(1)},${by.toFixed(1)}`;
}

/** "node->peer" names of every port, as the result uses them (congestion roots, queue series). */
export function portNames(g: TopologyGraph): string[] {
  const out: string[] = [];
  for (const l of g.links) {
    out.push(`${g.nodeNames[l.a]}->${g.nodeNames[l.b]}`);
    out.push(`${g.nodeNames[l.b]}->${g.nodeNames[l.a]}`);
  }
  return out;
}
