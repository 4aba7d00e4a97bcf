import * as d3 from 'd3';
import type { TopologyGraph } from '../../sim/topology/graph.ts';
import { portNames } from './layout.ts';
import {
  defaultFolded,
  foldGraph,
  foldGroups,
  laneState,
  type FoldGroups,
  type FoldMode,
  type FoldedGraph,
  type LaneState,
} from './fold.ts';
import { hideTooltip, showTooltip, svgDocument } from './plot.ts';

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
  /** Link directions a scheduled fault has failed at this time (faultsView.ts). */
  failed?: ReadonlyArray<{ port: number; state: 'down' | 'degraded' | 'lossy'; label: string }>;
}

export interface Highlight {
  path: number[];
  blockedPorts: number[];
  roots: number[];
}

/** A port's recorded history (the replay tape), for the hover's small plot. */
export interface PortHistory {
  tUs: number[];
  util: number[];
  queueBytes: number[];
}

/** Congestion-tree colours: distinct from the utilisation ramp, vermillion first. */
const TREE_COLORS = ['#D55E00', '#CC79A7', '#E69F00', '#56B4E9', '#7A5195', '#009E73'];
/** A pause cycle (a PFC deadlock) in a colour no tree uses, so that it cannot pass for an unknown root (grey). */
export const CYCLE_COLOR = '#E6007E';
const UNKNOWN_COLOR = '#888888';
const UTIL_LEVELS = 24;
/** Lanes drawn past which they become hairlines (paint): thickness no longer reads at that density. */
const HAIRLINE_LANES = 1000;
/** Roots named on the drawing at most (the largest trees); the rest are ringed, named on hover. */
const MAX_ROOT_LABELS = 12;
const SVGNS = 'http://www.w3.org/2000/svg';

const dark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

/** Utilisation → colour (viridis, CVD-safe; the busy end is the high-contrast end in either theme). */
export function utilColor(u: number, isDark = dark()): string {
  return isDark ? d3.interpolateViridis(0.15 + 0.85 * u) : d3.interpolateViridis(0.85 - 0.85 * u);
}

interface NodeGeom {
  x: number;
  y: number;
  /** Half-width of an aggregate's bar (0 for a single node, drawn as a disc). */
  hw: number;
  r: number;
}

interface LaneGeom {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Quadratic control point for arcs (same-tier links), else NaN. */
  cx: number;
  cy: number;
  qx: number;
  qy: number;
}

function lanePath(p: LaneGeom, reverse = false): string {
  const [ax, ay, bx, by] = reverse ? [p.x2, p.y2, p.x1, p.y1] : [p.x1, p.y1, p.x2, p.y2];
  if (Number.isNaN(p.cx)) return `M${ax.toFixed(1)},${ay.toFixed(1)}L${bx.toFixed(1)},${by.toFixed(1)}`;
  return `M${ax.toFixed(1)},${ay.toFixed(1)}Q${p.cx.toFixed(1)},${p.cy.toFixed(1)} ${bx.toFixed(1)},${by.toFixed(1)}`;
}

/** Squared distance from (px, py) to the segment (ax, ay)–(bx, by). */
function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  const x = ax + t * dx - px;
  const y = ay + t * dy - py;
  return x * x + y * y;
}

/**
 * The layered Clos view of one run, drawn for fabrics of any size: lanes (one per direction of a
 * drawn link) and queue discs on a canvas, coloured by utilisation, with the few things that
 * need to be read — paused edges as dashed arrows pointing upstream in their tree's colour, the
 * roots ringed and named, node labels, a selected flow's path — on an SVG layer above it. Pods
 * and the hosts under a ToR fold into aggregates (fold.ts) that open on click; the view pans and
 * zooms (drag, Ctrl/⌘ + wheel or pinch, the + / − buttons), labels appear as there is room for
 * them, and hovering a lane shows its numbers and its recorded queue and utilisation.
 */
export class TopologyView {
  /** The SVG layer (paused edges, roots, labels, highlights): what tests and screen readers query. */
  readonly svg: SVGSVGElement;
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly names: string[];
  private readonly groups: FoldGroups;
  private folded: Set<string>;
  private fg!: FoldedGraph;
  private nodeGeom: NodeGeom[] = [];
  private laneGeom: LaneGeom[] = [];
  private state: LaneState | null = null;
  private readonly zoomLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly pausedLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly failedLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly rootLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly labelLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly highlightLayer: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly zoom: d3.ZoomBehavior<SVGSVGElement, unknown>;
  private transform = d3.zoomIdentity;
  private readonly qScale: d3.ScalePower<number, number>;
  private frame: TopologyFrame | null = null;
  private pausedPrev: Map<number, number> | null = null;
  private cyclePrev: Set<number> | null = null;
  private pausedDirty = true;
  private hl: Highlight | null = null;
  private drawPending = false;
  private colors = { idle: '#c9c9cf', host: '#8a8a92', switchc: '#3d3d45', queue: '#0072b2', panel: '#fff' };
  private cssWidth = 0;
  /** How lanes summarise their members. */
  mode: FoldMode = 'worst';
  /** The recorded history of some ports (set by the page), for the hover plot. */
  historyOf: ((ports: number[]) => PortHistory | null) | null = null;
  /** Called with the port of a single-port lane the user clicked. */
  onPickPort: ((port: number) => void) | null = null;
  /** Called after a fold or unfold (the page keeps its notes in step). */
  onFold: (() => void) | null = null;
  /** What the last render drew, for tests and the debugging hook. */
  stats = { lanes: 0, busyLanes: 0, nodes: 0, pausedEdges: 0, labels: 0, failedLanes: 0 };

