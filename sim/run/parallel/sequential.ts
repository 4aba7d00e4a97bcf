import type { StopConditions, StopReason } from '../../engine/simulator.ts';
import type { Simulation } from '../simulation.ts';
import { PartitionWindow, WindowRule } from './window.ts';

/**
 * The partitions of a partitioned run taking turns in this thread, window by window
 * (window.ts). The results are those of the threaded run (barrier.ts, threads.ts) byte for
 * byte: only the order in which partitions take their turn differs, and nothing a partition does
 * in a window depends on that. Used where threads are not available or not wanted (browsers,
 * worker pools, tests, one core).
 */
export class PartitionTurns {
  private readonly ws: PartitionWindow[];
  private readonly rule: WindowRule;
  private readonly windowPs: number;
  private nextPs: number;
  /** The stop reason once the run has ended. */
  reason: StopReason | null = null;

  constructor(
    readonly parts: Simulation[],
    private readonly stop: StopConditions,
    stallPs: number,
  ) {
    this.ws = parts.map((s) => new PartitionWindow(s));
    this.windowPs = parts[0].plan!.windowPs;
    this.rule = new WindowRule(stop.timeLimitPs, stop.maxEvents, stallPs, parts[0].flows.count);
    const d = this.rule.decide(
      this.ws.map((w) => w.firstStatus()),
      -Infinity,
    );
    this.nextPs = 'stop' in d ? Infinity : d.nextPs;
    if ('stop' in d) this.end(d.stop);
  }

  /** Run one window of every partition; returns the stop reason when the run has ended, else null. */
  step(): StopReason | null {
    if (this.reason !== null) return this.reason;
    const end = this.nextPs + this.windowPs;
    const due = this.rule.checkDue(end);
    const statuses = this.ws.map((w) => w.status(w.run(end, this.stop.timeLimitPs), due));
    // Every partition's outboxes of this window, taken before any partition moves to its next set.
    const boxes = this.ws.map((src) => this.ws.map((dst) => (dst === src ? null : src.outboxFor(dst.lp))));
    for (const w of this.ws)
      w.receive(
        boxes.map((row) => row[w.lp]),
        statuses,
      );
    const d = this.rule.decide(statuses, end);
    if ('stop' in d) return this.end(d.stop);
    this.nextPs = d.nextPs;
    return null;
  }

  /** End the run here (cancelled from outside). */
  cancel(): StopReason {
    return this.end('cancelled');
  }

  private end(reason: StopReason): StopReason {
    if (reason === 'timeLimit') finishAtLimit(this.parts, this.stop.timeLimitPs);
    this.reason = reason;
    return reason;
  }
}

/** Run every window; `between` runs after each and may return true to cancel. */
export function runPartitionsInOneThread(
  parts: Simulation[],
  stop: StopConditions,
  stallPs: number,
  between?: () => boolean,
): StopReason {
  const turns = new PartitionTurns(parts, stop, stallPs);
  for (;;) {
    const r = turns.step();
    if (r !== null) return r;
    if (between?.()) return turns.cancel();
  }
}

/** A partitioned run that reached its time limit: every partition's clock stands at the limit, as an unpartitioned run's would. */
export function finishAtLimit(parts: Simulation[], limitPs: number): void {
  for (const s of parts) s.sim.now = limitPs;
}
