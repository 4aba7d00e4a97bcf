import type { Fabric } from '../net/fabric.ts';
import type { FlowTable } from '../transport/flows.ts';
import { PRIO } from '../net/packets.ts';

/**
 * The fabric over time, for `series.ndjson` beside a CLI run's result.json (docs/results.md,
 * "The time-series file"): every port's queue depth, utilisation and pause state, and every
 * flow's delivered bytes, at fixed simulated-time intervals.
 *
 * It reads the fabric's public per-port arrays between slices of the run (the run stops at each
 * sample time, and the next slice goes on exactly where it stopped), so it schedules no event
 * and the result stays byte-identical to a run without it.
 *
 * Bounded like the page's replay tape (web/src/liveRun.ts): the interval starts at
 * FABRIC_SERIES_START_PS and doubles whenever the row cap is reached, each dropped row merged
 * into the next one kept (bytes sent add up, so utilisation stays the exact mean over the kept
 * row's interval). The cap is MAX_ROWS, lowered for large fabrics so that a file holds at most
 * about MAX_VALUES numbers: a run keeps between cap / 2 and cap rows (plus the final one).
 *
 * A partitioned run (sim/run/parallel/) records one series per partition, of the ports of its
 * nodes and the flows it receives (`partOf`), each sampled inside its windows at the same grid
 * times (parallel/window.ts); `merged` joins them into the whole fabric's.
 */
export const FABRIC_SERIES_START_PS = 100_000;
export const FABRIC_SERIES_MAX_ROWS = 400;
/** Numbers per file (rows × (3 × ports + flows)): about 35 MB of NDJSON at worst. */
export const FABRIC_SERIES_MAX_VALUES = 12_000_000;
/** Fewest rows the cap may be lowered to, however large the fabric. */
export const FABRIC_SERIES_MIN_ROWS = 40;

/** One sample: values of the series' ports and flows, in the order of its `ports` and `flowIds`. */
export interface SeriesRow {
  tPs: number;
  dtPs: number;
  queueBytes: Float64Array;
  /** Wire bytes sent by each port during the row's interval. */
  txBytes: Float64Array;
  paused: Uint8Array;
  deliveredBytes: Float64Array;
}

/** A partition's series as plain data (it may come from another thread): parallel/merge.ts. */
export interface SeriesPart {
  /** The ports (global indices) its rows hold, and the flows. */
  ports: Int32Array;
  flowIds: Int32Array;
  rows: SeriesRow[];
  /** The partition's state where its run ended (taken unless every flow was done first). */
  final: SeriesRow | null;
  intervalPs: number;
}

export class FabricSeries {
  private intervalPs = FABRIC_SERIES_START_PS;
  /** The next sample time on the grid (Infinity once the last flow is done). */
  nextPs = FABRIC_SERIES_START_PS;
  readonly maxRows: number;
  private rows: SeriesRow[] = [];
  /** The ports and flows this series reads: all of them, or a partition's (partOf). */
  private readonly ports: Int32Array;
  private readonly flowIds: Int32Array;
  private readonly prevTx: Float64Array;
  private prevPs = 0;
  private finished = false;

  constructor(
    private readonly fabric: Fabric,
    private readonly flows: FlowTable,
    /** A partition's series (partOf): its nodes' ports and the flows it receives only. */
    partition = false,
  ) {
    const ports: number[] = [];
    for (let p = 0; p < fabric.portCount; p++) if (!partition || fabric.isLocalNode(fabric.portNode[p])) ports.push(p);
    const flowIds: number[] = [];
    for (let f = 0; f < flows.count; f++) if (!partition || flows.isLocalReceiver(f)) flowIds.push(f);
    this.ports = Int32Array.from(ports);
    this.flowIds = Int32Array.from(flowIds);
    this.prevTx = new Float64Array(ports.length);
    // The whole fabric's numbers per row, so that every partition (and the whole run) caps alike.
    const perRow = 3 * fabric.portCount + flows.count;
    const fit = Math.floor(FABRIC_SERIES_MAX_VALUES / Math.max(1, perRow));
    // Even, so that halving keeps every row on the doubled grid.
    this.maxRows = Math.max(FABRIC_SERIES_MIN_ROWS, Math.min(FABRIC_SERIES_MAX_ROWS, fit)) & ~1;
  }