  constructor(
    container: HTMLElement,
    readonly graph: TopologyGraph,
    bufferBytes: number,
    readonly width = 560,
    readonly height = 300,
  ) {
    this.names = portNames(graph);
    this.groups = foldGroups(graph);
    this.folded = defaultFolded(graph, this.groups);
    const stage = document.createElement('div');
    stage.className = 'topo-stage';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'topo-canvas';
    this.canvas.setAttribute('aria-hidden', 'true');
    stage.append(this.canvas);
    container.append(stage);
    this.ctx = this.canvas.getContext('2d')!;
    const svg = d3
      .select(stage)
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
    TREE_COLORS.concat([UNKNOWN_COLOR, CYCLE_COLOR]).forEach((c, i) => {
      defs
        .append('marker')
        .attr('id', `bp-arrow-${i}-${uid}`)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerUnits', 'userSpaceOnUse')
        .attr('markerWidth', 12)
        .attr('markerHeight', 12)
        .attr('orient', 'auto-start-reverse')
        .append('path')
        .attr('d', 'M0,0L10,5L0,10z')
        .attr('fill', c);
    });
    this.markerUid = uid++;
    // Catches the pointer everywhere on the drawing (the layers above paint only a few shapes).
    svg.append('rect').attr('class', 'zoom-catcher').attr('width', width).attr('height', height);
    this.zoomLayer = svg.append('g').attr('class', 'zoom-layer');
    this.highlightLayer = this.zoomLayer.append('g').attr('class', 'highlight');
    this.failedLayer = this.zoomLayer.append('g').attr('class', 'failed');
    this.pausedLayer = this.zoomLayer.append('g').attr('class', 'paused');
    this.labelLayer = this.zoomLayer.append('g').attr('class', 'labels');
    this.rootLayer = this.zoomLayer.append('g').attr('class', 'roots');
    this.qScale = d3
      .scaleSqrt()
      .domain([0, Math.max(1, bufferBytes / 8)])
      .range([0, 10])
      .clamp(true);
    this.zoom = d3
      .zoom<SVGSVGElement, unknown>()
      .scaleExtent([1, 64])
      .translateExtent([
        [0, 0],
        [width, height],
      ])
      // Drag pans; the wheel zooms only with Ctrl/⌘ (a trackpad pinch sends it), so that the
      // page still scrolls over the drawing.
      .filter((ev: Event) => {
        if (ev.type === 'wheel') return (ev as WheelEvent).ctrlKey || (ev as WheelEvent).metaKey;
        return !(ev as MouseEvent).button;
      })
      .on('zoom', (ev: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
        this.transform = ev.transform;
        this.zoomLayer.attr('transform', ev.transform.toString());
        this.placeTexts();
        this.updateLabels();
        this.requestDraw();
      });
    svg.call(this.zoom).on('dblclick.zoom', null);
    svg
      .on('pointermove', (ev: PointerEvent) => this.hover(ev))
      .on('pointerleave', () => hideTooltip())
      .on('click', (ev: MouseEvent) => this.click(ev));
    new ResizeObserver(() => this.resize()).observe(stage);
    this.refold();
  }

  private readonly markerUid: number;

  // ---------------------------------------------------------------- folding and geometry

  /** The current fold (group keys), for tests. */
  foldedGroups(): string[] {
    return [...this.folded].sort();
  }

  /** Unfold (or fold back) one group by key: "hosts:<tor node>" or "pod:<n>". */
  toggleGroup(key: string): void {
    if (this.folded.has(key)) this.folded.delete(key);
    else this.folded.add(key);
    this.refold();
    this.onFold?.();
  }

  /** Fold everything as on first show, and zoom out. */
  resetView(): void {
    this.folded = defaultFolded(this.graph, this.groups);
    this.refold();
    d3.select(this.svg).call(this.zoom.transform, d3.zoomIdentity);
    this.onFold?.();
  }

  zoomBy(k: number): void {
    d3.select(this.svg).call(this.zoom.scaleBy, k);
  }

  private refold(): void {
    this.fg = foldGraph(this.graph, this.folded, this.groups);
    this.state = null;
    this.layout();
    this.pausedDirty = true;
    this.buildLabels();
    if (this.frame) this.render(this.frame);
    if (this.hl) this.highlight(this.hl);
  }

