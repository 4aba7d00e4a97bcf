/**
 * Pure data transforms that feed the plots: distributions, size buckets, percentiles from the
 * latency histogram, series selection, the replay of recorded pauses, exports and the share
 * link. No DOM here (tests/web-transforms.test.ts runs these in Node).
 */
import type { FlowResult, Result, Series } from '../../sim/metrics/result.ts';
import type { PauseInterval } from '../../sim/metrics/congestion.ts';
import { canonicalJson, fnv1a64Hex } from '../../sim/scenario/hash.ts';
import { SIZE_BUCKETS } from '../../sim/metrics/flowStats.ts';

export interface Point {
  x: number;
  y: number;
}

/** A named run: one variant of a scenario. */
export interface NamedRun {
  name: string;
  result: Result;
}

// ------------------------------------------------------------------ distributions

function sortedFinite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

/** Empirical CDF as a step curve: one point per distinct value, y = P(X ≤ x). */
export function ecdf(values: readonly number[]): Point[] {
  const a = sortedFinite(values);
  const n = a.length;
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && a[i + 1] === a[i]) continue;
    out.push({ x: a[i], y: (i + 1) / n });
  }
  return out;
}

/** Complementary CDF, y = P(X ≥ x) (never 0, so it can go on a log axis); ends at 1/n. */
export function ccdf(values: readonly number[]): Point[] {
  const a = sortedFinite(values);
  const n = a.length;
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && a[i - 1] === a[i]) continue;
    out.push({ x: a[i], y: (n - i) / n });
  }
  return out;
}

/** Nearest-rank quantile of a sorted array (the CLI's definition, sim/metrics/summary.ts). */
export function nearestRank(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
}

/** FCTs (µs) of the finished flows. */
export function fctsUs(flows: readonly FlowResult[]): number[] {
  return flows.filter((f) => f.fctPs >= 0).map((f) => f.fctPs / 1e6);
}

export interface BucketStat {
  label: string;
  loBytes: number;
  hiBytes: number;
  p50: number;
  p99: number;
  count: number;
}

/** Slowdown p50/p99 per flow-size bucket (finished flows; the CLI's buckets, sim/cli/report.ts). */
export function slowdownBuckets(flows: readonly FlowResult[]): BucketStat[] {
  const by = SIZE_BUCKETS.map(() => [] as number[]);
  for (const f of flows) {
    if (f.slowdown < 0) continue;
    const i = SIZE_BUCKETS.findIndex(([, hi]) => f.sizeBytes <= hi);
    by[i].push(f.slowdown);
  }
  const out: BucketStat[] = [];
  SIZE_BUCKETS.forEach(([label, hi], i) => {
    const a = by[i].sort((x, y) => x - y);
    if (a.length === 0) return;
    out.push({
      label,
      loBytes: i === 0 ? 0 : SIZE_BUCKETS[i - 1][1],
      hiBytes: hi,
      p50: nearestRank(a, 0.5),
      p99: nearestRank(a, 0.99),
      count: a.length,
    });
  });
  return out;
}

/** "Nines" of a quantile: 0.9 → 1, 0.99 → 2, 0.999 → 3 (the x axis of tail plots). */
export function nines(q: number): number {
  return -Math.log10(1 - q);
}

export interface PercentilePoint {
  /** Quantile in [0, 1]. */
  q: number;
  /** −log10(1 − q), capped for q = 1 at log10(2·count). */
  nines: number;
  us: number;
}

/**
 * Per-packet latency percentiles from the histogram buckets [lowNs, highNs, count]: one point
 * per bucket at the quantile its upper edge reaches, valued at the bucket midpoint (as the
 * result's own quantiles are, sim/metrics/latencyHistogram.ts).
 */
