/**
 * Jobs (docs/collectives.md): a timeline per job — one row per job of each run, one bar per
 * collective (each iteration's), coloured by its slowdown against its ideal on an idle fabric;
 * hover a bar for its numbers; click a job to unfold its ranks, one row per rank with a bar per
 * transfer (flow) it sent, coloured by that transfer's slowdown. Also the job filter that the
 * FCT plots use. Reads result.jobs[] and the flows' job/op/step.
 */
import * as d3 from 'd3';
import type { FlowResult, Result } from '../../sim/metrics/result.ts';
import type { CollectiveResult, JobResult } from '../../sim/metrics/jobResult.ts';
import { hideTooltip, showTooltip, type EventMark } from './plot.ts';

export interface JobRun {
  name: string;
  color: string;
  result: Result;
}

/** The flows of job j (all flows when j is null). */
export function jobFlows(result: Result, j: number | null): FlowResult[] {
  return j === null ? result.flows : result.flows.filter((f) => f.job === j);
}

/** " · dp-allreduce grads#1 step 3" for a job's flow (the flow pickers' label), "" for another. */
export function flowJobLabel(r: Result | undefined, id: number): string {
  const f = r?.flows[id];
  const job = f?.job !== undefined ? r?.jobs?.[f.job] : undefined;
  if (!f || !job) return '';
  const c = f.op !== undefined ? job.collectives[f.op] : undefined;
  return ` · ${job.name}${c ? ` ${c.name}#${c.iteration}` : ''}${f.step !== undefined ? ` step ${f.step}` : ''}`;
}

/** The job names across the runs (variants of one scenario share their jobs), by index. */
export function jobNames(runs: readonly JobRun[]): string[] {
  const names: string[] = [];
  for (const r of runs) for (const [i, j] of (r.result.jobs ?? []).entries()) names[i] ??= j.name;
  return names;
}

/** Slowdown → colour: 1 (ideal) pale, 2× and worse dark red (log scale). */
export function slowdownColor(s: number): string {
  if (!Number.isFinite(s) || s <= 0) return '#999';
  const f = Math.max(0, Math.min(1, Math.log2(Math.max(1, s)) / Math.log2(4)));
  return d3.interpolateYlOrRd(0.12 + 0.88 * f);
}

const fmtUs = (ps: number) => `${d3.format(',.1f')(ps / 1e6)} µs`;
const f3 = d3.format('.4~g');

/** The lines of a collective's hover (the numbers of its result entry). */
export function collectiveLines(job: JobResult, c: CollectiveResult): string[] {
  return [
    `${job.name} · ${c.name} (iteration ${c.iteration})`,
    `${c.kind}${c.algorithm ? ` · ${c.algorithm}` : ''} · ${d3.format(',')(c.sizeBytes)} B · ${c.ranks} ranks · ${c.transfers} transfers`,
    `start ${fmtUs(c.startPs)} → end ${c.endPs >= 0 ? fmtUs(c.endPs) : 'unfinished'}`,
    `time ${c.endPs >= 0 ? fmtUs(c.timePs) : '—'} · ideal ${fmtUs(c.idealPs)} · slowdown ${f3(c.slowdown)}`,
    `algbw ${f3(c.algbwGBps)} GB/s · busbw ${f3(c.busbwGBps)} GB/s`,
  ];
}

interface Row {
  key: string;
  label: string;
  run: JobRun;
  job: number;
  /** The rank's host, for a rank row. */
  host?: number;
}

export interface JobsViewOptions {
  width: number;
  /** Unfolded jobs ("<run>/<job index>"). */
  expanded: ReadonlySet<string>;
  onToggle: (key: string) => void;
  events: readonly EventMark[];
  marker: number | null;
  cursor: { hover(xUs: number | null): void; pick(xUs: number): void };
}

const ROW = 20;
/** Each drawn timeline's x scale and marker span, to move its time marker without a redraw. */
const scales = new WeakMap<SVGSVGElement, { x: d3.ScaleLinear<number, number>; top: number; bottom: number }>();