  private layout(): void {
    const { width, height, graph } = this;
    const fg = this.fg;
    const tiers = [...new Set(fg.nodes.map((v) => v.tier))].sort((a, b) => a - b);
    const count = new Map<number, number>();
    for (const v of fg.nodes) count.set(v.tier, (count.get(v.tier) ?? 0) + 1);
    const mx = 24;
    const inner = width - 2 * mx;
    // Links inside one tier (a ring's wrap-around) bow upwards: leave room for the widest bow.
    let widestBow = -1;
    for (const l of fg.lanes) {
      const a = fg.nodes[l.from];
      const b = fg.nodes[l.to];
      if (a.tier === b.tier) widestBow = Math.max(widestBow, Math.abs(a.xFrac - b.xFrac));
    }
    const bowRoom = widestBow >= 0 ? Math.min(80, widestBow * inner * 0.25) + 8 : 0;
    const top = 28 + bowRoom;
    const bottom = height - 22;
    const rowY = (tier: number) => {
      const i = tiers.indexOf(tier);
      return tiers.length === 1 ? (top + bottom) / 2 : bottom - (i * (bottom - top)) / (tiers.length - 1);
    };
    const hostGap = inner / Math.max(1, count.get(0) ?? 1);
    const hostRadius = Math.max(1.5, Math.min(6, hostGap * 0.35));
    const switchRadius = Math.max(
      3,
      Math.min(10, (inner / Math.max(1, ...[...count.entries()].filter(([t]) => t > 0).map(([, c]) => c))) * 0.3),
    );
    const hostTierGap = inner / Math.max(1, graph.hostCount);
    this.nodeGeom = fg.nodes.map((v) => {
      const r = v.tier === 0 ? hostRadius : switchRadius;
      const span = (v.x1Frac - v.x0Frac) * inner;
      return {
        x: mx + v.xFrac * inner,
        y: rowY(v.tier),
        hw: v.folded ? Math.max(r, span / 2 + Math.min(r, hostTierGap)) : 0,
        r,
      };
    });
    const lane = Math.max(0.8, Math.min(2.5, hostGap * 0.18));
    this.laneGeom = fg.lanes.map((l) => {
      const A = this.nodeGeom[l.from];
      const B = this.nodeGeom[l.to];
      const dx = B.x - A.x;
      const dy = B.y - A.y;
      const len = Math.hypot(dx, dy) || 1;
      // Offset each direction to its right-hand side, so the two lanes never overlap.
      const ox = (-dy / len) * lane;
      const oy = (dx / len) * lane;
      const x1 = A.x + ox;
      const y1 = A.y + oy;
      const x2 = B.x + ox;
      const y2 = B.y + oy;
      let cx = NaN;
      let cy = NaN;
      const sameTier = fg.nodes[l.from].tier === fg.nodes[l.to].tier;
      if (sameTier) {
        cx = (x1 + x2) / 2;
        cy = Math.min(y1, y2) - Math.min(80, Math.abs(dx) * 0.25) + (l.from < l.to ? -lane * 2 : lane * 2);
      }
      const f = Math.min(0.3, (A.r * 2.2) / len);
      const qx = Number.isNaN(cx) ? x1 + (x2 - x1) * f : x1 + (cx - x1) * f * 2;
      const qy = Number.isNaN(cy) ? y1 + (y2 - y1) * f : y1 + (cy - y1) * f * 2;
      return { x1, y1, x2, y2, cx, cy, qx, qy };
    });
    this.qScale.range([0, Math.max(2.5, switchRadius * 1.1)]);
  }

  private resize(): void {
    const w = this.svg.getBoundingClientRect().width;
    if (w <= 0 || w === this.cssWidth) return;
    this.cssWidth = w;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round((w * this.height * dpr) / this.width);
    this.updateLabels();
    this.draw();
  }

  // ---------------------------------------------------------------- labels

  private buildLabels(): void {
    const fg = this.fg;
    const data = fg.nodes.map((v) => ({ id: v.id, name: v.name, tier: v.tier }));
    this.labelLayer
      .selectAll<SVGTextElement, (typeof data)[number]>('text')
      .data(data, (d) => `${d.id}:${d.name}`)
      .join('text')
      .attr('class', (d) => (d.tier === 0 ? 'node-label host-label' : 'node-label'))
      .attr('text-anchor', 'middle')
      .attr('data-x', (d) => this.nodeGeom[d.id].x)
      .attr('data-y', (d) => {
        const g = this.nodeGeom[d.id];
        return d.tier === 0 ? g.y + g.r + 10 : g.y - g.r - 4;
      })
      .text((d) => d.name);
    this.placeTexts();
    this.updateLabels();
  }

  /** Text keeps its size as the view zooms: each label is placed at its anchor and scaled by 1/k. */
  private placeTexts(): void {
    const k = this.transform.k;
    for (const el of this.zoomLayer.node()!.querySelectorAll<SVGTextElement>('text[data-x]')) {
      const dx = Number(el.dataset.dx ?? 0);
      const dy = Number(el.dataset.dy ?? 0);
      el.setAttribute('transform', `translate(${el.dataset.x},${el.dataset.y}) scale(${1 / k}) translate(${dx},${dy})`);
    }
  }

  /**
   * Show a node's label when there is room for it at this zoom: per tier, every m-th node where
   * m is the number of neighbours a label's width covers (so "h10" does not run into "h11").
   */
  private updateLabels(): void {
    const k = this.transform.k;
    const scale = this.cssWidth > 0 ? this.cssWidth / this.width : 1;
    const byTier = new Map<number, number[]>();
    for (const v of this.fg.nodes) {
      const t = byTier.get(v.tier) ?? [];
      t.push(v.id);
      byTier.set(v.tier, t);
    }
    const visible = new Set<number>();
    for (const [tier, ids] of byTier) {
      ids.sort((a, b) => this.nodeGeom[a].x - this.nodeGeom[b].x);
      const inner = this.width - 48;
      const gapPx = (inner / Math.max(1, ids.length)) * k * scale;
      const px = tier === 0 ? 5.2 : 6.4; // average glyph width of the 8-px / 10-px labels
      const longest = Math.max(...ids.map((i) => this.fg.nodes[i].name.length));
      const need = longest * px + 6;
      const every = Math.max(1, Math.ceil(need / Math.max(1e-9, gapPx)));
      // Past 400 nodes in a tier no label is readable at this zoom: leave them all out.
      if (ids.length / every > 400) continue;
      ids.forEach((id, i) => {
        if (i % every === 0) visible.add(id);
      });
    }
    let shown = 0;
    this.labelLayer.selectAll<SVGTextElement, { id: number }>('text').each(function (d) {
      const on = visible.has(d.id);
      if (on) shown++;
      this.style.display = on ? '' : 'none';
    });
    this.stats.labels = shown;
  }

