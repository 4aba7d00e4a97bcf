import * as d3 from 'd3';
import type { Point } from './transforms.ts';

/**
 * Small D3 chart helpers in the spirit of Observable Plot: a plot is data + a few options in,
 * an SVG out, with labelled axes (units in the label), one path per series (class
 * `series-line`, `data-series` = its name) and a hover readout of the exact values nearest the
 * pointer. Colours come from the caller (one per variant).
 */

/** Okabe–Ito: distinguishable with every common colour-vision deficiency. */
const VARIANT_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];
/** The same set for a dark page: its blue (#0072B2) has too little contrast on it, so sky blue comes first. */
const VARIANT_COLORS_DARK = ['#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#0072B2', '#D55E00', '#F0E442', '#999999'];

/** Variant i's colour, for the theme in force when its run starts (a run keeps its colours). */
export function variantColor(i: number): string {
  const dark = typeof window !== 'undefined' && (window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false);
  const set = dark ? VARIANT_COLORS_DARK : VARIANT_COLORS;
  return set[i % set.length];
}

export interface LineSeries {
  name: string;
  color: string;
  points: Point[];
  dash?: string;
}

export interface AxisSpec {
  label: string;
  type?: 'linear' | 'log';
  domain?: [number, number];
  format?: (v: number) => string;
  tickFormat?: (v: number) => string;
}

export interface LinePlotSpec {
  series: LineSeries[];
  x: AxisSpec;
  y: AxisSpec;
  /** Draw as a step function (CDFs, counts). */
  step?: boolean;
  width?: number;
  height?: number;
  /** Vertical marker at this x (the scrubber's time). */
  marker?: number;
  /** Events on the x axis (faults: a link failing or coming back), drawn as thin vertical marks with their label. */
  events?: EventMark[];
  empty?: string;
  /** Draw a key of the series (default: when there is more than one). */
  legend?: boolean;
  /** A time axis shared with other views: hovering reports the x under the pointer (null on
   *  leaving), a click fixes it (the page's one time cursor). */
  cursor?: { hover(x: number | null): void; pick(x: number): void };
}

export interface EventMark {
  x: number;
  label: string;
  /** A class added to the mark ("fail", "restore"). */
  kind?: string;
}

interface MarkerGeom {
  x: d3.ScaleContinuousNumeric<number, number>;
  top: number;
  bottom: number;
}
const markerGeom = new WeakMap<SVGSVGElement, MarkerGeom>();

/** Move a plot's time marker to x (null removes it) without redrawing the plot. */
export function setMarker(svgEl: SVGSVGElement, value: number | null): void {
  const g = markerGeom.get(svgEl);
  if (!g) return;
  const px = value === null ? NaN : g.x(value);
  let line = svgEl.querySelector<SVGLineElement>('line.time-marker');
  if (!Number.isFinite(px) || px < g.x.range()[0] - 0.5 || px > g.x.range()[1] + 0.5) {
    line?.remove();
    return;
  }
  if (!line) {
    line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
    line.setAttribute('class', 'time-marker');
    line.setAttribute('y1', String(g.top));
    line.setAttribute('y2', String(g.bottom));
    svgEl.querySelector('.hover-target')?.before(line) ?? svgEl.append(line);
  }
  line.setAttribute('x1', String(px));
  line.setAttribute('x2', String(px));
}

const fmt3 = d3.format('.4~g');

let tooltip: HTMLDivElement | null = null;
function tip(): HTMLDivElement {
  if (!tooltip) {
    tooltip = document.createElement('div');
    tooltip.className = 'tooltip';
    tooltip.setAttribute('role', 'status');
    document.body.appendChild(tooltip);
  }
  return tooltip;
}

/** The drawing the tooltip belongs to: a redraw hides only its own drawing's tooltip. */
let tooltipOwner: Element | null = null;

export function showTooltip(ev: PointerEvent | MouseEvent, lines: string[], extra?: Node): void {
  const t = tip();
  tooltipOwner = (ev.target as Element | null)?.closest?.('svg') ?? null;
  t.replaceChildren(
    ...lines.map((l) => {
      const d = document.createElement('div');
      d.textContent = l;
      return d;
    }),
    ...(extra ? [extra] : []),
  );
  t.style.display = 'block';
  const x = Math.min(window.innerWidth - t.offsetWidth - 8, ev.clientX + 14);
  t.style.left = `${x + window.scrollX}px`;
  t.style.top = `${ev.clientY + window.scrollY + 14}px`;
}