  /** Called when the run has stopped at nextPs (or has ended): take the sample due. */
  sample(): void {
    if (this.finished) return;
    const now = this.fabric.sim.now;
    if (now <= this.prevPs && this.rows.length) return;
    this.rows.push(this.read(now));
    if (this.flows.allDone()) {
      // The last row is the moment the last flow finished (the slice it ended in), off the grid.
      this.finished = true;
      this.nextPs = Infinity;
      return;
    }
    this.advance();
  }

  /**
   * A partition's sample at grid time tPs (= nextPs), once it has handled every event up to
   * tPs (parallel/window.ts). Whether every flow is done is not asked here: a partition learns
   * of the others' flows at window ends only, and every partition must take the same rows
   * (`stopAt`).
   */
  sampleAt(tPs: number): void {
    this.rows.push(this.read(tPs));
    this.advance();
  }

  /**
   * Every flow of the run is done, as a partitioned run learns at a window end: the last row is
   * the state at tPs (every event up to it handled), and no more follow.
   */
  stopAt(tPs: number): void {
    if (!this.finished && tPs > this.prevPs) this.rows.push(this.read(tPs));
    this.stop();
  }

  private stop(): void {
    this.finished = true;
    this.nextPs = Infinity;
  }

  private advance(): void {
    if (this.rows.length >= this.maxRows) this.halve();
    this.nextPs = this.rows[this.rows.length - 1].tPs + this.intervalPs;
  }

  /** The run ended before its last flow (time limit, stall, cancel): the state at its end. */
  finish(): void {
    if (!this.finished && this.fabric.sim.now > this.prevPs) this.rows.push(this.read(this.fabric.sim.now));
    this.finished = true;
    this.nextPs = Infinity;
  }

  /** A partition's rows, and its state at the end of the run (which `merged` may take as the last row). */
  partOf(): SeriesPart {
    const final = this.finished ? null : this.read(this.fabric.sim.now);
    return { ports: this.ports, flowIds: this.flowIds, rows: this.rows, final, intervalPs: this.intervalPs };
  }

  /**
   * The whole run's series from its partitions' (partOf, in partition order): each port's
   * numbers from the partition of its node, each flow's from its receiver's. The partitions
   * sampled the same grid times; the last row, when the run ended before its last flow, is the
   * state every partition ended in, at the latest of their end times. The parts' rows are
   * consumed (left null).
   */
  static merged(fabric: Fabric, flows: FlowTable, parts: SeriesPart[]): FabricSeries {
    const m = new FabricSeries(fabric, flows);
    const first = parts[0];
    for (const part of parts) {
      const same =
        part.rows.length === first.rows.length &&
        part.intervalPs === first.intervalPs &&
        part.rows.every((r, i) => r.tPs === first.rows[i].tPs);
      if (!same) throw new Error('the partitions of a run recorded their series at different times');
    }
    const portAt = new Int32Array(fabric.portCount);
    const flowAt = new Int32Array(flows.count);
    const portPart = new Int32Array(fabric.portCount);
    const flowPart = new Int32Array(flows.count);
    parts.forEach((part, k) => {
      part.ports.forEach((p, i) => {
        portPart[p] = k;
        portAt[p] = i;
      });
      part.flowIds.forEach((f, i) => {
        flowPart[f] = k;
        flowAt[f] = i;
      });
    });
    const join = (of: SeriesRow[], tPs: number, dtPs: number): SeriesRow => {
      const row: SeriesRow = {
        tPs,
        dtPs,
        queueBytes: new Float64Array(fabric.portCount),
        txBytes: new Float64Array(fabric.portCount),
        paused: new Uint8Array(fabric.portCount),
        deliveredBytes: new Float64Array(flows.count),
      };
      for (let p = 0; p < fabric.portCount; p++) {
        const r = of[portPart[p]];
        const i = portAt[p];
        row.queueBytes[p] = r.queueBytes[i];
        row.txBytes[p] = r.txBytes[i];
        row.paused[p] = r.paused[i];
      }
      for (let f = 0; f < flows.count; f++) row.deliveredBytes[f] = of[flowPart[f]].deliveredBytes[flowAt[f]];
      return row;
    };
    const n = first.rows.length;
    const times = first.rows.map((r) => [r.tPs, r.dtPs]);
    for (let i = 0; i < n; i++) {
      m.rows.push(
        join(
          parts.map((part) => part.rows[i]),
          times[i][0],
          times[i][1],
        ),
      );
      // The parts are consumed as they are joined: at 65,536 hosts a copy of every row is
      // hundreds of MB, and the whole run's rows need not sit beside the parts' at the end.
      for (const part of parts) (part.rows as Array<SeriesRow | null>)[i] = null;
    }
    m.intervalPs = first.intervalPs;
    const lastPs = m.rows.length > 0 ? m.rows[m.rows.length - 1].tPs : 0;
    if (parts.every((part) => part.final !== null)) {
      const finals = parts.map((part) => part.final!);
      const endPs = Math.max(...finals.map((r) => r.tPs));
      if (endPs > lastPs) m.rows.push(join(finals, endPs, endPs - lastPs));
    }
    m.stop();
    return m;
  }