  // ---------------------------------------------------------------- drawing

  /** Read the theme's colours (after a theme change) and repaint everything. */
  invalidate(): void {
    const cs = getComputedStyle(document.documentElement);
    const v = (n: string, d: string) => cs.getPropertyValue(n).trim() || d;
    this.colors = {
      idle: v('--link-idle', '#c9c9cf'),
      host: v('--host', '#8a8a92'),
      switchc: v('--switch', '#3d3d45'),
      queue: v('--queue', '#0072b2'),
      panel: v('--panel', '#fff'),
    };
    this.pausedDirty = true;
    if (this.frame) this.render(this.frame);
    else this.draw();
  }

  portName(port: number): string {
    return this.names[port];
  }

  portByName(name: string): number {
    return this.names.indexOf(name);
  }

  private requestDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  /** Paint lanes, queues and nodes into a 2D context in layout coordinates. */
  private paint(ctx: CanvasRenderingContext2D, k: number, devicePerUnit = k): void {
    const s = this.state;
    const isDark = dark();
    const G = this.laneGeom;
    const widthScale = 1 / Math.sqrt(k);
    const level = (u: number) => (u < 0.01 ? 0 : 1 + Math.min(UTIL_LEVELS - 1, Math.floor(u * UTIL_LEVELS)));
    // Grouped by colour level (one style change per level), a path per lane with butt caps.
    // Past HAIRLINE_LANES lanes, lanes are hairlines (under one device pixel, coloured by
    // utilisation only): a software canvas rasterises those on a fast path, 2,112 lanes of the
    // folded 1,024-host fat-tree in 11 ms instead of 29 ms, and at that density a thicker lane
    // would only cover its neighbours (docs/performance.md, "The page").
    const hairline = G.length > HAIRLINE_LANES ? 0.85 / devicePerUnit : 0;
    const buckets: number[][] = Array.from({ length: UTIL_LEVELS + 1 }, () => []);
    for (let i = 0; i < G.length; i++) buckets[s ? level(s.util[i]) : 0].push(i);
    ctx.lineCap = 'butt';
    let busy = 0;
    for (let lvl = 0; lvl <= UTIL_LEVELS; lvl++) {
      const b = buckets[lvl];
      if (!b.length) continue;
      if (lvl > 0) busy += b.length;
      const uu = (lvl - 0.5) / UTIL_LEVELS;
      ctx.strokeStyle = lvl === 0 ? this.colors.idle : utilColor(uu, isDark);
      ctx.lineWidth = hairline || (lvl === 0 ? 0.8 : 1 + 2.2 * uu) * widthScale;
      for (const i of b) {
        const p = G[i];
        ctx.beginPath();
        ctx.moveTo(p.x1, p.y1);
        if (Number.isNaN(p.cx)) ctx.lineTo(p.x2, p.y2);
        else ctx.quadraticCurveTo(p.cx, p.cy, p.x2, p.y2);
        ctx.stroke();
      }
    }
    this.stats.lanes = G.length;
    this.stats.busyLanes = busy;
    if (s) {
      ctx.fillStyle = this.colors.queue;
      ctx.globalAlpha = 0.75;
      ctx.beginPath();
      for (let i = 0; i < G.length; i++) {
        const r = this.qScale(s.queueBytes[i]);
        if (r < 0.25) continue;
        ctx.moveTo(G[i].qx + r, G[i].qy);
        ctx.arc(G[i].qx, G[i].qy, r, 0, 2 * Math.PI);
      }
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    const N = this.nodeGeom;
    for (const tier of [0, 1]) {
      ctx.fillStyle = tier === 0 ? this.colors.host : this.colors.switchc;
      ctx.beginPath();
      this.fg.nodes.forEach((v, i) => {
        if ((v.tier === 0) !== (tier === 0)) return;
        const g = N[i];
        if (g.hw > 0) {
          ctx.roundRect(g.x - g.hw, g.y - g.r, 2 * g.hw, 2 * g.r, g.r);
        } else {
          ctx.moveTo(g.x + g.r, g.y);
          ctx.arc(g.x, g.y, g.r, 0, 2 * Math.PI);
        }
      });
      ctx.fill();
    }
    this.stats.nodes = this.fg.nodes.length;
  }

  private draw(): void {
    const ctx = this.ctx;
    const { width: cw, height: ch } = this.canvas;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, cw, ch);
    if (!cw) return;
    const s = cw / this.width;
    const t = this.transform;
    ctx.setTransform(s * t.k, 0, 0, s * t.k, s * t.x, s * t.y);
    this.paint(ctx, t.k, s * t.k);
  }

  render(f: TopologyFrame): void {
    this.frame = f;
    this.state = laneState(this.fg, f.util, f.queueBytes, f.paused, this.mode, this.state ?? undefined);
    this.draw();
    this.renderPaused(f);
    this.renderFailed(f);
  }

