import type { Simulator } from '../engine/simulator.ts';
import type { FlowSpec } from '../workload/types.ts';

export type { FlowSpec };

/**
 * What every transport knows about its flows (struct of arrays); transport-specific state
 * lives beside it in the transport. Completion is "last byte acknowledged at the sender"
 * (HPCC `qp_finish`, physics.md §5.1).
 */
export class FlowTable {
  readonly count: number;
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly sizeBytes: Float64Array;
  readonly startPs: Float64Array;
  readonly finishPs: Float64Array;
  readonly retransmits: Int32Array;
  /** Payload bytes delivered to the receiving application (each byte once). */
  readonly deliveredBytes: Float64Array;
  doneCount = 0;
  /** Time the last flow finished (-1 until then). */
  allDonePs = -1;
  /**
   * Dependencies (ring all-reduce steps, collectives, jobs, traces) as a compressed list of
   * successors: flow f's successors are succ[succStart[f] .. succStart[f+1]), each with the lag
   * (ps) after f's completion it waits. null when no flow waits on another.
   */
  private readonly succStart: Int32Array | null = null;
  private readonly succ: Int32Array | null = null;
  private readonly succLagPs: Float64Array | null = null;
  /** Per flow: predecessors not yet complete, and the earliest start known so far. */
  private readonly pending: Int32Array | null = null;
  private readonly readyPs: Float64Array | null = null;
  /** The transport's flow-start event kind (set by scheduleStarts). */
  private startKind = -1;

  /**
   * `within`: this table is one traffic class's part of a run's table (transport/mixed.ts): its
   * arrays are views of `parent`'s from `offset` on, so the run's table sees every flow, and a
   * flow finishing here counts there too. Its own flow ids, dependencies and start events.
   */
  constructor(
    flows: FlowSpec[],
    private readonly sim: Simulator,
    within?: { parent: FlowTable; offset: number },
  ) {
    const n = flows.length;
    this.count = n;
    const part = <T extends Int32Array | Float64Array>(a: T, fresh: () => T): T =>
      within === undefined ? fresh() : (a.subarray(within.offset, within.offset + n) as T);
    const pt = within?.parent;
    this.parent = pt ?? null;
    this.src = part(pt?.src as Int32Array, () => new Int32Array(n));
    this.dst = part(pt?.dst as Int32Array, () => new Int32Array(n));
    this.sizeBytes = part(pt?.sizeBytes as Float64Array, () => new Float64Array(n));
    this.startPs = part(pt?.startPs as Float64Array, () => new Float64Array(n));
    this.finishPs = part(pt?.finishPs as Float64Array, () => new Float64Array(n)).fill(-1);
    this.retransmits = part(pt?.retransmits as Int32Array, () => new Int32Array(n));
    this.deliveredBytes = part(pt?.deliveredBytes as Float64Array, () => new Float64Array(n));
    let edges = 0;
    flows.forEach((f, i) => {
      this.src[i] = f.src;
      this.dst[i] = f.dst;
      this.sizeBytes[i] = f.sizeBytes;
      this.startPs[i] = f.startPs;
      edges += (f.after !== undefined ? 1 : 0) + (f.deps?.length ?? 0);
    });
    if (edges === 0) return;
    // `after` (one predecessor, startPs the delay after it) is the dependency list [after] with
    // lag startPs and earliest start 0.
    const pending = new Int32Array(n);
    const readyPs = new Float64Array(n);
    const outDeg = new Int32Array(n + 1);
    const each = (fn: (pred: number, succ: number, lagPs: number) => void) =>
      flows.forEach((f, i) => {
        if (f.after !== undefined) fn(f.after, i, f.startPs);
        if (f.deps)
          f.deps.forEach((d, k) => {
            fn(d, i, f.depLagPs?.[k] ?? 0);
          });
      });
    each((p, i) => {
      if (!(p >= 0 && p < n && p !== i)) throw new Error(`flow ${i} waits on flow ${p}, which does not exist`);
      outDeg[p + 1]++;
      pending[i]++;
    });
    for (let i = 0; i < n; i++) outDeg[i + 1] += outDeg[i];
    const fill = outDeg.slice(0, n);
    const succ = new Int32Array(edges);
    const lag = new Float64Array(edges);
    each((p, i, lagPs) => {
      const k = fill[p]++;
      succ[k] = i;
      lag[k] = lagPs;
    });
    flows.forEach((f, i) => {
      if (pending[i] > 0) {
        readyPs[i] = f.after !== undefined && !f.deps ? 0 : f.startPs;
        this.startPs[i] = -1; // known when its predecessors complete
      }
    });
    this.succStart = outDeg;
    this.succ = succ;
    this.succLagPs = lag;
    this.pending = pending;
    this.readyPs = readyPs;
  }