  private read(now: number): SeriesRow {
    const f = this.fabric;
    const ports = this.ports;
    const n = ports.length;
    const row: SeriesRow = {
      tPs: now,
      dtPs: now - this.prevPs,
      queueBytes: new Float64Array(n),
      txBytes: new Float64Array(n),
      paused: new Uint8Array(n),
      // Every flow (a whole run's series): a copy in one builtin call.
      deliveredBytes:
        this.flowIds.length === this.flows.count
          ? Float64Array.from(this.flows.deliveredBytes)
          : Float64Array.from(this.flowIds, (id) => this.flows.deliveredBytes[id]),
    };
    const dataMask = (1 << PRIO.DATA_COUNT) - 1;
    for (let i = 0; i < n; i++) {
      const p = ports[i];
      row.queueBytes[i] = f.portQueueBytes(p);
      const tx = f.txBytesOf(p);
      row.txBytes[i] = tx - this.prevTx[i];
      this.prevTx[i] = tx;
      row.paused[i] = f.pausedBits(p) & dataMask;
    }
    this.prevPs = now;
    return row;
  }

  /** Keep the rows on the doubled grid, each taking over the interval of the one before it. */
  private halve(): void {
    const dt = this.intervalPs * 2;
    let j = 0;
    for (let i = 0; i < this.rows.length; i++) {
      const r = this.rows[i];
      if (r.tPs % dt !== 0) continue;
      const prev = this.rows[i - 1];
      if (prev && prev.tPs % dt !== 0) {
        for (let p = 0; p < r.txBytes.length; p++) r.txBytes[p] += prev.txBytes[p];
        r.dtPs += prev.dtPs;
      }
      this.rows[j++] = r;
    }
    this.rows.length = j;
    this.intervalPs = dt;
  }

  /** Rows held so far (tests). */
  get length(): number {
    return this.rows.length;
  }

  /**
   * The NDJSON text as its lines, each ending in a newline: a `meta` line (port names, rates,
   * counts), then one `sample` line per row. Utilisation is rounded to 1e-3 (the file's only
   * rounding); the rest is exact. Lines, not one string, so that a writer can write them one by
   * one: V8 caps one string at 2^29 − 24 characters (~512 MiB), which the file of a fabric of
   * about two million ports would pass (a k = 112 fat tree; k = 64's 393,216 ports gave
   * 104–112 MB, docs/performance.md), and joining the lines would hold the text twice.
   */
  ndjsonLines(meta: { name: string; seed: number; scenarioHash: string }): string[] {
    const f = this.fabric;
    const names = f.graph.nodeNames;
    const ports: string[] = [];
    for (let p = 0; p < f.portCount; p++) ports.push(`${names[f.portNode[p]]}->${names[f.portNode[p ^ 1]]}`);
    const out: string[] = [
      `${JSON.stringify({
        kind: 'meta',
        format: 'ethersim-series',
        version: 1,
        name: meta.name,
        seed: meta.seed,
        scenarioHash: meta.scenarioHash,
        ports,
        portRateBps: Array.from(f.rateBps.subarray(0, f.portCount)),
        flows: this.flows.count,
        rowCap: this.maxRows,
        intervalPs: this.intervalPs,
      })}\n`,
    ];
    for (const r of this.rows) {
      const util = new Array<number>(r.txBytes.length);
      for (let p = 0; p < util.length; p++) {
        const u = r.dtPs > 0 ? (r.txBytes[p] * 8e12) / (f.rateBps[p] * r.dtPs) : 0;
        util[p] = Math.round(u * 1e3) / 1e3;
      }
      out.push(
        `{"kind":"sample","tPs":${r.tPs},"dtPs":${r.dtPs},"queueBytes":[${r.queueBytes.join(',')}],"util":[${util.join(',')}],"paused":[${r.paused.join(',')}],"deliveredBytes":[${r.deliveredBytes.join(',')}]}\n`,
      );
    }
    return out;
  }
}