  /** Failed links: a red line over the lane (dashed when degraded or lossy) with a cross at its middle. */
  private renderFailed(f: TopologyFrame): void {
    const byLane = new Map<number, { lane: number; port: number; state: string; labels: string[] }>();
    for (const x of f.failed ?? []) {
      const lane = this.fg.portLane[x.port];
      if (lane < 0) continue;
      const e = byLane.get(lane);
      if (e) {
        e.labels.push(x.label);
        if (x.state === 'down') e.state = 'down';
      } else byLane.set(lane, { lane, port: x.port, state: x.state, labels: [x.label] });
    }
    const data = [...byLane.values()];
    this.stats.failedLanes = data.length;
    const g = this.failedLayer
      .selectAll<SVGGElement, (typeof data)[number]>('g.failed-link')
      .data(data, (d) => String(d.lane))
      .join((enter) => {
        const e = enter.append('g');
        e.append('path').attr('class', 'failed-line');
        e.append('path').attr('class', 'failed-cross');
        e.append('title');
        return e;
      })
      .attr('class', (d) => `failed-link ${d.state}`)
      .attr('data-port', (d) => d.port)
      .attr('data-state', (d) => d.state);
    g.select('path.failed-line').attr('d', (d) => lanePath(this.laneGeom[d.lane]));
    g.select('path.failed-cross').attr('d', (d) => {
      const p = this.laneGeom[d.lane];
      const [mx, my] = Number.isNaN(p.cx)
        ? [(p.x1 + p.x2) / 2, (p.y1 + p.y2) / 2]
        : [(p.x1 + 2 * p.cx + p.x2) / 4, (p.y1 + 2 * p.cy + p.y2) / 4];
      const r = 4;
      return `M${mx - r},${my - r}L${mx + r},${my + r}M${mx - r},${my + r}L${mx + r},${my - r}`;
    });
    g.select('title').text((d) => d.labels.join('\n'));
  }

