import type { Quantiles } from './result.ts';

/**
 * Exact nearest-rank quantiles of a small sample (per-flow values: one number per flow, not
 * per packet — per-packet data goes through LatencyHistogram).
 */
export function quantiles(values: ArrayLike<number>): Quantiles {
  const n = values.length;
  if (n === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
  const a = Float64Array.from(values).sort();
  const at = (q: number) => a[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: a[n - 1], mean: sum / n, count: n };
}
