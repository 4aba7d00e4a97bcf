import type { Result, FlowResult, Quantiles } from '../metrics/result.ts';
import { SIZE_BUCKETS, goodputFairness, slowdownBySize, switchQueueStats } from '../metrics/flowStats.ts';
import { jobRows } from './jobsReport.ts';

export { SIZE_BUCKETS, goodputFairness, slowdownBySize };

/**
 * Text renderings of a Result for the CLI (and any other command): the compact summary table,
 * side by side for several runs, the flows CSV, and a one-line progress bar. Pure functions of
 * their inputs; nothing here reads a clock.
 */

export interface NamedResult {
  name: string;
  result: Result;
}

// ------------------------------------------------------------------ number formatting

/** Integer with thousands separators: 1234567 → "1,234,567". */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = Math.round(Math.abs(n)).toString();
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (n < 0 ? '-' : '') + grouped;
}

/** A measurement with about 3–4 significant digits: 0.0123, 1.23, 12.3, 123.4, 12,345. */
export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a >= 10_000) return fmtInt(n);
  if (a >= 100) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  if (a >= 0.01) return n.toFixed(3);
  return n.toPrecision(3);
}

/** Picoseconds as a human duration: "850 ps", "12.3 ns", "45.6 µs", "1.23 ms", "2.50 s". */
export function fmtPs(ps: number): string {
  if (!Number.isFinite(ps)) return String(ps);
  const a = Math.abs(ps);
  if (a < 1e3) return `${fmtNum(ps)} ps`;
  if (a < 1e6) return `${fmtNum(ps / 1e3)} ns`;
  if (a < 1e9) return `${fmtNum(ps / 1e6)} µs`;
  if (a < 1e12) return `${fmtNum(ps / 1e9)} ms`;
  return `${fmtNum(ps / 1e12)} s`;
}

