import * as d3 from 'd3';
import type { TopologyGraph } from '../../sim/topology/graph.ts';
import { layoutTopology, portNames, portPath, type Layout } from './layout.ts';
import { hideTooltip, showTooltip } from './plot.ts';

/** What the topology shows at one instant (live snapshot or a replayed time). */
export interface TopologyFrame {
  simTimePs: number;
  queueBytes: Float32Array | null;
  util: Float32Array | null;
  /** Paused port → its tree's root port (-1 unknown, -2 part of a cycle or fed by one). */
  paused: Map<number, number>;
  /** The paused ports that form a deadlock's cycle, once the analysis has found it (null: not
   *  known, so every edge rooted in a cycle is drawn as the cycle). */
  cyclePorts?: Set<number> | null;
}

export interface Highlight {
  path: number[];
  blockedPorts: number[];
  roots: number[];
}

/** Congestion-tree colours: distinct from the utilisation ramp, vermillion first. */
const TREE_COLORS = ['#D55E00', '#CC79A7', '#E69F00', '#56B4E9', '#7A5195', '#009E73'];
/** A pause cycle (a PFC deadlock) in a colour no tree uses, so that it cannot pass for an unknown root (grey). */
export const CYCLE_COLOR = '#E6007E';
const UTIL_LEVELS = 24;

const dark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

/** Utilisation → colour (viridis, CVD-safe; the busy end is the high-contrast end in either theme). */
export function utilColor(u: number, isDark = dark()): string {
  return isDark ? d3.interpolateViridis(0.15 + 0.85 * u) : d3.interpolateViridis(0.85 - 0.85 * u);
}

/**
 * The layered Clos view of one run: each link as two lanes (one per direction) coloured and
 * thickened by utilisation, each port's queue as a disc, paused (link, priority) edges as dashed
 * arrows pointing upstream (the direction back-pressure travels) in their tree's colour, and
 * each tree's root port ringed and named.
 */
export class TopologyView {
  readonly svg: SVGSVGElement;
  private readonly layout: Layout;
  private readonly names: string[];
  private readonly lanes: d3.Selection<SVGPathElement, number, SVGGElement, unknown>;
  private readonly queues: d3.Selection<SVGCircleElement, number, SVGGElement, unknown>;
  private readonly pausedLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly rootLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly highlightLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly laneLevel: Int16Array;
  private readonly qRadius: Float32Array;
  private readonly qScale: d3.ScalePower<number, number>;
  private frame: TopologyFrame | null = null;
  private pausedKey = '';

