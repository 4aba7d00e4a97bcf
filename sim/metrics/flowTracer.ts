import type { Fabric } from '../net/fabric.ts';
import { EV } from '../net/fabric.ts';
import type { FlowTable } from '../transport/flows.ts';
import type { Series } from './result.ts';

/**
 * Per-flow traces at a fixed interval: delivered bytes (throughput) and whatever control
 * state the transport exposes (DCQCN rate/α, NSCC window). Bounded like QueueSampler:
 * at maxSamples the series are halved and the interval doubles.
 */
export class FlowTracer {
  private intervalPs: number;
  private readonly t: number[] = [];
  private readonly data = new Map<string, number[]>();

  constructor(
    private readonly fabric: Fabric,
    private readonly flows: FlowTable,
    private readonly traced: number[],
    intervalNs: number,
    private readonly maxSamples: number,
    /** stop.allFlowsDone false: sample on after the last flow, to the time limit. */
    private readonly untilTimeLimit = false,
  ) {
    this.intervalPs = Math.max(1, Math.round(intervalNs * 1000));
    fabric.sim.at(0, EV.TRACE, 0, 0);
  }

  sample(): void {
    const now = this.fabric.sim.now;
    const n = this.t.length;
    this.t.push(now);
    for (const f of this.traced) {
      // Partitioned runs: delivered bytes are known where the receiver is, the rest where the sender is.
      if (this.flows.isLocalReceiver(f)) this.put(`flow:${f}:deliveredBytes`, n, this.flows.deliveredBytes[f]);
      if (!this.flows.isLocal(f)) continue;
      const extra = this.fabric.transport.flowTrace?.(f);
      if (extra) for (const k of Object.keys(extra)) this.put(`flow:${f}:${k}`, n, extra[k]);
    }
    if (this.t.length >= this.maxSamples) {
      const keep = (a: number[]) => {
        let j = 0;
        for (let i = 0; i < a.length; i += 2) a[j++] = a[i];
        a.length = j;
      };
      keep(this.t);
      for (const s of this.data.values()) keep(s);
      this.intervalPs *= 2;
    }
    if (this.untilTimeLimit || !this.flows.allDone()) this.fabric.sim.at(now + this.intervalPs, EV.TRACE, 0, 0);
  }

  private put(name: string, index: number, v: number): void {
    let s = this.data.get(name);
    if (s === undefined) {
      s = new Array(index).fill(0);
      this.data.set(name, s);
    }
    s.push(v);
  }

  series(): Series[] {
    const own = [...this.data.entries()].map(([name, v]) => ({ name, t: this.t.slice(0, v.length), v }));
    if (this.absorbed.length === 0) return own;
    // In the order of the traced flows, as an unpartitioned run lists them.
    const flowOf = (s: Series) => Number(s.name.split(':')[1]);
    const rank = new Map(this.traced.map((f, i) => [f, i]));
    const delivered = (s: Series) => (s.name.endsWith(':deliveredBytes') ? 0 : 1);
    return [...own, ...this.absorbed]
      .map((s, i) => ({ s, i }))
      .sort((a, b) => rank.get(flowOf(a.s))! - rank.get(flowOf(b.s))! || delivered(a.s) - delivered(b.s) || a.i - b.i)
      .map((x) => x.s);
  }

  /** Series another partition traced for its own flows (sim/run/parallel/merge.ts). */
  absorb(series: Series[]): void {
    this.absorbed.push(...series);
  }

  private readonly absorbed: Series[] = [];
}
