import type { Fabric } from '../net/fabric.ts';
import { EV } from '../net/fabric.ts';
import type { FlowTable } from '../transport/flows.ts';
import type { Series } from './result.ts';

/**
 * Samples the data-queue depth of every switch egress port at a fixed interval. Memory is
 * bounded: when a series reaches maxSamples, every other sample is dropped and the interval
 * doubles, so a long run keeps an even, coarser picture instead of growing without bound.
 */
export class QueueSampler {
  private intervalPs: number;
  private readonly ports: number[] = [];
  private readonly t: number[] = [];
  private readonly v: number[][] = [];

  constructor(
    private readonly fabric: Fabric,
    private readonly flows: FlowTable,
    intervalNs: number,
    private readonly maxSamples: number,
    private readonly untilTimeLimit = false,
  ) {
    this.intervalPs = Math.max(1, Math.round(intervalNs * 1000));
    for (let p = 0; p < fabric.portCount; p++) {
      if (fabric.portNode[p] >= fabric.hostCount && fabric.isLocalNode(fabric.portNode[p])) {
        this.ports.push(p);
        this.v.push([]);
      }
    }
    fabric.sim.at(0, EV.SAMPLE, 0, 0);
  }

  sample(): void {
    const fabric = this.fabric;
    const now = fabric.sim.now;
    this.t.push(now);
    for (let i = 0; i < this.ports.length; i++) this.v[i].push(fabric.portQueueBytes(this.ports[i]));
    if (this.t.length >= this.maxSamples) {
      const keep = (a: number[]) => {
        let j = 0;
        for (let i = 0; i < a.length; i += 2) a[j++] = a[i];
        a.length = j;
      };
      keep(this.t);
      for (const s of this.v) keep(s);
      this.intervalPs *= 2;
    }
    if (this.untilTimeLimit || !this.flows.allDone()) fabric.sim.at(now + this.intervalPs, EV.SAMPLE, 0, 0);
  }

  series(): Series[] {
    return this.portSeries().map((x) => x.series);
  }

  /** The series with the port each samples, in port order (other partitions' ones included). */
  portSeries(): Array<{ port: number; series: Series }> {
    const names = this.fabric.graph.nodeNames;
    const own = this.ports.map((p, i) => ({
      port: p,
      series: {
        name: `queue:${names[this.fabric.portNode[p]]}->${names[this.fabric.portNode[p ^ 1]]}`,
        t: this.t.slice(),
        v: this.v[i],
      },
    }));
    if (this.absorbed.length === 0) return own;
    return [...own, ...this.absorbed].sort((a, b) => a.port - b.port);
  }

  /** Series another partition of the run sampled at its own ports (sim/run/parallel/merge.ts). */
  absorb(series: Array<{ port: number; series: Series }>): void {
    this.absorbed.push(...series);
  }

  private readonly absorbed: Array<{ port: number; series: Series }> = [];
}