  constructor(
    container: HTMLElement,
    readonly graph: TopologyGraph,
    bufferBytes: number,
    width = 560,
    height = 300,
  ) {
    this.layout = layoutTopology(graph, width, height);
    this.names = portNames(graph);
    const L = this.layout;
    const svg = d3
      .select(container)
      .append('svg')
      .attr('class', 'topology')
      .attr('viewBox', `0 0 ${width} ${height}`)
      .attr('role', 'img')
      .attr(
        'aria-label',
        `Topology ${graph.kind}: ${graph.hostCount} hosts, ${graph.nodeCount - graph.hostCount} switches`,
      );
    this.svg = svg.node()!;
    const defs = svg.append('defs');
    TREE_COLORS.concat(['#888888', CYCLE_COLOR]).forEach((c, i) => {
      defs
        .append('marker')
        .attr('id', `bp-arrow-${i}-${uid}`)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        // In user units: an arrowhead keeps its size on a thicker (cycle) stroke.
        .attr('markerUnits', 'userSpaceOnUse')
        .attr('markerWidth', 12)
        .attr('markerHeight', 12)
        .attr('orient', 'auto-start-reverse')
        .append('path')
        .attr('d', 'M0,0L10,5L0,10z')
        .attr('fill', c);
    });
    this.markerBase = `bp-arrow-`;
    this.markerUid = uid++;
    const linkLayer = svg.append('g').attr('class', 'lanes');
    this.highlightLayer = svg.append('g').attr('class', 'highlight');
    this.lanes = linkLayer
      .selectAll<SVGPathElement, number>('path')
      .data(d3.range(L.ports.length))
      .join('path')
      .attr('class', 'lane')
      .attr('d', (i) => portPath(L.ports[i]))
      .attr('data-port', (i) => L.ports[i].port);
    this.laneLevel = new Int16Array(L.ports.length).fill(-1);
    this.pausedLayer = svg.append('g').attr('class', 'paused');
    const maxR = Math.max(2.5, L.switchRadius * 1.1);
    this.qScale = d3
      .scaleSqrt()
      .domain([0, Math.max(1, bufferBytes / 8)])
      .range([0, maxR])
      .clamp(true);
    this.queues = svg
      .append('g')
      .attr('class', 'queues')
      .selectAll<SVGCircleElement, number>('circle')
      .data(d3.range(L.ports.length))
      .join('circle')
      .attr('class', 'queue')
      .attr('cx', (i) => L.ports[i].qx)
      .attr('cy', (i) => L.ports[i].qy)
      .attr('r', 0);
    this.qRadius = new Float32Array(L.ports.length);
    const nodes = svg
      .append('g')
      .attr('class', 'nodes')
      .selectAll('g')
      .data(L.nodes)
      .join('g')
      .attr('class', (d) => (d.tier === 0 ? 'node host' : 'node switch'))
      .attr('transform', (d) => `translate(${d.x},${d.y})`);
    nodes.append('circle').attr('r', (d) => (d.tier === 0 ? L.hostRadius : L.switchRadius));
    nodes.append('title').text((d) => d.name);
    const switches = graph.nodeCount - graph.hostCount;
    if (switches <= 40) {
      nodes
        .filter((d) => d.tier > 0)
        .append('text')
        .attr('class', 'node-label')
        .attr('dy', -L.switchRadius - 3)
        .attr('text-anchor', 'middle')
        .text((d) => d.name);
    }
    if (graph.hostCount <= 40) {
      // Every k-th host, so that labels keep about 26 px apart ("h10" runs into "h11" at 36 hosts).
      const gap = L.width / Math.max(1, graph.hostCount);
      const every = Math.max(1, Math.ceil(26 / gap));
      nodes
        .filter((d) => d.tier === 0 && d.id % every === 0)
        .append('text')
        .attr('class', 'node-label host-label')
        .attr('dy', L.hostRadius + 10)
        .attr('text-anchor', 'middle')
        .text((d) => d.name);
    }
    this.rootLayer = svg.append('g').attr('class', 'roots');
    linkLayer
      .on('pointermove', (ev: PointerEvent) => {
        const t = ev.target as SVGElement;
        const port = Number(t.getAttribute('data-port'));
        if (!Number.isFinite(port)) return;
        showTooltip(ev, this.describePort(port));
      })
      .on('pointerleave', () => hideTooltip());
  }

  private markerBase: string;
  private markerUid: number;

  private describePort(port: number): string[] {
    const f = this.frame;
    const lines = [`port ${port}: ${this.names[port]}`];
    if (f?.util) lines.push(`utilisation: ${(f.util[port] * 100).toFixed(1)} %`);
    if (f?.queueBytes) lines.push(`queue: ${d3.format(',')(Math.round(f.queueBytes[port]))} B`);
    const r = f?.paused.get(port);
    if (r !== undefined)
      lines.push(
        `PAUSED by ${this.names[port ^ 1]} · root ${r >= 0 ? this.names[r] : r === -2 ? '(cycle: deadlock)' : '?'}`,
      );
    return lines;
  }

  /** Forget what is drawn (after a theme change) so the next render repaints everything. */
  invalidate(): void {
    this.laneLevel.fill(-1);
    this.pausedKey = '';
  }

  portName(port: number): string {
    return this.names[port];
  }

