import type { Result } from './result.ts';

/** Per-flow statistics over a result: fairness and slowdown by flow size (the CLI's and the browser's). */

/**
 * Jain's fairness index (Σx)² / (n Σx²) of the flows' goodputs over the run: x = payload bytes
 * delivered over the flow's own lifetime (start to finish, or to the end of the run for a flow
 * still going). 1 when all flows got the same rate, 1/n when one got everything. NaN with fewer
 * than two flows that had time to send. (The index of Jain, Chiu and Hawe, DEC-TR-301, 1984.)
 */
export function goodputFairness(r: Result): number {
  const xs: number[] = [];
  for (const f of r.flows) {
    if (f.startPs < 0 || f.startPs >= r.meta.simTimePs) continue;
    const end = f.fctPs >= 0 ? f.startPs + f.fctPs : r.meta.simTimePs;
    if (end > f.startPs) xs.push(f.deliveredBytes / (end - f.startPs));
  }
  if (xs.length < 2) return NaN;
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return sq > 0 ? (sum * sum) / (xs.length * sq) : NaN;
}

/** Flow-size buckets for slowdown in comparisons: [label, upper bound in bytes (inclusive)]. */
export const SIZE_BUCKETS: Array<[string, number]> = [
  ['≤10KB', 10_000],
  ['10KB–100KB', 100_000],
  ['100KB–1MB', 1_000_000],
  ['1MB–10MB', 10_000_000],
  ['>10MB', Infinity],
];

/** Slowdown p50/p99 per flow-size bucket (finished flows only): label → [p50, p99, count]. */
export function slowdownBySize(r: Result): Map<string, [number, number, number]> {
  const by = new Map<string, number[]>();
  for (const f of r.flows) {
    if (f.slowdown < 0) continue;
    const b = SIZE_BUCKETS.find(([, hi]) => f.sizeBytes <= hi)![0];
    let a = by.get(b);
    if (!a) by.set(b, (a = []));
    a.push(f.slowdown);
  }
  const out = new Map<string, [number, number, number]>();
  for (const [label] of SIZE_BUCKETS) {
    const a = by.get(label);
    if (!a) continue;
    a.sort((x, y) => x - y);
    const at = (q: number) => a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))];
    out.set(label, [at(0.5), at(0.99), a.length]);
  }
  return out;
}

/** Slowdown quantile q of the finished flows of at most `maxBytes` (HPCC's "flows < 100 KB", docs/reference/cc-family.md §5); NaN if none. */
export function slowdownQuantileUpTo(r: Result, maxBytes: number, q: number): number {
  const a = r.flows.filter((f) => f.slowdown >= 0 && f.sizeBytes <= maxBytes).map((f) => f.slowdown);
  if (a.length === 0) return NaN;
  a.sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))];
}

/**
 * The switch queues a run sampled (metrics.queueSampleNs: the `queue:` series), over every
 * (switch egress port, sample): mean and 99th percentile in bytes; null without samples.
 */
export function switchQueueStats(r: Result): { meanBytes: number; p99Bytes: number } | null {
  const v: number[] = [];
  for (const s of r.series) if (s.name.startsWith('queue:')) for (const x of s.v) v.push(x);
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  v.sort((x, y) => x - y);
  return { meanBytes: mean, p99Bytes: v[Math.min(v.length - 1, Math.ceil(0.99 * v.length) - 1)] };
}