export function latencyPercentiles(buckets: ReadonlyArray<readonly [number, number, number]>): PercentilePoint[] {
  let total = 0;
  for (const b of buckets) total += b[2];
  if (total === 0) return [];
  const cap = Math.log10(2 * total);
  const out: PercentilePoint[] = [];
  let cum = 0;
  for (const [lo, hi, c] of buckets) {
    cum += c;
    const q = cum / total;
    const mid = Math.floor((lo + hi - 1) / 2);
    out.push({ q, nines: q >= 1 ? cap : Math.min(cap, nines(q)), us: Math.max(lo, mid) / 1000 });
  }
  return out;
}

/**
 * Per-packet latency as a CDF (y = fraction of packets ≤ x) and CCDF (y = fraction ≥ x) from
 * the histogram's buckets, x at each bucket's midpoint (the value histogramQuantileUs and the
 * CLI's percentiles report for a rank in that bucket), µs.
 */
export function latencyCdf(buckets: ReadonlyArray<readonly [number, number, number]>): {
  cdf: Point[];
  ccdf: Point[];
} {
  let total = 0;
  for (const b of buckets) total += b[2];
  const cdf: Point[] = [];
  const cc: Point[] = [];
  if (total === 0) return { cdf, ccdf: cc };
  let cum = 0;
  for (const [lo, hi, c] of buckets) {
    if (c === 0) continue;
    const x = Math.max(lo, Math.floor((lo + hi - 1) / 2)) / 1000;
    cc.push({ x, y: (total - cum) / total });
    cum += c;
    cdf.push({ x, y: cum / total });
  }
  return { cdf, ccdf: cc };
}

/** The value at quantile q from histogram buckets (nearest rank over counts, bucket midpoint), µs. */
export function histogramQuantileUs(buckets: ReadonlyArray<readonly [number, number, number]>, q: number): number {
  let total = 0;
  for (const b of buckets) total += b[2];
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let cum = 0;
  for (const [lo, hi, c] of buckets) {
    cum += c;
    if (cum >= rank) return Math.max(lo, Math.floor((lo + hi - 1) / 2)) / 1000;
  }
  const last = buckets[buckets.length - 1];
  return last[1] / 1000;
}

// ------------------------------------------------------------------ series

export interface SeriesIndex {
  /** queue:<node>-><peer> names, largest peak first. */
  queues: string[];
  /** flow id → its traced metrics (deliveredBytes, rateGbps, alpha, cwnd, …). */
  flows: Map<number, string[]>;
}

export function seriesIndex(series: readonly Series[]): SeriesIndex {
  const queues: Array<[string, number]> = [];
  const flows = new Map<number, string[]>();
  for (const s of series) {
    if (s.name.startsWith('queue:')) {
      let peak = 0;
      for (const v of s.v) if (v > peak) peak = v;
      queues.push([s.name, peak]);
      continue;
    }
    const m = /^flow:(\d+):(.+)$/.exec(s.name);
    if (!m) continue;
    const id = Number(m[1]);
    let a = flows.get(id);
    if (!a) flows.set(id, (a = []));
    a.push(m[2]);
  }
  queues.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { queues: queues.map((q) => q[0]), flows };
}

/** A series as points: x in µs, y as stored (optionally scaled). */
export function seriesPoints(s: Series, scale = 1): Point[] {
  const n = Math.min(s.t.length, s.v.length);
  const out: Point[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { x: s.t[i] / 1e6, y: s.v[i] * scale };
  return out;
}

/** Delivered bytes sampled over time → throughput (Gb/s) over each interval, placed at its end (µs). */
export function throughputGbps(tPs: readonly number[], bytes: readonly number[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < Math.min(tPs.length, bytes.length); i++) {
    const dt = tPs[i] - tPs[i - 1];
    if (dt <= 0) continue;
    out.push({ x: tPs[i] / 1e6, y: ((bytes[i] - bytes[i - 1]) * 8e12) / dt / 1e9 });
  }
  return out;
}

// ------------------------------------------------------------------ pause replay

/** The (port → root port) edges paused at time t, from the recorded pause intervals. */
export function pausedAt(intervals: readonly PauseInterval[], tPs: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const iv of intervals) {
    if (iv.startPs <= tPs && (iv.endPs < 0 || iv.endPs > tPs)) out.set(iv.port, iv.rootPort);
  }
  return out;
}