  portByName(name: string): number {
    return this.names.indexOf(name);
  }

  render(f: TopologyFrame): void {
    this.frame = f;
    const isDark = dark();
    const L = this.layout;
    const util = f.util;
    // Lanes: only touch the DOM where the quantised level changed.
    const lanes = this.lanes.nodes();
    for (let i = 0; i < lanes.length; i++) {
      const u = util ? util[L.ports[i].port] : 0;
      const lvl = u < 0.01 ? 0 : 1 + Math.min(UTIL_LEVELS - 1, Math.floor(u * UTIL_LEVELS));
      if (lvl === this.laneLevel[i]) continue;
      this.laneLevel[i] = lvl;
      const el = lanes[i];
      if (lvl === 0) {
        el.removeAttribute('stroke');
        el.style.strokeWidth = '';
        el.classList.add('idle');
      } else {
        const uu = (lvl - 0.5) / UTIL_LEVELS;
        el.setAttribute('stroke', utilColor(uu, isDark));
        el.style.strokeWidth = String(1 + 2.2 * uu);
        el.classList.remove('idle');
      }
    }
    const circles = this.queues.nodes();
    const q = f.queueBytes;
    for (let i = 0; i < circles.length; i++) {
      const r = q ? Math.round(this.qScale(q[L.ports[i].port]) * 4) / 4 : 0;
      if (r === this.qRadius[i]) continue;
      this.qRadius[i] = r;
      circles[i].setAttribute('r', String(r));
    }
    // Paused edges and roots: rebuilt only when the set changes.
    const key =
      [...f.paused]
        .map(([p, r]) => `${p}:${r}`)
        .sort()
        .join(',') +
      '|' +
      [...(f.cyclePorts ?? [])].join(',');
    if (key === this.pausedKey) return;
    this.pausedKey = key;
    const roots = [...new Set(f.paused.values())].sort((a, b) => a - b);
    // Only the cycle's own edges in the cycle's colour: the edges it back-pressures (rooted in the
    // cycle, not part of it) are drawn as of an unknown root.
    const cycle = f.cyclePorts ?? null;
    const rootOf = (port: number, r: number) => (r === -2 && cycle !== null && !cycle.has(port) ? -1 : r);
    const colorIdx = (r: number) =>
      r === -2
        ? TREE_COLORS.length + 1
        : r < 0
          ? TREE_COLORS.length
          : roots.filter((x) => x >= 0).indexOf(r) % TREE_COLORS.length;
    const color = (r: number) => (r === -2 ? CYCLE_COLOR : r < 0 ? '#888888' : TREE_COLORS[colorIdx(r)]);
    const portIndex = (p: number) => p; // ports are laid out in port order
    const edges = [...f.paused].map(([port, root]) => ({ port, root: rootOf(port, root), cause: root }));
    this.pausedLayer
      .selectAll<SVGPathElement, { port: number; root: number }>('path')
      .data(edges, (d) => String(d.port))
      .join('path')
      .attr('class', (d) => (d.root === -2 ? 'paused-edge cycle' : 'paused-edge'))
      .attr('data-port', (d) => d.port)
      .attr('data-root', (d) => d.root)
      .attr('d', (d) => portPath(L.ports[portIndex(d.port)], true))
      .attr('stroke', (d) => color(d.root))
      .attr('marker-end', (d) => `url(#${this.markerBase}${colorIdx(d.root)}-${this.markerUid})`)
      .selectAll('title')
      .data((d) => [d])
      .join('title')
      .text(
        (d) =>
          `${this.names[d.port]} paused by ${this.names[d.port ^ 1]} (back-pressure ←); root ${d.root >= 0 ? this.names[d.root] : d.root === -2 ? 'cycle (deadlock)' : d.cause === -2 ? 'the deadlock cycle, upstream of it' : '?'}`,
      );
    const rootData = roots.filter((r) => r >= 0);
    const labelShift = this.spreadRootLabels(rootData);
    const rg = this.rootLayer
      .selectAll<SVGGElement, number>('g.root-marker')
      .data(rootData, (d) => String(d))
      .join((enter) => {
        const g = enter.append('g').attr('class', 'root-marker');
        g.append('circle').attr('r', L.switchRadius * 0.9 + 3);
        g.append('text')
          .attr('class', 'root-label')
          .attr('dx', L.switchRadius + 6)
          .attr('dy', 4);
        return g;
      });
    rg.attr('data-root', (d) => d).attr('transform', (d) => `translate(${L.ports[d].qx},${L.ports[d].qy})`);
    rg.select('circle').attr('stroke', (d) => color(d));
    const left = (d: number) => this.rootLabelLeft(d);
    rg.select('text')
      .attr('fill', (d) => color(d))
      .text((d) => `root ${this.names[d]}`)
      .attr('text-anchor', (d) => (left(d) ? 'end' : 'start'))
      .attr('dx', (d) => (left(d) ? -(L.switchRadius + 6) : L.switchRadius + 6))
      .attr('dy', (d) => 4 + (labelShift.get(d) ?? 0));
  }