  private renderPaused(f: TopologyFrame): void {
    // Rebuilt only when the paused set (or the known cycle) changed: compared entry by entry,
    // without building strings, since this runs every frame.
    const cyc = f.cyclePorts ?? null;
    const prev = this.pausedPrev;
    let same = !this.pausedDirty && prev !== null && prev.size === f.paused.size && this.cyclePrev === cyc;
    if (same)
      for (const [p, r] of f.paused)
        if (prev!.get(p) !== r) {
          same = false;
          break;
        }
    if (same) return;
    this.pausedPrev = new Map(f.paused);
    this.cyclePrev = cyc;
    this.pausedDirty = false;
    const cycle = f.cyclePorts ?? null;
    // Only the cycle's own edges in the cycle's colour: the edges it back-pressures (rooted in the
    // cycle, not part of it) are drawn as of an unknown root.
    const rootOf = (port: number, r: number) => (r === -2 && cycle !== null && !cycle.has(port) ? -1 : r);
    // Trees by size (paused edges), largest first: they get the first colours and the labels.
    const treeSize = new Map<number, number>();
    for (const [p, r] of f.paused) {
      const rr = rootOf(p, r);
      if (rr >= 0) treeSize.set(rr, (treeSize.get(rr) ?? 0) + 1);
    }
    const roots = [...treeSize.keys()].sort((a, b) => a - b);
    const colorIdx = (r: number) =>
      r === -2 ? TREE_COLORS.length + 1 : r < 0 ? TREE_COLORS.length : roots.indexOf(r) % TREE_COLORS.length;
    const color = (r: number) => (r === -2 ? CYCLE_COLOR : r < 0 ? UNKNOWN_COLOR : TREE_COLORS[colorIdx(r)]);
    // One edge per drawn lane: its paused members' most common root.
    const byLane = new Map<number, { port: number; count: number; roots: Map<number, number>; cause: number }>();
    for (const [port, r] of f.paused) {
      const li = this.fg.portLane[port];
      if (li < 0) continue;
      let e = byLane.get(li);
      if (!e) byLane.set(li, (e = { port, count: 0, roots: new Map(), cause: r }));
      e.count++;
      const rr = rootOf(port, r);
      e.roots.set(rr, (e.roots.get(rr) ?? 0) + 1);
    }
    const edges = [...byLane].map(([lane, e]) => {
      const root = [...e.roots].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
      return { lane, port: e.port, count: e.count, root, cause: e.cause, members: this.fg.lanes[lane].ports.length };
    });
    this.stats.pausedEdges = edges.length;
    const rootText = (d: { root: number; cause: number }) =>
      d.root >= 0
        ? this.names[d.root]
        : d.root === -2
          ? 'cycle (deadlock)'
          : d.cause === -2
            ? 'the deadlock cycle, upstream of it'
            : '?';
    this.pausedLayer
      .selectAll<SVGPathElement, (typeof edges)[number]>('path')
      .data(edges, (d) => String(d.lane))
      .join('path')
      .attr('class', (d) => (d.root === -2 ? 'paused-edge cycle' : 'paused-edge'))
      .attr('data-port', (d) => d.port)
      .attr('data-root', (d) => d.root)
      .attr('data-count', (d) => d.count)
      .attr('d', (d) => lanePath(this.laneGeom[d.lane], true))
      .attr('stroke', (d) => color(d.root))
      .attr('marker-end', (d) => `url(#bp-arrow-${colorIdx(d.root)}-${this.markerUid})`)
      .selectAll('title')
      .data((d) => [d])
      .join('title')
      .text((d) =>
        d.members > 1
          ? `${d.count} of ${d.members} ports paused (back-pressure ←); root ${rootText(d)}`
          : `${this.names[d.port]} paused by ${this.names[d.port ^ 1]} (back-pressure ←); root ${rootText(d)}`,
      );
    // Roots: ringed where their queue is drawn; the largest trees named.
    const labelled = new Set(
      [...treeSize]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, MAX_ROOT_LABELS)
        .map(([r]) => r),
    );
    const rootData = roots.map((r) => ({ r, ...this.portPoint(r), label: labelled.has(r) }));
    const shift = this.spreadRootLabels(rootData.filter((d) => d.label));
    const sr = Math.max(...this.nodeGeom.map((g) => g.r));
    const rg = this.rootLayer
      .selectAll<SVGGElement, (typeof rootData)[number]>('g.root-marker')
      .data(rootData, (d) => String(d.r))
      .join((enter) => {
        const g = enter.append('g').attr('class', 'root-marker');
        g.append('circle');
        return g;
      });
    rg.attr('data-root', (d) => d.r);
    rg.select('circle')
      .attr('cx', (d) => d.x)
      .attr('cy', (d) => d.y)
      .attr('r', sr * 0.9 + 3)
      .attr('stroke', (d) => color(d.r));
    rg.selectAll<SVGTextElement, (typeof rootData)[number]>('text.root-label')
      .data((d) => (d.label ? [d] : []))
      .join('text')
      .attr('class', 'root-label')
      .attr('fill', (d) => color(d.r))
      .attr('text-anchor', (d) => (this.rootLabelLeft(d.x) ? 'end' : 'start'))
      .attr('data-x', (d) => d.x)
      .attr('data-y', (d) => d.y)
      .attr('data-dx', (d) => (this.rootLabelLeft(d.x) ? -(sr + 6) : sr + 6))
      .attr('data-dy', (d) => 4 + (shift.get(d.r) ?? 0))
      .text((d) => `root ${this.names[d.r]}`);
    this.placeTexts();
  }

  /** Where a port is drawn: its lane's queue disc, or its node when its link is folded away. */
  private portPoint(port: number): { x: number; y: number } {
    const li = this.fg.portLane[port];
    if (li >= 0) return { x: this.laneGeom[li].qx, y: this.laneGeom[li].qy };
    const g = this.nodeGeom[this.fg.nodeOf[this.graph.links[port >> 1][port & 1 ? 'b' : 'a']]];
    return { x: g.x, y: g.y };
  }

  /** A root label in the right half goes to the left of its ring, so that the drawing's edge does not cut it. */
  private rootLabelLeft(x: number): boolean {
    return x > this.width / 2;
  }

  /**
   * Vertical offsets that keep root labels apart from each other and from the switch labels
   * shown: labels are placed top to bottom, each moved down a line at a time past those already
   * placed (widths estimated at 6.3 px per character of the 11-px bold label, 6.4 px for the
   * 10-px node labels).
   */
  private spreadRootLabels(roots: Array<{ r: number; x: number; y: number }>): Map<number, number> {
    const out = new Map<number, number>();
    const placed: Array<{ x0: number; x1: number; y: number }> = [];
    const sr = Math.max(...this.nodeGeom.map((g) => g.r));
    this.labelLayer.selectAll<SVGTextElement, { id: number }>('text').each(function () {
      if (this.style.display === 'none') return;
      const x = Number(this.dataset.x);
      const w = (this.textContent ?? '').length * 6.4;
      placed.push({ x0: x - w / 2, x1: x + w / 2, y: Number(this.dataset.y) - 3 });
    });
    const order = [...roots].sort((a, b) => a.y - b.y || a.x - b.x);
    for (const p of order) {
      const w = (5 + this.names[p.r].length) * 6.3;
      const x0 = this.rootLabelLeft(p.x) ? p.x - sr - 6 - w : p.x + sr + 6;
      const x1 = x0 + w;
      let shift = 0;
      for (
        let tries = 0;
        tries < 12 && placed.some((b) => b.x0 < x1 && x0 < b.x1 && Math.abs(b.y - (p.y + shift)) < 12);
        tries++
      )
        shift += 12;
      placed.push({ x0, x1, y: p.y + shift });
      out.set(p.r, shift);
    }
    return out;
  }

  /** Highlight a flow's path, the ports where it was blocked, and the roots responsible (or clear). */
  highlight(h: Highlight | null): void {
    this.hl = h;
    this.highlightLayer.selectAll('*').remove();
    if (!h) return;
    const lanes = [...new Set(h.path.map((p) => this.fg.portLane[p]).filter((l) => l >= 0))];
    this.highlightLayer
      .selectAll('path.victim-path')
      .data(lanes)
      .join('path')
      .attr('class', 'victim-path')
      .attr('d', (l) => lanePath(this.laneGeom[l]));
    this.highlightLayer
      .selectAll('rect.blocked-at')
      .data(h.blockedPorts)
      .join('rect')
      .attr('class', 'blocked-at')
      .attr('x', (p) => this.portPoint(p).x - 5)
      .attr('y', (p) => this.portPoint(p).y - 5)
      .attr('width', 10)
      .attr('height', 10)
      .append('title')
      .text((p) => `blocked here: ${this.names[p]} was paused`);
    const sr = Math.max(...this.nodeGeom.map((g) => g.r));
    this.highlightLayer
      .selectAll('circle.victim-root')
      .data(h.roots)
      .join('circle')
      .attr('class', 'victim-root')
      .attr('cx', (p) => this.portPoint(p).x)
      .attr('cy', (p) => this.portPoint(p).y)
      .attr('r', sr + 7)
      .append('title')
      .text((p) => `root responsible: ${this.names[p]}`);
  }

  // ---------------------------------------------------------------- picking

  /** The node or lane under a point in layout coordinates (within a few screen pixels). */
  pick(x: number, y: number): { node: number } | { lane: number } | null {
    const k = this.transform.k;
    const scale = this.cssWidth > 0 ? this.cssWidth / this.width : 1;
    const tol = 5 / (k * scale);
    let best = -1;
    let bestD = Infinity;
    this.nodeGeom.forEach((g, i) => {
      const dx = g.hw > 0 ? Math.max(0, Math.abs(x - g.x) - g.hw) : x - g.x;
      const d = Math.hypot(dx, y - g.y) - g.r;
      if (d < tol && d < bestD) {
        bestD = d;
        best = i;
      }
    });
    if (best >= 0) return { node: best };
    const tol2 = tol * tol;
    let lane = -1;
    let laneD = Infinity;
    for (let i = 0; i < this.laneGeom.length; i++) {
      const p = this.laneGeom[i];
      const d = Number.isNaN(p.cx)
        ? segDist2(x, y, p.x1, p.y1, p.x2, p.y2)
        : Math.min(segDist2(x, y, p.x1, p.y1, p.cx, p.cy), segDist2(x, y, p.cx, p.cy, p.x2, p.y2));
      if (d < laneD) {
        laneD = d;
        lane = i;
      }
    }
    return lane >= 0 && laneD <= tol2 ? { lane } : null;
  }

  /** Where a lane's middle is drawn, in page coordinates (tests hover there). */
  laneClientPoint(lane: number): { x: number; y: number } {
    const p = this.laneGeom[lane];
    const t = this.transform;
    const r = this.svg.getBoundingClientRect();
    const s = r.width / this.width;
    const [wx, wy] = Number.isNaN(p.cx)
      ? [(p.x1 + p.x2) / 2, (p.y1 + p.y2) / 2]
      : [(p.x1 + 2 * p.cx + p.x2) / 4, (p.y1 + 2 * p.cy + p.y2) / 4];
    return { x: r.left + s * (t.k * wx + t.x), y: r.top + s * (t.k * wy + t.y) };
  }

  /** The lane drawn for a port (-1 when its link is folded inside one aggregate). */
  laneOfPort(port: number): number {
    return this.fg.portLane[port];
  }

  private hover(ev: PointerEvent): void {
    const [x, y] = d3.pointer(ev, this.zoomLayer.node());
    const hit = this.pick(x, y);
    if (!hit) {
      hideTooltip();
      this.svg.style.cursor = '';
      return;
    }
    if ('node' in hit) {
      const v = this.fg.nodes[hit.node];
      this.svg.style.cursor = v.group ? 'pointer' : '';
      const lines = [v.name];
      if (v.folded) lines.push(`${v.members.length} nodes folded: click to unfold`);
      else if (v.group)
        lines.push(`click to fold ${v.group.startsWith('pod') ? 'its pod' : 'the hosts of its switch'}`);
      showTooltip(ev, lines);
      return;
    }
    this.svg.style.cursor = '';
    const l = this.fg.lanes[hit.lane];
    const s = this.state;
    const f = this.frame;
    const fmtB = d3.format(',');
    const lines: string[] = [];
    if (l.ports.length === 1) lines.push(`port ${l.ports[0]}: ${this.names[l.ports[0]]}`);
    else
      lines.push(
        `${this.fg.nodes[l.from].name} → ${this.fg.nodes[l.to].name}: ${l.ports.length} ports (${this.mode} shown)`,
      );
    // Clamped: a short window can count one frame more than line rate (liveSampler.ts).
    if (s && f?.util) lines.push(`utilisation: ${(Math.min(1, s.util[hit.lane]) * 100).toFixed(1)} %`);
    if (s && f?.queueBytes) lines.push(`queue: ${fmtB(Math.round(s.queueBytes[hit.lane]))} B`);
    if (l.ports.length === 1) {
      const r = f?.paused.get(l.ports[0]);
      if (r !== undefined)
        lines.push(
          `PAUSED by ${this.names[l.ports[0] ^ 1]} · root ${r >= 0 ? this.names[r] : r === -2 ? '(cycle: deadlock)' : '?'}`,
        );
    } else if (s && s.pausedCount[hit.lane] > 0) lines.push(`${s.pausedCount[hit.lane]} ports PAUSED`);
    const hist = this.historyOf?.(l.ports) ?? null;
    showTooltip(ev, lines, hist ? sparkline(hist, f?.simTimePs ?? null) : undefined);
  }

  private click(ev: MouseEvent): void {
    if (ev.defaultPrevented) return;
    const [x, y] = d3.pointer(ev, this.zoomLayer.node());
    const hit = this.pick(x, y);
    if (hit && 'lane' in hit) {
      const ports = this.fg.lanes[hit.lane].ports;
      if (ports.length === 1) this.onPickPort?.(ports[0]);
      return;
    }
    if (!hit) return;
    const v = this.fg.nodes[hit.node];
    if (v.group) {
      hideTooltip();
      this.toggleGroup(v.group);
    }
  }

  /** Node names of the drawn nodes (for tests). */
  drawnNodes(): Array<{ name: string; folded: boolean; group: string | null }> {
    return this.fg.nodes.map((v) => ({ name: v.name, folded: v.folded, group: v.group }));
  }

  /** Where a drawn node is, in page coordinates. */
  nodeClientPoint(node: number): { x: number; y: number } {
    const g = this.nodeGeom[node];
    const t = this.transform;
    const r = this.svg.getBoundingClientRect();
    const s = r.width / this.width;
    return { x: r.left + s * (t.k * g.x + t.x), y: r.top + s * (t.k * g.y + t.y) };
  }

  // ---------------------------------------------------------------- export

  /**
   * A standalone SVG of the whole drawing (unzoomed): lanes, queues and nodes as vector shapes,
   * then the SVG layer with its computed styles written in (labels keep their halo).
   */
  exportSvg(): string {
    const out = document.createElementNS(SVGNS, 'svg') as SVGSVGElement;
    out.setAttribute('viewBox', `0 0 ${this.width} ${this.height}`);
    out.setAttribute('width', String(this.width));
    out.setAttribute('height', String(this.height));
    const s = this.state;
    const isDark = dark();
    const lanes = document.createElementNS(SVGNS, 'g');
    this.laneGeom.forEach((p, i) => {
      const u = s ? s.util[i] : 0;
      const path = document.createElementNS(SVGNS, 'path');
      path.setAttribute('d', lanePath(p));
      path.setAttribute('fill', 'none');
      path.setAttribute('stroke-linecap', 'round');
      if (u < 0.01) {
        path.setAttribute('stroke', this.colors.idle);
        path.setAttribute('stroke-width', '0.8');
      } else {
        const lvl = 1 + Math.min(UTIL_LEVELS - 1, Math.floor(Math.min(1, u) * UTIL_LEVELS));
        const uu = (lvl - 0.5) / UTIL_LEVELS;
        path.setAttribute('stroke', utilColor(uu, isDark));
        path.setAttribute('stroke-width', (1 + 2.2 * uu).toFixed(2));
      }
      lanes.append(path);
      const r = s ? this.qScale(s.queueBytes[i]) : 0;
      if (r >= 0.25) {
        const c = document.createElementNS(SVGNS, 'circle');
        c.setAttribute('cx', p.qx.toFixed(1));
        c.setAttribute('cy', p.qy.toFixed(1));
        c.setAttribute('r', r.toFixed(2));
        c.setAttribute('fill', this.colors.queue);
        c.setAttribute('fill-opacity', '0.75');
        lanes.append(c);
      }
    });
    this.fg.nodes.forEach((v, i) => {
      const g = this.nodeGeom[i];
      const el = document.createElementNS(SVGNS, g.hw > 0 ? 'rect' : 'circle');
      if (g.hw > 0) {
        el.setAttribute('x', (g.x - g.hw).toFixed(1));
        el.setAttribute('y', (g.y - g.r).toFixed(1));
        el.setAttribute('width', (2 * g.hw).toFixed(1));
        el.setAttribute('height', (2 * g.r).toFixed(1));
        el.setAttribute('rx', g.r.toFixed(1));
      } else {
        el.setAttribute('cx', g.x.toFixed(1));
        el.setAttribute('cy', g.y.toFixed(1));
        el.setAttribute('r', g.r.toFixed(1));
      }
      el.setAttribute('fill', v.tier === 0 ? this.colors.host : this.colors.switchc);
      lanes.append(el);
    });
    out.append(lanes);
    out.append(this.svg.querySelector('defs')!.cloneNode(true));
    const layer = this.zoomLayer.node()!.cloneNode(true) as SVGGElement;
    layer.removeAttribute('transform');
    for (const t of layer.querySelectorAll<SVGTextElement>('text[data-x]'))
      t.setAttribute(
        'transform',
        `translate(${Number(t.dataset.x) + Number(t.dataset.dx ?? 0)},${Number(t.dataset.y) + Number(t.dataset.dy ?? 0)})`,
      );
    out.append(layer);
    // Styles are read from the live page (svgDocument), so the copy is put in it, unseen, meanwhile.
    const hold = document.createElement('div');
    hold.style.cssText = 'position:absolute;visibility:hidden;width:0;height:0;overflow:hidden';
    hold.append(out);
    this.svg.parentElement!.append(hold);
    try {
      return svgDocument(out);
    } finally {
      hold.remove();
    }
  }
}