  /** The run's table when this is one class's part of it. */
  private readonly parent: FlowTable | null;

  /** Schedule every flow that does not wait on another; dependents start from finish(). */
  scheduleStarts(kind: number): void {
    this.startKind = kind;
    for (let f = 0; f < this.count; f++)
      if (this.startPs[f] >= 0 && this.isLocal(f)) this.sim.at(this.startPs[f], kind, f, 0);
  }

  /**
   * Partitioned runs (sim/run/parallel/): each node's partition (net/partition.ts) and this one's.
   * Only flows whose sender is local start here; a flow's receiver state lives in its
   * receiver's partition. null: every host is local.
   */
  private nodeLp: Int32Array | null = null;
  private partition = 0;

  setPartition(nodeLp: Int32Array, lp: number): void {
    this.nodeLp = nodeLp;
    this.partition = lp;
  }

  /** Partitioned runs: flows other partitions had finished at the last window end. */
  othersDone = 0;

  /** Every flow has finished (in a partitioned run: as far as known at the last window end). */
  allDone(): boolean {
    return this.doneCount + this.othersDone === this.count;
  }

  /** This partition simulates flow f's sender. */
  isLocal(f: number): boolean {
    return this.nodeLp === null || this.nodeLp[this.src[f]] === this.partition;
  }

  /** This partition simulates flow f's receiver. */
  isLocalReceiver(f: number): boolean {
    return this.nodeLp === null || this.nodeLp[this.dst[f]] === this.partition;
  }

  /** Flows that wait on another flow (ring all-reduce steps, collectives, jobs, traces). */
  get hasDependencies(): boolean {
    return this.succ !== null;
  }

  finish(f: number): void {
    if (this.finishPs[f] >= 0) return;
    this.finishPs[f] = this.sim.now;
    this.doneCount++;
    if (this.succ !== null) {
      // A successor starts once its last predecessor completes, at the latest of its
      // predecessors' completions plus their lags (and its own earliest start).
      const succ = this.succ;
      const lag = this.succLagPs!;
      const pending = this.pending!;
      const ready = this.readyPs!;
      for (let k = this.succStart![f], end = this.succStart![f + 1]; k < end; k++) {
        const d = succ[k];
        const t = this.sim.now + lag[k];
        if (t > ready[d]) ready[d] = t;
        if (--pending[d] === 0) {
          this.startPs[d] = ready[d];
          this.sim.at(ready[d], this.startKind, d, 0);
        }
      }
    }
    // The run is not stopped here: it drains (packets still in flight arrive, timers lapse)
    // so that conservation can be checked with nothing left in queues.
    if (this.doneCount === this.count) {
      this.allDonePs = this.sim.now;
      this.onAllDone?.();
    }
    if (this.parent !== null) this.parent.partFinished();
  }

  /** A flow of one of this table's class parts finished (transport/mixed.ts). */
  private partFinished(): void {
    this.doneCount++;
    if (this.doneCount === this.count) {
      this.allDonePs = this.sim.now;
      this.onAllDone?.();
    }
  }

  /** Called once, at the event that finishes the last flow (the browser's live run takes its
   *  last picture there: web/src/liveRun.ts). */
  onAllDone: (() => void) | null = null;

  isDone(f: number): boolean {
    return this.finishPs[f] >= 0;
  }
}