/** Hide the tooltip; with `owner`, only when it belongs to that drawing (one being redrawn). */
export function hideTooltip(owner?: Element): void {
  if (owner !== undefined && owner !== tooltipOwner) return;
  if (tooltip) tooltip.style.display = 'none';
}

function makeScale(
  spec: AxisSpec,
  values: number[],
  range: [number, number],
): d3.ScaleContinuousNumeric<number, number> {
  if (spec.type === 'log') {
    const pos = values.filter((v) => v > 0);
    const dom = spec.domain ?? (pos.length ? (d3.extent(pos) as [number, number]) : [1, 10]);
    if (dom[0] === dom[1]) {
      dom[0] /= 2;
      dom[1] *= 2;
    }
    return d3.scaleLog().domain(dom).range(range).nice();
  }
  const dom = spec.domain ?? (values.length ? (d3.extent(values) as [number, number]) : [0, 1]);
  if (dom[0] === dom[1]) dom[1] = dom[0] + 1;
  return d3
    .scaleLinear()
    .domain(spec.domain ? dom : [Math.min(0, dom[0]), dom[1]])
    .range(range)
    .nice();
}

/** Draw (or redraw) a line plot into `svgEl`. */
export function linePlot(svgEl: SVGSVGElement, spec: LinePlotSpec): void {
  const width = spec.width ?? 420;
  const height = spec.height ?? 240;
  const m = { top: 12, right: 26, bottom: 40, left: 62 };
  const svg = d3.select(svgEl).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
  svg.selectAll('*').remove();
  markerGeom.delete(svgEl);
  hideTooltip(svgEl); // its anchor is gone with the old marks
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y));
  const x = makeScale(spec.x, xs, [m.left, width - m.right]);
  const y = makeScale(spec.y, ys, [height - m.bottom, m.top]);
  const xAxis = d3
    .axisBottom(x)
    .ticks(Math.max(2, Math.floor((width - m.left - m.right) / 70)), spec.x.type === 'log' ? '~g' : undefined);
  if (spec.x.tickFormat) xAxis.tickFormat((v) => spec.x.tickFormat!(+v));
  const yAxis = d3
    .axisLeft(y)
    .ticks(Math.max(2, Math.floor((height - m.top - m.bottom) / 36)), spec.y.type === 'log' ? '~g' : undefined);
  if (spec.y.tickFormat) yAxis.tickFormat((v) => spec.y.tickFormat!(+v));
  svg
    .append('g')
    .attr('class', 'axis x-axis')
    .attr('transform', `translate(0,${height - m.bottom})`)
    .call(xAxis);
  svg.append('g').attr('class', 'axis y-axis').attr('transform', `translate(${m.left},0)`).call(yAxis);
  svg
    .append('g')
    .attr('class', 'grid')
    .attr('transform', `translate(${m.left},0)`)
    .call(
      d3
        .axisLeft(y)
        .ticks(Math.max(2, Math.floor((height - m.top - m.bottom) / 36)))
        .tickSize(-(width - m.left - m.right))
        .tickFormat(() => ''),
    )
    .call((g) => g.select('.domain').remove());
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', (m.left + width - m.right) / 2)
    .attr('y', height - 6)
    .attr('text-anchor', 'middle')
    .text(spec.x.label);
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(12,${(m.top + height - m.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(spec.y.label);
  const events = (spec.events ?? []).filter((e) => {
    const px = x(e.x);
    return Number.isFinite(px) && px >= m.left - 0.5 && px <= width - m.right + 0.5;
  });
  svg
    .append('g')
    .attr('class', 'event-marks')
    .selectAll('line')
    .data(events)
    .join('line')
    .attr('class', (e) => `event-mark ${e.kind ?? ''}`.trim())
    .attr('data-x', (e) => e.x)
    .attr('x1', (e) => x(e.x))
    .attr('x2', (e) => x(e.x))
    .attr('y1', m.top)
    .attr('y2', height - m.bottom)
    .append('title')
    .text((e) => e.label);
  if (spec.series.every((s) => s.points.length === 0)) {
    svg
      .append('text')
      .attr('class', 'empty-note')
      .attr('x', (m.left + width - m.right) / 2)
      .attr('y', (m.top + height - m.bottom) / 2)
      .attr('text-anchor', 'middle')
      .text(spec.empty ?? 'no data');
    return;
  }
  const clipY = (v: number) => (spec.y.type === 'log' && v <= 0 ? NaN : v);
  const line = d3
    .line<Point>()
    .defined((p) => Number.isFinite(x(p.x)) && Number.isFinite(y(clipY(p.y))))
    .x((p) => x(p.x))
    .y((p) => y(clipY(p.y)));
  if (spec.step) line.curve(d3.curveStepAfter);
  svg
    .append('g')
    .attr('class', 'series')
    .selectAll('path')
    .data(spec.series)
    .join('path')
    .attr('class', 'series-line')
    .attr('data-series', (s) => s.name)
    .attr('data-points', (s) => s.points.length)
    .attr('fill', 'none')
    .attr('stroke', (s) => s.color)
    .attr('stroke-width', 1.8)
    .attr('stroke-dasharray', (s) => s.dash ?? null)
    .attr('d', (s) => line(s.points));
  markerGeom.set(svgEl, { x, top: m.top, bottom: height - m.bottom });
  if (spec.marker !== undefined && Number.isFinite(x(spec.marker))) {
    svg
      .append('line')
      .attr('class', 'time-marker')
      .attr('x1', x(spec.marker))
      .attr('x2', x(spec.marker))
      .attr('y1', m.top)
      .attr('y2', height - m.bottom);
  }
  // Hover: the nearest point (in screen space) over all series.
  const focus = svg.append('circle').attr('class', 'focus').attr('r', 4).style('display', 'none');
  const flat: Array<{ s: LineSeries; p: Point; px: number; py: number }> = [];
  for (const s of spec.series)
    for (const p of s.points) {
      const px = x(p.x),
        py = y(clipY(p.y));
      if (Number.isFinite(px) && Number.isFinite(py)) flat.push({ s, p, px, py });
    }
  if (spec.legend ?? spec.series.length > 1) {
    // What the key must not hide: the lines (sampled every few pixels, as a step or straight
    // segment between points) and the time marker.
    const marks: Array<{ px: number; py: number }> = [];
    for (const s of spec.series) {
      let prev: { px: number; py: number } | null = null;
      for (const p of s.points) {
        const px = x(p.x),
          py = y(clipY(p.y));
        if (!Number.isFinite(px) || !Number.isFinite(py)) {
          prev = null;
          continue;
        }
        if (prev) {
          const n = Math.min(200, Math.ceil(Math.hypot(px - prev.px, py - prev.py) / 6));
          for (let k = 1; k < n; k++) {
            const f = k / n;
            marks.push(
              spec.step
                ? f < 0.5
                  ? { px: prev.px + (px - prev.px) * 2 * f, py: prev.py }
                  : { px, py: prev.py + (py - prev.py) * (2 * f - 1) }
                : { px: prev.px + (px - prev.px) * f, py: prev.py + (py - prev.py) * f },
            );
          }
        }
        marks.push({ px, py });
        prev = { px, py };
      }
    }
    if (spec.marker !== undefined && Number.isFinite(x(spec.marker)))
      for (let py = m.top; py <= height - m.bottom; py += 6) marks.push({ px: x(spec.marker), py });
    legend(
      svg,
      spec.series,
      { left: m.left + 6, right: width - m.right - 6, top: m.top + 4, bottom: height - m.bottom - 4 },
      marks,
      { x: m.left, y: height, width, height },
    );
  }
  const xf = spec.x.format ?? fmt3;
  const yf = spec.y.format ?? fmt3;
  svg
    .append('rect')
    .attr('class', 'hover-target')
    .attr('x', m.left)
    .attr('y', m.top)
    .attr('width', width - m.left - m.right)
    .attr('height', height - m.top - m.bottom)
    .attr('fill', 'transparent')
    .on('pointermove', (ev: PointerEvent) => {
      const [mx, my] = d3.pointer(ev, svgEl);
      const best = d3.least(flat, (d) => (d.px - mx) ** 2 + (d.py - my) ** 2);
      if (!best) return;
      spec.cursor?.hover(x.invert(mx));
      if (!best) return;
      focus.style('display', null).attr('cx', best.px).attr('cy', best.py).attr('stroke', best.s.color);
      showTooltip(ev, [best.s.name, `${spec.x.label}: ${xf(best.p.x)}`, `${spec.y.label}: ${yf(best.p.y)}`]);
    })
    .on('click', (ev: MouseEvent) => {
      if (spec.cursor) spec.cursor.pick(x.invert(d3.pointer(ev, svgEl)[0]));
    })
    .on('pointerleave', () => {
      focus.style('display', 'none');
      hideTooltip();
      spec.cursor?.hover(null);
    });
}

/** Most legend rows; the rest are named in one more row (hover a line for its name). */
const LEGEND_ROWS = 6;

/**
 * A key inside the plot area: a sample of each series' stroke (colour and dash) and its name, so
 * that an exported SVG reads on its own. It goes in the corner that covers the fewest data
 * points (a CDF's top right is where its curves end; a decay's is where they start).
 */
function legend(
  svg: d3.Selection<SVGSVGElement, unknown, null, undefined>,
  series: Array<{ name: string; color: string; dash?: string }>,
  area: { left: number; right: number; top: number; bottom: number },
  points: Array<{ px: number; py: number }>,
  below: { x: number; y: number; width: number; height: number },
): void {
  const rows = series.slice(0, LEGEND_ROWS);
  const extra = series.length - rows.length;
  const g = svg.append('g').attr('class', 'legend');
  const bg = g.append('rect').attr('class', 'legend-bg');
  const lineH = 13;
  rows.forEach((s, i) => {
    const yy = 6 + i * lineH;
    g.append('line')
      .attr('x1', 0)
      .attr('x2', 16)
      .attr('y1', yy)
      .attr('y2', yy)
      .attr('stroke', s.color)
      .attr('stroke-width', 1.8)
      .attr('stroke-dasharray', s.dash ?? null);
    g.append('text').attr('x', 20).attr('y', yy).attr('dy', '0.32em').text(s.name);
  });
  if (extra > 0)
    g.append('text')
      .attr('x', 20)
      .attr('y', 6 + rows.length * lineH)
      .attr('dy', '0.32em')
      .text(`+ ${extra} more`);
  // Measured once drawn (an engine without getBBox, as jsdom, gets the top-right corner by estimate).
  const node = g.node() as SVGGElement;
  const box = typeof node.getBBox === 'function' ? node.getBBox() : null;
  const w = box ? box.width : 120;
  const h = box ? box.height : lineH * (rows.length + (extra > 0 ? 1 : 0));
  if (box)
    bg.attr('x', box.x - 4)
      .attr('y', box.y - 3)
      .attr('width', box.width + 8)
      .attr('height', box.height + 6);
  const corners: Array<[number, number]> = [
    [area.right - w, area.top],
    [area.right - w, area.bottom - h],
    [area.left, area.top],
    [area.left, area.bottom - h],
  ];
  const covered = ([cx, cy]: [number, number]) =>
    points.reduce(
      (n, p) => n + (p.px >= cx - 6 && p.px <= cx + w + 6 && p.py >= cy - 6 && p.py <= cy + h + 6 ? 1 : 0),
      0,
    );
  let best = corners[0];
  let bestN = covered(best);
  for (const c of corners.slice(1)) {
    const n = covered(c);
    if (n < bestN) {
      best = c;
      bestN = n;
    }
  }
  if (bestN > 0) {
    // Every corner would hide data: the key goes under the plot, which grows to hold it.
    best = [below.x, below.y + 2];
    const grown = below.height + h + 8;
    svg.attr('viewBox', `0 0 ${below.width} ${grown}`).attr('height', grown);
  }
  g.attr('transform', `translate(${best[0]},${best[1]})`);
}

export interface RangeDatum {
  group: string;
  series: string;
  color: string;
  lo: number;
  hi: number;
  note?: string;
}

/** Grouped dot-and-range plot (slowdown p50 → p99 per size bucket, one mark per variant). */
export function rangePlot(
  svgEl: SVGSVGElement,
  data: RangeDatum[],
  spec: {
    y: AxisSpec;
    xLabel: string;
    loLabel: string;
    hiLabel: string;
    width?: number;
    height?: number;
    empty?: string;
  },
): void {
  const width = spec.width ?? 420;
  const height = spec.height ?? 240;
  const m = { top: 12, right: 26, bottom: 40, left: 62 };
  const svg = d3.select(svgEl).attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height);
  svg.selectAll('*').remove();
  hideTooltip(svgEl); // its anchor is gone with the old marks
  const groups = [...new Set(data.map((d) => d.group))];
  const series = [...new Set(data.map((d) => d.series))];
  const x0 = d3
    .scaleBand()
    .domain(groups)
    .range([m.left, width - m.right])
    .padding(0.2);
  const x1 = d3.scaleBand().domain(series).range([0, x0.bandwidth()]).padding(0.3);
  const y = makeScale(
    spec.y,
    data.flatMap((d) => [d.lo, d.hi]),
    [height - m.bottom, m.top],
  );
  svg
    .append('g')
    .attr('class', 'axis x-axis')
    .attr('transform', `translate(0,${height - m.bottom})`)
    .call(d3.axisBottom(x0));
  svg
    .append('g')
    .attr('class', 'axis y-axis')
    .attr('transform', `translate(${m.left},0)`)
    .call(d3.axisLeft(y).ticks(5, spec.y.type === 'log' ? '~g' : undefined));
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', (m.left + width - m.right) / 2)
    .attr('y', height - 6)
    .attr('text-anchor', 'middle')
    .text(spec.xLabel);
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(12,${(m.top + height - m.bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(spec.y.label);
  if (data.length === 0) {
    svg
      .append('text')
      .attr('class', 'empty-note')
      .attr('x', width / 2)
      .attr('y', height / 2)
      .attr('text-anchor', 'middle')
      .text(spec.empty ?? 'no data');
    return;
  }
  const g = svg
    .append('g')
    .selectAll('g')
    .data(data)
    .join('g')
    .attr('class', 'range-mark')
    .attr('data-series', (d) => d.series)
    .attr('transform', (d) => `translate(${x0(d.group)! + x1(d.series)! + x1.bandwidth() / 2},0)`);
  g.append('line')
    .attr('y1', (d) => y(d.lo))
    .attr('y2', (d) => y(d.hi))
    .attr('stroke', (d) => d.color)
    .attr('stroke-width', 2.5);
  g.append('circle')
    .attr('cy', (d) => y(d.lo))
    .attr('r', 4)
    .attr('fill', (d) => d.color);
  g.append('path')
    .attr('d', (d) => `M-6,${y(d.hi)}h12`)
    .attr('stroke', (d) => d.color)
    .attr('stroke-width', 2.5);
  g.append('rect')
    .attr('x', -8)
    .attr('width', 16)
    .attr('y', (d) => y(d.hi) - 6)
    .attr('height', (d) => Math.max(12, y(d.lo) - y(d.hi) + 12))
    .attr('fill', 'transparent')
    .on('pointermove', (ev: PointerEvent, d) =>
      showTooltip(ev, [
        `${d.series} · ${d.group}`,
        `${spec.loLabel}: ${fmt3(d.lo)}`,
        `${spec.hiLabel}: ${fmt3(d.hi)}`,
        ...(d.note ? [d.note] : []),
      ]),
    )
    .on('pointerleave', () => hideTooltip());
  if (series.length > 1) {
    const keyed = series.map((name) => ({ name, color: data.find((d) => d.series === name)!.color }));
    const marks = data.flatMap((d) => {
      const px = x0(d.group)! + x1(d.series)! + x1.bandwidth() / 2;
      const out: Array<{ px: number; py: number }> = [];
      for (let py = y(d.hi) - 6; py <= y(d.lo) + 6; py += 4) out.push({ px, py });
      return out;
    });
    legend(
      svg,
      keyed,
      { left: m.left + 6, right: width - m.right - 6, top: m.top + 4, bottom: height - m.bottom - 4 },
      marks,
      { x: m.left, y: height, width, height },
    );
  }
}

// ------------------------------------------------------------------ export

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-size',
  'font-family',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'display',
  'marker-end',
  'marker-start',
  // The labels' halo: without these the exported text is drawn under its own wide stroke.
  'paint-order',
  'stroke-linejoin',
  'stroke-linecap',
];

/** A standalone SVG document of a plot, with computed styles inlined (CSS variables resolved). */
export function svgDocument(svgEl: SVGSVGElement): string {
  const clone = svgEl.cloneNode(true) as SVGSVGElement;
  const src = [svgEl, ...svgEl.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const d = dst[i] as SVGElement;
    const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`)
      .filter((s) => !s.endsWith(':'))
      .join(';');
    d.setAttribute('style', style);
    d.removeAttribute('class');
  });
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const bg = getComputedStyle(svgEl.closest('.panel') ?? document.body).backgroundColor;
  const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', bg);
  clone.insertBefore(rect, clone.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

export function download(filename: string, body: string | Blob, type: string): void {
  const url = URL.createObjectURL(typeof body === 'string' ? new Blob([body], { type }) : body);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Rasterise a standalone SVG document (svgDocument's output) to a PNG at `scale` × its size. */
export async function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = Math.round(img.naturalWidth * scale);
    c.height = Math.round(img.naturalHeight * scale);
    const ctx = c.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      c.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
