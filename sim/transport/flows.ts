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
  /** Flows that start when this flow completes (ring all-reduce steps). */
  private readonly dependents: number[][] | null;
  /** The transport's flow-start event kind (set by scheduleStarts). */
  private startKind = -1;

  constructor(
    flows: FlowSpec[],
    private readonly sim: Simulator,
  ) {
    const n = flows.length;
    this.count = n;
    this.src = new Int32Array(n);
    this.dst = new Int32Array(n);
    this.sizeBytes = new Float64Array(n);
    this.startPs = new Float64Array(n);
    this.finishPs = new Float64Array(n).fill(-1);
    this.retransmits = new Int32Array(n);
    this.deliveredBytes = new Float64Array(n);
    let deps: number[][] | null = null;
    flows.forEach((f, i) => {
      this.src[i] = f.src;
      this.dst[i] = f.dst;
      this.sizeBytes[i] = f.sizeBytes;
      this.startPs[i] = f.startPs;
      if (f.after !== undefined) {
        deps ??= Array.from({ length: n }, () => []);
        deps[f.after].push(i);
        this.startPs[i] = -1; // known when its predecessor completes
      }
    });
    this.dependents = deps;
    this.startDelayPs = Float64Array.from(flows, (f) => (f.after !== undefined ? f.startPs : 0));
  }

  /** Delay after the predecessor completes, for dependent flows. */
  private readonly startDelayPs: Float64Array;

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

  /** Flows that wait on another flow (ring all-reduce steps). */
  get hasDependencies(): boolean {
    return this.dependents !== null;
  }

  finish(f: number): void {
    if (this.finishPs[f] >= 0) return;
    this.finishPs[f] = this.sim.now;
    this.doneCount++;
    if (this.dependents !== null) {
      for (const d of this.dependents[f]) {
        this.startPs[d] = this.sim.now + this.startDelayPs[d];
        this.sim.at(this.startPs[d], this.startKind, d, 0);
      }
    }
    // The run is not stopped here: it drains (packets still in flight arrive, timers lapse)
    // so that conservation can be checked with nothing left in queues.
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