/** Number of paused (link, priority) edges over time, as a step function (t in µs) up to endPs. */
export function pausedCountSeries(intervals: readonly PauseInterval[], endPs: number): Point[] {
  const ev: Array<[number, number]> = [];
  for (const iv of intervals) {
    ev.push([iv.startPs, 1]);
    if (iv.endPs >= 0) ev.push([iv.endPs, -1]); // still paused at the end: no drop
  }
  ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Point[] = [{ x: 0, y: 0 }];
  let n = 0;
  for (let i = 0; i < ev.length; i++) {
    n += ev[i][1];
    if (i + 1 < ev.length && ev[i + 1][0] === ev[i][0]) continue;
    out.push({ x: ev[i][0] / 1e6, y: n });
  }
  if (out[out.length - 1].x < endPs / 1e6) out.push({ x: endPs / 1e6, y: n });
  return out;
}

// ------------------------------------------------------------------ victims

export interface VictimRow {
  flow: number;
  src: number;
  dst: number;
  blockedUs: number;
  fctShare: number;
  fctUs: number;
  roots: string[];
}

/** Head-of-line victims, most blocked first (ties by flow id). */
export function victimRows(r: Result): VictimRow[] {
  const v = r.congestion?.victims ?? [];
  return v
    .map((x) => {
      const f = r.flows[x.flow];
      return {
        flow: x.flow,
        src: x.src,
        dst: x.dst,
        blockedUs: x.blockedPs / 1e6,
        fctShare: x.fctShare,
        fctUs: f && f.fctPs >= 0 ? f.fctPs / 1e6 : NaN,
        roots: x.roots,
      };
    })
    .sort((a, b) => b.blockedUs - a.blockedUs || a.flow - b.flow);
}

// ------------------------------------------------------------------ identity and export

/** Digest of a result's deterministic content: FNV-1a 64 over canonical JSON, meta.wallMs left out. */
export function resultDigest(r: Result): string {
  const copy = { ...r, meta: { ...r.meta, wallMs: 0 } };
  return fnv1a64Hex(canonicalJson(copy));
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Per-flow rows of every run, one CSV. */
export function flowsCsv(runs: readonly NamedRun[]): string {
  const head = [
    'variant',
    'flow',
    'src',
    'dst',
    'sizeBytes',
    'startUs',
    'fctUs',
    'idealFctUs',
    'slowdown',
    'retransmits',
  ];
  const lines = [head.join(',')];
  for (const { name, result } of runs) {
    for (const f of result.flows) {
      lines.push(
        [
          name,
          f.id,
          f.src,
          f.dst,
          f.sizeBytes,
          f.startPs / 1e6,
          f.fctPs >= 0 ? f.fctPs / 1e6 : '',
          f.idealFctPs / 1e6,
          f.slowdown >= 0 ? f.slowdown : '',
          f.retransmits,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------ share link

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const b = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const blob = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(blob).arrayBuffer());
}

/** Scenario YAML → a URL hash (`#z=` deflated base64url, or `#yaml=` where there is no CompressionStream). */
export async function encodeShare(yaml: string): Promise<string> {
  const bytes = new TextEncoder().encode(yaml);
  if (typeof CompressionStream === 'function') {
    return (
      '#z=' +
      toBase64Url(
        await pipe(bytes, new CompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>),
      )
    );
  }
  return `#yaml=${toBase64Url(bytes)}`;
}

/** A URL hash made by encodeShare → the YAML, or null if the hash holds no scenario. */
export async function decodeShare(hash: string): Promise<string | null> {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  try {
    if (h.startsWith('z=')) {
      const bytes = await pipe(
        fromBase64Url(h.slice(2)),
        new DecompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>,
      );
      return new TextDecoder().decode(bytes);
    }
    if (h.startsWith('yaml=')) return new TextDecoder().decode(fromBase64Url(h.slice(5)));
  } catch {
    return null;
  }
  return null;
}
