/**
 * `series.ndjson`, the fabric over time that `ethersim run --out` (compare, sweep) writes beside
 * result.json (sim/metrics/fabricSeries.ts; docs/results.md, "The time-series file"): read into
 * typed arrays, then turned into the page's replay tape (queue, utilisation, pause state per
 * port and sample) and the flows × time throughput heatmap. No DOM here (tests/web-fabric.test.ts).
 */
import type { Result, Series } from '../../sim/metrics/result.ts';
import { pausedAt } from './transforms.ts';
import { KIND_TAPE } from './snapshot.ts';
import type { TapeSample } from './tape.ts';

export interface SeriesFile {
  ports: string[];
  portRateBps: number[];
  flows: number;
  rows: Array<{
    tPs: number;
    dtPs: number;
    queueBytes: Float32Array;
    util: Float32Array;
    paused: Uint8Array;
    deliveredBytes: Float64Array;
  }>;
}

/** Parse the file's text. Throws with a one-line reason when it is not one. */
export function parseSeriesFile(text: string, path = 'series.ndjson'): SeriesFile {
  let start = 0;
  let line = 0;
  let file: SeriesFile | null = null;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    if (end > start) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(text.slice(start, end));
      } catch (e) {
        throw new Error(`${path}:${line}: not JSON (${(e as Error).message})`);
      }
      if (file === null) {
        if (o.kind !== 'meta' || o.format !== 'ethersim-series' || !Array.isArray(o.ports))
          throw new Error(`${path}: not an ethersim series file (its first line is not the "meta" line)`);
        if (o.version !== 1) throw new Error(`${path}: series version ${String(o.version)}, this page reads 1`);
        file = {
          ports: o.ports as string[],
          portRateBps: o.portRateBps as number[],
          flows: o.flows as number,
          rows: [],
        };
      } else if (o.kind === 'sample') {
        const q = o.queueBytes as number[];
        const u = o.util as number[];
        const p = o.paused as number[];
        const d = o.deliveredBytes as number[];
        if (q.length !== file.ports.length || u.length !== q.length || p.length !== q.length)
          throw new Error(`${path}:${line}: ${q.length} ports, the meta line names ${file.ports.length}`);
        file.rows.push({
          tPs: o.tPs as number,
          dtPs: o.dtPs as number,
          queueBytes: Float32Array.from(q),
          util: Float32Array.from(u),
          paused: Uint8Array.from(p),
          deliveredBytes: Float64Array.from(d),
        });
      }
    }
    start = end + 1;
  }
  if (file === null) throw new Error(`${path}: empty`);
  return file;
}

/**
 * The replay tape of an opened run: one sample per row, the file's ports mapped onto the page's
 * (the same numbering when the file and scenario.json agree, else by name). Which ports are
 * paused comes from the file; their congestion tree's root from the result's pause intervals.
 */
export function tapeFromSeries(file: SeriesFile, portNames: string[], result: Result): TapeSample[] {
  const n = portNames.length;
  const same = file.ports.length === n && file.ports.every((p, i) => p === portNames[i]);
  const index = same ? null : new Map(portNames.map((name, i) => [name, i]));
  const map = same ? null : Int32Array.from(file.ports, (p) => index!.get(p) ?? -1);
  const intervals = result.congestion?.pauseIntervals ?? [];
  // Shared: an opened run has no live cause, and most samples nothing paused.
  const noCause = new Int32Array(n).fill(-1);
  return file.rows.map((r) => {
    let queueBytes = r.queueBytes;
    let util = r.util;
    let paused = r.paused;
    if (map) {
      queueBytes = new Float32Array(n);
      util = new Float32Array(n);
      paused = new Uint8Array(n);
      for (let i = 0; i < map.length; i++) {
        const p = map[i];
        if (p < 0) continue;
        queueBytes[p] = r.queueBytes[i];
        util[p] = r.util[i];
        paused[p] = r.paused[i];
      }
    }
    let pausedN = 0;
    for (let p = 0; p < n; p++) if (paused[p] !== 0) pausedN++;
    let root = noCause;
    if (pausedN > 0) {
      root = new Int32Array(n).fill(-1);
      for (const [p, rp] of pausedAt(intervals, r.tPs)) if (paused[p] !== 0) root[p] = rp;
    }
    return {
      portCount: n,
      simTimePs: r.tPs,
      events: 0,
      flowsDone: 0,
      flowsTotal: result.summary.flowsTotal,
      intervalPs: r.dtPs,
      kind: KIND_TAPE,
      tapeDtPs: 0,
      queueBytes,
      util,
      cause: noCause,
      root,
      paused,
      pausedN,
    };
  });
}

/** Each flow's throughput (Gb/s) over each row's interval: flows × rows. */
export function flowThroughput(file: SeriesFile): { tUs: number[]; values: Float32Array[] } {
  const cols = file.rows.length;
  const values = Array.from({ length: file.flows }, () => new Float32Array(cols));
  for (let c = 0; c < cols; c++) {
    const r = file.rows[c];
    const prev = c > 0 ? file.rows[c - 1].deliveredBytes : null;
    const perPs = r.dtPs > 0 ? 8e3 / r.dtPs : 0; // bytes per interval → Gb/s (ps → s: 1e12; bits: 8; G: 1e-9)
    for (let f = 0; f < file.flows; f++) values[f][c] = (r.deliveredBytes[f] - (prev ? prev[f] : 0)) * perPs;
  }
  return { tUs: file.rows.map((r) => r.tPs / 1e6), values };
}

/** Series an opened run's pickers list from its file, of each kind (queues, flows) at most. */
export const FILE_SERIES_MAX = 1000;

/**
 * The file as the time-series panel's series (the names a run's own `result.series` uses):
 * `queue:<port>` for the switch egress ports with the deepest queues, and
 * `flow:<id>:deliveredBytes` for the slowest flows (largest slowdown, unfinished first), at
 * most `max` of each: a picker of 40,000 entries slows the whole page, and the heatmaps show
 * every port and flow. Each series' values are built when first read.
 */
export function fileSeries(
  file: SeriesFile,
  isSwitchPort: (port: number) => boolean,
  result: Result,
  max = FILE_SERIES_MAX,
): Series[] {
  const t = file.rows.map((r) => r.tPs);
  const series = (name: string, read: () => number[]): Series => {
    let v: number[] | null = null;
    return {
      name,
      t,
      get v() {
        v ??= read();
        return v;
      },
    };
  };
  const peak = new Float64Array(file.ports.length);
  for (const r of file.rows)
    for (let p = 0; p < peak.length; p++) if (r.queueBytes[p] > peak[p]) peak[p] = r.queueBytes[p];
  const ports = file.ports
    .map((_, p) => p)
    .filter(isSwitchPort)
    .sort((a, b) => peak[b] - peak[a] || a - b)
    .slice(0, max);
  const slow = (f: number) => ((result.flows[f]?.slowdown ?? -1) < 0 ? Infinity : result.flows[f].slowdown);
  const flows = Array.from({ length: file.flows }, (_, f) => f)
    .sort((a, b) => slow(b) - slow(a) || a - b)
    .slice(0, max)
    .sort((a, b) => a - b);
  return [
    ...ports.map((p) => series(`queue:${file.ports[p]}`, () => file.rows.map((r) => r.queueBytes[p]))),
    ...flows.map((f) => series(`flow:${f}:deliveredBytes`, () => file.rows.map((r) => r.deliveredBytes[f]))),
  ];
}
