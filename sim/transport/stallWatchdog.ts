import type { Fabric } from '../net/fabric.ts';
import { EV } from '../net/fabric.ts';
import type { FlowTable } from './flows.ts';

/**
 * Ends a run that cannot make progress: every `periodPs` of simulated time it checks that
 * payload was delivered or a flow finished since the last check; if not, while a flow that
 * started at least a period ago is unfinished, it stops the run ('stalled'). Without it a fabric stuck behind a PFC
 * deadlock (with the analysis off) would retry on its timers forever. A timed event, not a
 * wall-clock or per-batch check, so the stop point is the same in every environment.
 */
export class StallWatchdog {
  private lastBytes = -1;
  private lastDone = -1;

  constructor(
    private readonly fabric: Fabric,
    private readonly flows: FlowTable,
    private readonly periodPs: number,
  ) {
    fabric.sim.at(periodPs, EV.WATCHDOG, 0, 0);
  }

  check(): void {
    const flows = this.flows;
    if (flows.doneCount === flows.count) return;
    const sim = this.fabric.sim;
    const bytes = this.fabric.counters.bytesDelivered;
    if (bytes === this.lastBytes && flows.doneCount === this.lastDone && this.someFlowStuck(sim.now)) {
      sim.requestStop('stalled');
      return;
    }
    this.lastBytes = bytes;
    this.lastDone = flows.doneCount;
    sim.at(sim.now + this.periodPs, EV.WATCHDOG, 0, 0);
  }

  /** An unfinished flow that started a whole period ago or earlier (so it had time to deliver). */
  private someFlowStuck(now: number): boolean {
    const f = this.flows;
    const since = now - this.periodPs;
    for (let i = 0; i < f.count; i++) if (f.finishPs[i] < 0 && f.startPs[i] >= 0 && f.startPs[i] <= since) return true;
    return false;
  }
}
