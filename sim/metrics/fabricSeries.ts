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
 */
export const FABRIC_SERIES_START_PS = 100_000;
export const FABRIC_SERIES_MAX_ROWS = 400;
/** Numbers per file (rows × (3 × ports + flows)): about 35 MB of NDJSON at worst. */
export const FABRIC_SERIES_MAX_VALUES = 12_000_000;
/** Fewest rows the cap may be lowered to, however large the fabric. */
export const FABRIC_SERIES_MIN_ROWS = 40;

interface Row {
  tPs: number;
  dtPs: number;
  queueBytes: Float64Array;
  /** Wire bytes sent by each port during the row's interval. */
  txBytes: Float64Array;
  paused: Uint8Array;
  deliveredBytes: Float64Array;
}

export class FabricSeries {
  private intervalPs = FABRIC_SERIES_START_PS;
  /** The next sample time on the grid (Infinity once the last flow is done). */
  nextPs = FABRIC_SERIES_START_PS;
  readonly maxRows: number;
  private readonly rows: Row[] = [];
  private readonly prevTx: Float64Array;
  private prevPs = 0;
  private finished = false;

  constructor(
    private readonly fabric: Fabric,
    private readonly flows: FlowTable,
  ) {
    this.prevTx = new Float64Array(fabric.portCount);
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
    if (this.rows.length >= this.maxRows) this.halve();
    this.nextPs = this.rows[this.rows.length - 1].tPs + this.intervalPs;
  }

  /** The run ended before its last flow (time limit, stall, cancel): the state at its end. */
  finish(): void {
    if (!this.finished && this.fabric.sim.now > this.prevPs) this.rows.push(this.read(this.fabric.sim.now));
    this.finished = true;
    this.nextPs = Infinity;
  }

  private read(now: number): Row {
    const f = this.fabric;
    const n = f.portCount;
    const row: Row = {
      tPs: now,
      dtPs: now - this.prevPs,
      queueBytes: new Float64Array(n),
      txBytes: new Float64Array(n),
      paused: new Uint8Array(n),
      deliveredBytes: Float64Array.from(this.flows.deliveredBytes),
    };
    const dataMask = (1 << PRIO.DATA_COUNT) - 1;
    for (let p = 0; p < n; p++) {
      row.queueBytes[p] = f.portQueueBytes(p);
      const tx = f.txBytesOf(p);
      row.txBytes[p] = tx - this.prevTx[p];
      this.prevTx[p] = tx;
      row.paused[p] = f.pausedBits(p) & dataMask;
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
   * The NDJSON text: a `meta` line (port names, rates, counts), then one `sample` line per row.
   * Utilisation is rounded to 1e-3 (the file's only rounding); the rest is exact.
   */
  ndjson(meta: { name: string; seed: number; scenarioHash: string }): string {
    const f = this.fabric;
    const names = f.graph.nodeNames;
    const ports: string[] = [];
    for (let p = 0; p < f.portCount; p++) ports.push(`${names[f.portNode[p]]}->${names[f.portNode[p ^ 1]]}`);
    const out: string[] = [
      JSON.stringify({
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
      }),
    ];
    for (const r of this.rows) {
      const util = new Array<number>(r.txBytes.length);
      for (let p = 0; p < util.length; p++) {
        const u = r.dtPs > 0 ? (r.txBytes[p] * 8e12) / (f.rateBps[p] * r.dtPs) : 0;
        util[p] = Math.round(u * 1e3) / 1e3;
      }
      out.push(
        `{"kind":"sample","tPs":${r.tPs},"dtPs":${r.dtPs},"queueBytes":[${r.queueBytes.join(',')}],"util":[${util.join(',')}],"paused":[${r.paused.join(',')}],"deliveredBytes":[${r.deliveredBytes.join(',')}]}`,
      );
    }
    return `${out.join('\n')}\n`;
  }
}