let uid = 0;

/** A small queue (area) and utilisation (line) plot of a port's recorded history, for the tooltip. */
function sparkline(h: PortHistory, nowPs: number | null): SVGSVGElement {
  const w = 220;
  const ht = 64;
  const svg = d3.create('svg').attr('class', 'sparkline').attr('width', w).attr('height', ht);
  if (h.tUs.length < 2) return svg.node()!;
  const x = d3
    .scaleLinear()
    .domain([h.tUs[0], h.tUs[h.tUs.length - 1]])
    .range([2, w - 2]);
  const qMax = Math.max(1, ...h.queueBytes);
  const yq = d3
    .scaleLinear()
    .domain([0, qMax])
    .range([ht - 14, 4]);
  const yu = d3
    .scaleLinear()
    .domain([0, 1])
    .range([ht - 14, 4]);
  const idx = d3.range(h.tUs.length);
  svg
    .append('path')
    .attr('class', 'spark-queue')
    .attr(
      'd',
      d3
        .area<number>()
        .x((i) => x(h.tUs[i]))
        .y0(yq(0))
        .y1((i) => yq(h.queueBytes[i]))(idx),
    );
  svg
    .append('path')
    .attr('class', 'spark-util')
    .attr(
      'd',
      d3
        .line<number>()
        .x((i) => x(h.tUs[i]))
        .y((i) => yu(Math.min(1, h.util[i])))(idx),
    );
  if (nowPs !== null)
    svg
      .append('line')
      .attr('class', 'time-marker')
      .attr('x1', x(nowPs / 1e6))
      .attr('x2', x(nowPs / 1e6))
      .attr('y1', 2)
      .attr('y2', ht - 12);
  svg
    .append('text')
    .attr('x', 2)
    .attr('y', ht - 2)
    .attr('class', 'spark-caption')
    .text(`queue (area, max ${d3.format('.3~s')(qMax)}B) · utilisation (line)`);
  return svg.node()!;
}
