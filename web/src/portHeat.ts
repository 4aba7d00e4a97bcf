/**
 * The ports × time heatmaps (queue, utilisation, PAUSE) straight from the replay tape, without
 * building a ports × samples grid first: each tape sample's column of band maxima is computed
 * once and kept with the sample, so a live redraw only reads the samples that arrived since the
 * last one (a 1,024-host fabric: 6,144 ports × up to 400 samples per redraw before, a few dozen
 * columns now). A sample merged into its neighbour when the tape's interval doubled (tape.ts)
 * has a new interval, which makes its column stale.
 */
import type { TopologyGraph } from '../../sim/topology/graph.ts';
import { bands, type BandedGrid } from './heatmap.ts';
import type { TapeSample } from './tape.ts';

export type PortMetric = 'queue' | 'util' | 'pause';

/** A port's value in one sample: utilisation clamped at 100 % (tape.ts), PAUSE as 0/1. */
export function portValue(s: TapeSample, metric: PortMetric, port: number): number {
  if (metric === 'queue') return s.queueBytes[port];
  if (metric === 'util') return s.util[port] < 1 ? s.util[port] : 1;
  return (s.paused[port] & 0x3f) !== 0 ? 1 : 0;
}

interface Column {
  key: string;
  intervalPs: number;
  values: Float32Array;
}
const columns = new WeakMap<TapeSample, Column>();
const orderIds = new WeakMap<Int32Array, number>();
let nextOrderId = 0;

/** One sample's band maxima, for rows in `order` binned by `start`. */
function column(s: TapeSample, metric: PortMetric, order: Int32Array, start: Int32Array): Float32Array {
  let id = orderIds.get(order);
  if (id === undefined) orderIds.set(order, (id = nextOrderId++));
  const key = `${metric}|${id}|${start.length}|${order.length}`;
  const c = columns.get(s);
  if (c && c.key === key && c.intervalPs === s.intervalPs) return c.values;
  const k = start.length - 1;
  const values = new Float32Array(k);
  const a = metric === 'queue' ? s.queueBytes : metric === 'util' ? s.util : s.paused;
  for (let b = 0; b < k; b++) {
    let m = 0;
    for (let r = start[b]; r < start[b + 1]; r++) {
      let v = a[order[r]];
      if (metric === 'util') v = v < 1 ? v : 1;
      else if (metric === 'pause') v = (v & 0x3f) !== 0 ? 1 : 0;
      if (v > m) m = v;
    }
    values[b] = m;
  }
  columns.set(s, { key, intervalPs: s.intervalPs, values });
  return values;
}

const grouped = new WeakMap<TopologyGraph, Int32Array>();

/** Rows grouped by the sending node's tier (top of the fabric first), then in port order (the builder's pod order). */
export function groupedOrder(g: TopologyGraph): Int32Array {
  let o = grouped.get(g);
  if (o) return o;
  const n = 2 * g.links.length;
  const tier = Int32Array.from({ length: n }, (_, p) => g.nodeTier[g.links[p >> 1][p & 1 ? 'b' : 'a']]);
  o = Int32Array.from({ length: n }, (_, p) => p).sort((a, b) => tier[b] - tier[a] || a - b);
  grouped.set(g, o);
  return o;
}

const worst = new WeakMap<TapeSample[], { metric: PortMetric; n: number; length: number; order: Int32Array }>();

/**
 * Worst first: by each port's largest value over the tape, ties in port order. While a live
 * tape grows, the order is kept until it has grown by a tenth (a new order means every
 * sample's column is read again); an opened run's tape does not change, so it is sorted once.
 */
export function worstOrder(tape: TapeSample[], metric: PortMetric, n: number): Int32Array {
  const w = worst.get(tape);
  if (w && w.metric === metric && w.n === n && tape.length >= w.length && tape.length <= w.length * 1.1) return w.order;
  const max = new Float32Array(n);
  for (const s of tape) for (let p = 0; p < n; p++) max[p] = Math.max(max[p], portValue(s, metric, p));
  const order = Int32Array.from({ length: n }, (_, p) => p).sort((a, b) => max[b] - max[a] || a - b);
  worst.set(tape, { metric, n, length: tape.length, order });
  return order;
}

/** The banded heatmap of a tape: `pixels` bands at most, rows in `order`; and its largest value. */
export function portHeat(
  tape: TapeSample[],
  metric: PortMetric,
  order: Int32Array,
  names: string[],
  pixels: number,
): { grid: BandedGrid; max: number } {
  const start = bands(order.length, pixels);
  const k = start.length - 1;
  const cols = tape.length;
  // Row-major bands × cols, as drawBanded reads it.
  const bandValues = new Float32Array(k * cols);
  let max = 0;
  for (let c = 0; c < cols; c++) {
    const col = column(tape[c], metric, order, start);
    for (let b = 0; b < k; b++) {
      const v = col[b];
      bandValues[b * cols + c] = v;
      if (v > max) max = v;
    }
  }
  let rows: string[] | null = null;
  return {
    grid: {
      tUs: tape.map((s) => s.simTimePs / 1e6),
      // Labels for the hover only: built on first use.
      get rows() {
        rows ??= Array.from(order, (p) => names[p]);
        return rows;
      },
      bands: start,
      bandValues,
      valueAt: (r, c) => portValue(tape[c], metric, order[r]),
    },
    max,
  };
}
