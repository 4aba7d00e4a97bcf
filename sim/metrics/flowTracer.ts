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
  ) {
    this.intervalPs = Math.max(1, Math.round(intervalNs * 1000));
    fabric.sim.at(0, EV.TRACE, 0, 0);
  }

  sample(): void {
    const now = this.fabric.sim.now;
    const n = this.t.length;
    this.t.push(now);
    for (const f of this.traced) {
      this.put(`flow:${f}:deliveredBytes`, n, this.flows.deliveredBytes[f]);
      const extra = this.fabric.transport.flowTrace?.(f);
      if (extra) for (const k of Object.keys(extra)) this.put(`flow:${f}:${k}`, n, extra[k]);
    }
    if (this.t.length >= this.maxSamples) {
      const keep = (a: number[]) => { let j = 0; for (let i = 0; i < a.length; i += 2) a[j++] = a[i]; a.length = j; };
      keep(this.t);
      for (const s of this.data.values()) keep(s);
      this.intervalPs *= 2;
    }
    if (this.flows.doneCount < this.flows.count) this.fabric.sim.at(now + this.intervalPs, EV.TRACE, 0, 0);
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
    return [...this.data.entries()].map(([name, v]) => ({ name, t: this.t.slice(0, v.length), v }));
  }
}