/** Move the timeline's time marker (null: remove it). */
export function moveJobsMarker(svgEl: SVGSVGElement, xUs: number | null): void {
  const g = scales.get(svgEl);
  const line = svgEl.querySelector('line.time-marker');
  if (!g || xUs === null) {
    line?.remove();
    return;
  }
  const el =
    line ??
    svgEl.insertBefore(
      document.createElementNS('http://www.w3.org/2000/svg', 'line'),
      svgEl.querySelector('rect.time-strip'),
    );
  el.setAttribute('class', 'time-marker');
  el.setAttribute('pointer-events', 'none');
  el.setAttribute('x1', String(g.x(xUs)));
  el.setAttribute('x2', String(g.x(xUs)));
  el.setAttribute('y1', String(g.top));
  el.setAttribute('y2', String(g.bottom));
}
const RANK_ROW = 9;

/** Draw the job timeline into svg (x: simulated µs). */
export function renderJobs(svgEl: SVGSVGElement, runs: readonly JobRun[], o: JobsViewOptions): void {
  const svg = d3.select(svgEl);
  svg.selectAll('*').remove();
  const rows: Row[] = [];
  const many = runs.length > 1;
  for (const run of runs)
    (run.result.jobs ?? []).forEach((job, j) => {
      const key = `${run.name}/${j}`;
      rows.push({ key, label: many ? `${run.name} · ${job.name}` : job.name, run, job: j });
      if (o.expanded.has(key))
        for (const [rank, h] of job.hosts.entries())
          rows.push({ key: `${key}/${rank}`, label: `rank ${rank} (h${h})`, run, job: j, host: h });
    });
  // Room for the longest label (12-px text: about 7 px a character).
  const longest = Math.max(0, ...rows.map((r) => r.label.length + 2));
  const m = { top: 8, right: 20, bottom: 34, left: Math.min(280, Math.max(90, 7 * longest + 12)) };
  const heights = rows.map((r) => (r.host === undefined ? ROW : RANK_ROW));
  const y0 = d3.cumsum([0, ...heights]);
  const height = m.top + (y0.at(-1) ?? 0) + m.bottom;
  const endPs = Math.max(1, ...runs.map((r) => r.result.meta.simTimePs));
  const x = d3
    .scaleLinear()
    .domain([0, endPs / 1e6])
    .range([m.left, o.width - m.right]);
  svg.attr('viewBox', `0 0 ${o.width} ${height}`).attr('width', o.width).attr('height', height);
  svg
    .append('g')
    .attr('class', 'axis x-axis')
    .attr('transform', `translate(0,${height - m.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor((o.width - m.left - m.right) / 70))));
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', (m.left + o.width - m.right) / 2)
    .attr('y', height - 4)
    .attr('text-anchor', 'middle')
    .text('simulated time (µs)');
  const rowG = svg
    .append('g')
    .selectAll('g')
    .data(rows)
    .join('g')
    .attr('class', (r) => (r.host === undefined ? 'job-row' : 'rank-row'))
    .attr('data-key', (r) => r.key)
    .attr('transform', (_, i) => `translate(0,${m.top + y0[i]})`);
  // Labels: a job's toggles its ranks.
  rowG
    .append('text')
    .attr('class', (r) => (r.host === undefined ? 'job-label' : 'rank-label'))
    .attr('x', m.left - 6)
    .attr('y', (r) => (r.host === undefined ? ROW / 2 + 4 : RANK_ROW / 2 + 3))
    .attr('text-anchor', 'end')
    .text((r) => (r.host === undefined ? `${o.expanded.has(r.key) ? '▾' : '▸'} ${r.label}` : r.label))
    .filter((r) => r.host === undefined)
    .attr('tabindex', 0)
    .attr('role', 'button')
    .attr('aria-expanded', (r) => String(o.expanded.has(r.key)))
    .on('click', (_, r) => o.onToggle(r.key))
    .on('keydown', (ev: KeyboardEvent, r) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        o.onToggle(r.key);
      }
    });
  // Bars: a job's collectives; a rank's transfers.
  const bar = (x0: number, x1: number) => ({ x: x(x0 / 1e6), w: Math.max(1, x(x1 / 1e6) - x(x0 / 1e6)) });
  rowG
    .filter((r) => r.host === undefined)
    .selectAll('rect')
    .data((r) => {
      const job = r.run.result.jobs![r.job];
      return job.collectives.filter((c) => c.startPs >= 0).map((c, i) => ({ r, job, c, i }));
    })
    .join('rect')
    .attr('class', 'collective-bar')
    .attr('data-start-ps', (d) => d.c.startPs)
    .attr('data-end-ps', (d) => d.c.endPs)
    .attr('data-slowdown', (d) => d.c.slowdown)
    .attr('x', (d) => bar(d.c.startPs, d.c.endPs >= 0 ? d.c.endPs : endPs).x)
    .attr('width', (d) => bar(d.c.startPs, d.c.endPs >= 0 ? d.c.endPs : endPs).w)
    .attr('y', 2)
    .attr('height', ROW - 4)
    .attr('fill', (d) => slowdownColor(d.c.slowdown))
    .attr('stroke', (d) => d.r.run.color)
    .on('pointermove', (ev: PointerEvent, d) => showTooltip(ev, collectiveLines(d.job, d.c)))
    .on('pointerleave', () => hideTooltip());
  rowG
    .filter((r) => r.host !== undefined)
    .selectAll('rect')
    .data((r) =>
      r.run.result.flows
        .filter((f) => f.job === r.job && f.src === r.host)
        .map((f) => ({ f, job: r.run.result.jobs![r.job] })),
    )
    .join('rect')
    .attr('class', 'transfer-bar')
    .attr('x', (d) => bar(d.f.startPs, d.f.fctPs >= 0 ? d.f.startPs + d.f.fctPs : endPs).x)
    .attr('width', (d) => bar(d.f.startPs, d.f.fctPs >= 0 ? d.f.startPs + d.f.fctPs : endPs).w)
    .attr('y', 1)
    .attr('height', RANK_ROW - 2)
    .attr('fill', (d) => slowdownColor(d.f.slowdown))
    .on('pointermove', (ev: PointerEvent, d) => {
      const c = d.f.op !== undefined ? d.job.collectives[d.f.op] : undefined;
      showTooltip(ev, [
        `flow ${d.f.id}: h${d.f.src} → h${d.f.dst} · ${d3.format(',')(d.f.sizeBytes)} B`,
        `${c ? `${c.name} (iteration ${c.iteration})` : 'transfer'}${d.f.step !== undefined ? ` · step ${d.f.step}` : ''}`,
        `start ${fmtUs(d.f.startPs)} · FCT ${d.f.fctPs >= 0 ? fmtUs(d.f.fctPs) : 'unfinished'} · slowdown ${f3(d.f.slowdown)}`,
      ]);
    })
    .on('pointerleave', () => hideTooltip());
  // Fault times and the time cursor, as on every time axis.
  const top = m.top;
  const bottom = height - m.bottom;
  svg
    .append('g')
    .selectAll('line')
    .data(o.events.filter((e) => e.x >= 0 && e.x <= endPs / 1e6))
    .join('line')
    .attr('class', (e) => `event-mark ${e.kind ?? ''}`.trim())
    .attr('data-x', (e) => e.x)
    .attr('x1', (e) => x(e.x))
    .attr('x2', (e) => x(e.x))
    .attr('y1', top)
    .attr('y2', bottom)
    .append('title')
    .text((e) => e.label);
  // Hovering the axis strip moves the page's time cursor; a click fixes it.
  svg
    .append('rect')
    .attr('class', 'time-strip')
    .attr('x', m.left)
    .attr('y', bottom)
    .attr('width', o.width - m.left - m.right)
    .attr('height', m.bottom - 14)
    .attr('fill', 'transparent')
    .on('pointermove', (ev: PointerEvent) => o.cursor.hover(x.invert(d3.pointer(ev, svgEl)[0])))
    .on('pointerleave', () => o.cursor.hover(null))
    .on('click', (ev: MouseEvent) => o.cursor.pick(x.invert(d3.pointer(ev, svgEl)[0])));
  scales.set(svgEl, { x, top, bottom });
  moveJobsMarker(svgEl, o.marker);
}