  /** A root label in the right half goes to the left of its ring, so that the drawing's edge does not cut it. */
  private rootLabelLeft(root: number): boolean {
    return this.layout.ports[root].qx > this.layout.width / 2;
  }

  /**
   * Vertical offsets that keep root labels apart: several roots on one switch (or on switches
   * side by side) would print their labels over each other. Labels are placed top to bottom,
   * each moved down a line at a time past those already placed (widths estimated at 6.3 px per
   * character of the 11-px bold label).
   */
  private spreadRootLabels(roots: number[]): Map<number, number> {
    const L = this.layout;
    const out = new Map<number, number>();
    const placed: Array<{ x0: number; x1: number; y: number }> = [];
    const order = [...roots].sort((a, b) => L.ports[a].qy - L.ports[b].qy || L.ports[a].qx - L.ports[b].qx);
    for (const r of order) {
      const p = L.ports[r];
      const w = (5 + this.names[r].length) * 6.3;
      const x0 = this.rootLabelLeft(r) ? p.qx - L.switchRadius - 6 - w : p.qx + L.switchRadius + 6;
      const x1 = x0 + w;
      let shift = 0;
      for (
        let tries = 0;
        tries < 12 && placed.some((b) => b.x0 < x1 && x0 < b.x1 && Math.abs(b.y - (p.qy + shift)) < 12);
        tries++
      )
        shift += 12;
      placed.push({ x0, x1, y: p.qy + shift });
      out.set(r, shift);
    }
    return out;
  }

  /** Highlight a flow's path, the ports where it was blocked, and the roots responsible (or clear). */
  highlight(h: Highlight | null): void {
    const L = this.layout;
    this.highlightLayer.selectAll('*').remove();
    if (!h) return;
    this.highlightLayer
      .selectAll('path.victim-path')
      .data(h.path)
      .join('path')
      .attr('class', 'victim-path')
      .attr('d', (p) => portPath(L.ports[p]));
    this.highlightLayer
      .selectAll('rect.blocked-at')
      .data(h.blockedPorts)
      .join('rect')
      .attr('class', 'blocked-at')
      .attr('x', (p) => L.ports[p].qx - 5)
      .attr('y', (p) => L.ports[p].qy - 5)
      .attr('width', 10)
      .attr('height', 10)
      .append('title')
      .text((p) => `blocked here: ${this.names[p]} was paused`);
    this.highlightLayer
      .selectAll('circle.victim-root')
      .data(h.roots)
      .join('circle')
      .attr('class', 'victim-root')
      .attr('cx', (p) => L.ports[p].qx)
      .attr('cy', (p) => L.ports[p].qy)
      .attr('r', L.switchRadius + 7)
      .append('title')
      .text((p) => `root responsible: ${this.names[p]}`);
  }
}

let uid = 0;