/** Milliseconds of wall time: "850 ms", "2.35 s", "3 min 12 s". */
export function fmtWallMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Events per second: "1.23 M/s", "456 k/s". */
export function fmtRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '—';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${Math.round(perSecond)} /s`;
}

const q = (x: Quantiles | undefined, key: keyof Quantiles): string => (!x?.count ? '—' : fmtNum(x[key]));

// ------------------------------------------------------------------ the summary table

/** The rows of the summary table for one result: [label, value]. */
export function summaryRows(r: Result): [string, string][] {
  const m = r.meta,
    s = r.summary,
    c = r.counters;
  const eventsPerSec = m.wallMs > 0 ? m.events / (m.wallMs / 1000) : NaN;
  return [
    ['scenario', m.name],
    ['hosts / switches', `${fmtInt(m.hosts)} / ${fmtInt(m.switches)}`],
    ['transport', m.transport],
    ['flows done', `${fmtInt(s.flowsDone)} / ${fmtInt(s.flowsTotal)}`],
    ['FCT p50 (µs)', q(s.fctUs, 'p50')],
    ['FCT p99 (µs)', q(s.fctUs, 'p99')],
    ['FCT max (µs)', q(s.fctUs, 'max')],
    ['slowdown p50', q(s.slowdown, 'p50')],
    ['slowdown p99', q(s.slowdown, 'p99')],
    ['goodput fairness (Jain)', fmtJain(goodputFairness(r))],
    ['pkt latency p50 (µs)', q(s.latencyUs, 'p50')],
    ['pkt latency p99 (µs)', q(s.latencyUs, 'p99')],
    ['drops', fmtInt(c.drops)],
    // A lossless class should never drop: flagged, never left for the reader to notice.
    ['lossless drops', c.losslessDrops > 0 ? `${fmtInt(c.losslessDrops)} (lossless class dropped!)` : '0'],
    ['ECN marks', fmtInt(c.ecnMarks)],
    ['PFC pauses', fmtInt(c.pauseFrames)],
    ['NAKs', fmtInt(c.naks)],
    ['retransmits', fmtInt(c.retransmits)],
    ['timeouts', fmtInt(c.timeouts)],
    ['trims', fmtInt(c.trims)],
    ...congestionRows(r),
    ...planeRows(r),
    ...jobRows(r, fmtNum),
    ...classRows(r),
    ['events', fmtInt(m.events)],
    ['events/s', fmtRate(eventsPerSec)],
    ['wall time', fmtWallMs(m.wallMs)],
    ['sim time', fmtPs(m.simTimePs)],
    ['stop reason', m.stopReason],
  ];
}

/** Traffic classes: per class (by name and priority), its FCTs, drops, trims and PAUSEs. */
function classRows(r: Result): [string, string][] {
  const out: [string, string][] = [];
  for (const c of r.classes ?? []) {
    const k = `class ${c.name} (${c.transport}, prio ${c.priority})`;
    out.push(
      [`${k} flows done`, `${fmtInt(c.flowsDone)} / ${fmtInt(c.flowsTotal)}`],
      [`${k} FCT p50 / p99 (µs)`, `${q(c.fctUs, 'p50')} / ${q(c.fctUs, 'p99')}`],
      [`${k} drops / trims`, `${fmtInt(c.drops)} / ${fmtInt(c.trims)}`],
      [`${k} PFC pauses`, fmtInt(c.pauses)],
    );
  }
  return out;
}

/** Multi-plane fabrics: each plane's utilisation and PAUSEs (and RoCE's QPs per plane). */
function planeRows(r: Result): [string, string][] {
  const pl = r.planes;
  if (pl === undefined) return [];
  const rows: [string, string][] = [
    ['plane utilisation', pl.map((p) => p.utilisation.toFixed(3)).join(' ')],
    ['plane PFC pauses', pl.map((p) => fmtInt(p.pauses)).join(' ')],
  ];
  if (pl[0].qps !== undefined) rows.push(['plane QPs', pl.map((p) => fmtInt(p.qps!)).join(' ')]);
  return rows;
}

const fmtJain = (j: number) => (Number.isFinite(j) ? j.toFixed(3) : '-');

/** Congestion analysis: trees, the largest one, victims and their blocked time, deadlocks. */
function congestionRows(r: Result): [string, string][] {
  const g = r.congestion?.summary;
  if (g === undefined) return [];
  return [
    ['congestion trees', fmtInt(g.trees)],
    ['largest tree depth/breadth', g.trees > 0 ? `${g.largestDepth} / ${g.largestBreadth}` : '-'],
    ['victim flows', fmtInt(g.victims)],
    ['victim blocked time', fmtPs(g.victimBlockedPs)],
    ['PFC deadlocks', fmtInt(g.deadlocks)],
  ];
}

/**
 * The summary table; several results are printed side by side, one column per run, headed by
 * the run's name.
 */
export function formatResultTable(runs: NamedResult[]): string {
  if (runs.length === 0) return '';
  const rows = runs.map((r) => summaryRows(r.result).map(([l, v]) => [l, printable(v)] as [string, string]));
  // Runs can have rows of their own (planes): every label once, in first-seen order, '-' where a
  // run has none.
  const labels = [...new Set(rows.flatMap((r) => r.map(([l]) => l)))];
  const multi = runs.length > 1;
  // In a comparison the scenario row is replaced by a header of variant names.
  const header = multi ? ['', ...runs.map((r) => printable(r.name))] : undefined;
  const body: string[][] = labels
    .map((label) => [label, ...rows.map((r) => r.find(([l]) => l === label)?.[1] ?? '-')])
    .filter((row) => !(multi && row[0] === 'scenario'));
  const all = header ? [header, ...body] : body;
  const widths = all[0].map((_, col) => Math.max(...all.map((row) => [...row[col]].length)));
  const pad = (s: string, w: number, right: boolean) => {
    const n = w - [...s].length;
    return n <= 0 ? s : right ? ' '.repeat(n) + s : s + ' '.repeat(n);
  };
  // One run: a key/value list (values left-aligned). Several: numeric columns right-aligned.
  const line = (row: string[]) =>
    row
      .map((cell, col) => pad(cell, widths[col], multi && col > 0))
      .join('  ')
      .trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('  '));
  return `${out.join('\n')}\n`;
}

// ------------------------------------------------------------------ CSV

export const FLOWS_CSV_HEADER = 'id,src,dst,sizeBytes,startPs,fctPs,idealFctPs,slowdown,retransmits';

/**
 * One line per flow, in the Result's order, with the header above. With jobs (collectives, jobs,
 * traces), three more columns: the flow's job by name, its collective (index in the job's
 * collectives[]) and step; empty for flows of no job.
 */
export function flowsCsv(flows: readonly FlowResult[], jobs?: ReadonlyArray<{ name: string }>): string {
  const withJobs = jobs !== undefined && jobs.length > 0;
  const lines = [withJobs ? `${FLOWS_CSV_HEADER},job,collective,step` : FLOWS_CSV_HEADER];
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const f of flows) {
    const base = `${f.id},${f.src},${f.dst},${f.sizeBytes},${f.startPs},${f.fctPs},${f.idealFctPs},${f.slowdown},${f.retransmits}`;
    if (!withJobs) lines.push(base);
    else if (f.job === undefined) lines.push(`${base},,,`);
    else lines.push(`${base},${cell(jobs[f.job].name)},${f.op},${f.step}`);
  }
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------ progress

export interface ProgressInfo {
  simTimePs: number;
  events: number;
  flowsDone: number;
  flowsTotal: number;
}

/**
 * One progress line (no newline): `[#########...........] 45%  flows 12/100  sim 123 µs  1.2M events`.
 * `timeLimitPs`, when known, lets simulated time drive the bar as well as finished flows.
 */
export function progressLine(
  p: ProgressInfo,
  opts: { label?: string; timeLimitPs?: number; width?: number } = {},
): string {
  const width = opts.width ?? 24;
  let frac = p.flowsTotal > 0 ? p.flowsDone / p.flowsTotal : 0;
  if (opts.timeLimitPs && opts.timeLimitPs > 0) frac = Math.max(frac, p.simTimePs / opts.timeLimitPs);
  frac = Math.min(1, Math.max(0, frac));
  const filled = Math.round(frac * width);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const ev =
    p.events >= 1e6
      ? `${(p.events / 1e6).toFixed(1)}M`
      : p.events >= 1e3
        ? `${(p.events / 1e3).toFixed(0)}k`
        : String(p.events);
  const label = opts.label ? `${opts.label} ` : '';
  return `${label}[${bar}] ${String(Math.floor(frac * 100)).padStart(3)}%  flows ${p.flowsDone}/${p.flowsTotal}  sim ${fmtPs(p.simTimePs)}  ${ev} events`;
}

// ------------------------------------------------------------------ side-by-side comparison

function victimsOf(r: Result): string {
  const v = (r as { congestion?: { summary?: { victims?: unknown } } }).congestion?.summary?.victims;
  if (typeof v === 'number') return fmtInt(v);
  if (Array.isArray(v)) return fmtInt(v.length);
  return '-';
}

/** The comparison rows of one result, by label. */
export function compareRows(r: Result): Map<string, string> {
  const m = r.meta,
    s = r.summary,
    c = r.counters;
  const rows = new Map<string, string>([
    ['transport', m.transport],
    ['hosts / switches', `${fmtInt(m.hosts)} / ${fmtInt(m.switches)}`],
    ['flows done', `${fmtInt(s.flowsDone)} / ${fmtInt(s.flowsTotal)}`],
    ['FCT p50 (µs)', q(s.fctUs, 'p50')],
    ['FCT p99 (µs)', q(s.fctUs, 'p99')],
    ['FCT p99.9 (µs)', q(s.fctUs, 'p999')],
    ['FCT max (µs)', q(s.fctUs, 'max')],
    ['slowdown p50', q(s.slowdown, 'p50')],
    ['slowdown p99', q(s.slowdown, 'p99')],
  ]);
  for (const [label, [p50, p99, n]] of slowdownBySize(r)) {
    rows.set(`slowdown p50 ${label}`, fmtNum(p50));
    rows.set(`slowdown p99 ${label}`, `${fmtNum(p99)} (${fmtInt(n)})`);
  }
  rows.set('goodput fairness (Jain)', fmtJain(goodputFairness(r)));
  rows.set('pkt latency p50 (µs)', q(s.latencyUs, 'p50'));
  rows.set('pkt latency p99 (µs)', q(s.latencyUs, 'p99'));
  // Only with metrics.queueSampleNs: the mean over every switch egress port and sample.
  const sq = switchQueueStats(r);
  if (sq !== null) {
    rows.set('switch queue mean (KB)', fmtNum(sq.meanBytes / 1e3));
    rows.set('switch queue p99 (KB)', fmtNum(sq.p99Bytes / 1e3));
  }
  rows.set('PFC pauses', fmtInt(c.pauseFrames));
  // Summed over every paused (port, priority): it can exceed the run's length.
  rows.set('paused time (Σ ports)', fmtPs(c.pausedTimePs));
  rows.set('drops', fmtInt(c.drops));
  rows.set('trims', fmtInt(c.trims));
  rows.set('ECN marks', fmtInt(c.ecnMarks));
  rows.set('retransmits', fmtInt(c.retransmits));
  rows.set('timeouts', fmtInt(c.timeouts));
  for (const [label, value] of [...planeRows(r), ...classRows(r)]) rows.set(label, value);
  rows.set('victims', victimsOf(r));
  for (const [label, value] of jobRows(r, fmtNum)) rows.set(label, value);
  rows.set('events', fmtInt(m.events));
  rows.set('wall time', fmtWallMs(m.wallMs));
  rows.set('sim time', fmtPs(m.simTimePs));
  rows.set('stop reason', m.stopReason);
  return rows;
}

/**
 * Several results side by side: one column per run headed by its name, one row per measure
 * (rows a run lacks, such as a flow-size bucket it has no flows in, show '-').
 */
export function formatCompareTable(runs: NamedResult[]): string {
  if (runs.length === 0) return '';
  const perRun = runs.map((r) => compareRows(r.result));
  const labels: string[] = [];
  for (const m of perRun) for (const l of m.keys()) if (!labels.includes(l)) labels.push(l);
  // size-bucket rows sit after 'slowdown p99', in bucket order, whatever run introduced them
  const isBucket = (l: string) => SIZE_BUCKETS.some(([b]) => l.endsWith(` ${b}`));
  const bucketRows = SIZE_BUCKETS.flatMap(([b]) => [`slowdown p50 ${b}`, `slowdown p99 ${b}`]).filter((l) =>
    labels.includes(l),
  );
  const plain = labels.filter((l) => !isBucket(l));
  const at = plain.indexOf('slowdown p99') + 1;
  const ordered = [...plain.slice(0, at), ...bucketRows, ...plain.slice(at)];
  const header = ['', ...runs.map((r) => printable(r.name))];
  const body = ordered.map((l) => [l, ...perRun.map((m) => printable(m.get(l) ?? '-'))]);
  const all = [header, ...body];
  const widths = header.map((_, col) => Math.max(...all.map((row) => [...row[col]].length)));
  const pad = (s: string, w: number, right: boolean) => {
    const n = w - [...s].length;
    return n <= 0 ? s : right ? ' '.repeat(n) + s : s + ' '.repeat(n);
  };
  const line = (row: string[]) =>
    row
      .map((cell, col) => pad(cell, widths[col], col > 0))
      .join('  ')
      .trimEnd();
  const out = all.map(line);
  out.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('  '));
  return `${out.join('\n')}\n`;
}

/**
 * Text from the scenario (names) as the terminal should show it: control characters (an escape
 * sequence that clears the screen or retitles the window, a bell) written as \xNN.
 */
export function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
