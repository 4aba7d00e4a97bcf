import type { StopReason } from '../../engine/simulator.ts';
import type { Simulation } from '../simulation.ts';
import type { Outbox } from '../../net/outbox.ts';

/**
 * One partition of a partitioned run, driven window by window (sim/net/partition.ts has why
 * windows of one lookahead are safe). The same code runs every partition whether they share one
 * thread (sequential.ts) or each has its own (barrier.ts): a partition's events depend only on
 * its own state and on the packets handed to it at window ends, in partition order, so the
 * result never depends on how the partitions were scheduled.
 */
export class PartitionWindow {
  /** Which of the two outbox sets this window writes (the other is being read). */
  private parity = 0;

  constructor(readonly s: Simulation) {}

  get lp(): number {
    return this.s.fabric.partition;
  }

  /**
   * Handle this partition's events in [now, endPs), none later than limitPs. With a series
   * (series.ndjson), the window is run in slices ending at its grid times, sampling at each once
   * every event up to it is handled: the events and their order are those of one slice, and
   * every partition samples the same times (the arrivals other partitions hand over in this
   * window land at or after its end, so nothing due by a sample time is missing).
   */
  run(endPs: number, limitPs: number): StopReason | 'window' {
    const { sim, fabric, series } = this.s;
    if (series != null) {
      while (series.nextPs < endPs && series.nextPs < limitPs) {
        const t = series.nextPs;
        // Times are whole picoseconds: [now, t + 1) is every event up to t.
        const r = sim.runUntil(fabric, t + 1, limitPs);
        if (r !== 'window' && r !== 'idle') return r;
        series.sampleAt(t);
      }
    }
    return sim.runUntil(fabric, endPs, limitPs);
  }

  /** This partition's status at the end of a window that ended at endPs (rule.checkDue tells whether the stall check needs flows). */
  status(reason: StopReason | 'window', checkDue: boolean): WindowStatus {
    const { sim, flows, fabric } = this.s;
    let oldest = Infinity;
    if (checkDue) {
      for (let f = 0; f < flows.count; f++) {
        if (flows.isLocal(f) && flows.finishPs[f] < 0 && flows.startPs[f] >= 0 && flows.startPs[f] < oldest)
          oldest = flows.startPs[f];
      }
    }
    return {
      nextPs: sim.queue.peekTime(),
      handedOverPs: this.handedOverMinPs(),
      nowPs: sim.now,
      reason,
      events: sim.events,
      flowsDone: flows.doneCount,
      bytesDelivered: fabric.counters.bytesDelivered,
      oldestUnfinishedStartPs: oldest,
    };
  }

  /** The status before the first window: only the earliest event matters (where window 0 starts). */
  firstStatus(): WindowStatus {
    return {
      nextPs: this.s.sim.queue.peekTime(),
      handedOverPs: Infinity,
      nowPs: this.s.sim.now,
      reason: 'window',
      events: 0,
      flowsDone: 0,
      bytesDelivered: 0,
      oldestUnfinishedStartPs: Infinity,
    };
  }

  /** Earliest arrival this partition handed over in the window just run (Infinity when none). */
  handedOverMinPs(): number {
    let t = Infinity;
    for (const b of this.s.outboxSets![this.parity]) if (b.minTimePs < t) t = b.minTimePs;
    return t;
  }

  /** The outbox this partition filled for `dst` in the window just run. */
  outboxFor(dst: number): Outbox {
    return this.s.outboxSets![this.parity][dst];
  }

  /**
   * After every partition has run the window: take the packets handed to this one (`from[src]`,
   * this partition's own entry ignored), in partition order, and the other partitions' count of
   * finished flows (which samplers read); then switch to the other outbox set and empty it (its
   * readers finished with it a window ago).
   */
  receive(from: Array<Outbox | null>, statuses: WindowStatus[]): void {
    let others = 0;
    for (const st of statuses) others += st.flowsDone;
    // Every flow done, as every partition learns at this same window end: the series' last row
    // is the state after the window's last event anywhere (nothing happens from it to the
    // window's end; docs/results.md, "The time-series file").
    if (this.s.series != null && others === this.s.flows.count) {
      let lastPs = 0;
      for (const st of statuses) if (st.nowPs > lastPs) lastPs = st.nowPs;
      this.s.series.stopAt(lastPs);
    }
    // `| 0`: a thread's status comes through a Float64Array (barrier.ts), and a double stored
    // in this small-integer field would give the flow table a new hidden class mid-run, throwing
    // away every optimised function that reads it ("wrong map": startTx, the transport's pull,
    // makeData, canSend, in every partition; node --trace-deopt).
    this.s.flows.othersDone = (others - this.s.flows.doneCount) | 0;
    for (let src = 0; src < from.length; src++) {
      const box = from[src];
      if (src !== this.lp && box !== null) this.s.fabric.receiveHandOvers(src, box);
    }
    this.parity ^= 1;
    const sets = this.s.outboxSets!;
    for (const b of sets[this.parity]) b.clear();
    this.s.fabric.outboxes = sets[this.parity];
  }
}

/** What each partition reports at a window end; every partition sees the same statuses. */
export interface WindowStatus {
  /** Earliest pending local event, after the window (Infinity: none). */
  nextPs: number;
  /** Earliest arrival handed over to any other partition (Infinity: none). */
  handedOverPs: number;
  /** Its clock: the time of the last event it handled. */
  nowPs: number;
  /** Why its window ended. */
  reason: StopReason | 'window';
  events: number;
  /** Flows whose sender is in this partition that have finished. */
  flowsDone: number;
  /** Payload bytes delivered to this partition's receivers. */
  bytesDelivered: number;
  /** Earliest start of a started, unfinished flow whose sender is here (Infinity: none, or not asked). */
  oldestUnfinishedStartPs: number;
}

/** A decision every partition takes the same way from the same statuses. */
export type WindowDecision = { stop: StopReason } | { nextPs: number };

/** Stop reasons a partition can end the whole run with (a model asked for them), in order of precedence. */
const FINAL: ReadonlyArray<StopReason> = ['cancelled', 'deadlock', 'stalled'];

/**
 * The rules applied at every window end, with the little state they keep; each partition holds
 * one and feeds it the same statuses, so all decide alike. Besides the stop conditions it is the
 * stall watchdog of a partitioned run (transport/stallWatchdog.ts, which sees one partition
 * only): on the same grid of `stallPs`, at the first window end at or past each check time, it
 * stops the run ('stalled') if no payload was delivered and no flow finished anywhere since the
 * last check while a flow that started a whole period before is unfinished.
 */
export class WindowRule {
  private nextCheckPs: number;
  private lastBytes = -1;
  private lastDone = -1;

  constructor(
    private readonly limitPs: number,
    private readonly maxEvents: number,
    private readonly stallPs: number,
    private readonly flowCount: number,
  ) {
    this.nextCheckPs = stallPs;
  }

  /** Whether the window ending at endPs ends with a stall check (statuses then carry oldestUnfinishedStartPs). */
  checkDue(endPs: number): boolean {
    return endPs >= this.nextCheckPs;
  }

  decide(statuses: WindowStatus[], endPs: number): WindowDecision {
    for (const r of FINAL) if (statuses.some((s) => s.reason === r)) return { stop: r };
    let events = 0;
    let next = Infinity;
    let bytes = 0;
    let done = 0;
    let oldest = Infinity;
    for (const s of statuses) {
      events += s.events;
      if (s.nextPs < next) next = s.nextPs;
      if (s.handedOverPs < next) next = s.handedOverPs;
      bytes += s.bytesDelivered;
      done += s.flowsDone;
      if (s.oldestUnfinishedStartPs < oldest) oldest = s.oldestUnfinishedStartPs;
    }
    if (this.checkDue(endPs) && done < this.flowCount) {
      const at = this.nextCheckPs;
      if (bytes === this.lastBytes && done === this.lastDone && oldest <= at - this.stallPs) return { stop: 'stalled' };
      this.lastBytes = bytes;
      this.lastDone = done;
      this.nextCheckPs = at + this.stallPs * Math.max(1, Math.ceil((endPs - at) / this.stallPs));
    }
    if (events >= this.maxEvents) return { stop: 'eventBudget' };
    if (next === Infinity) return { stop: 'idle' };
    if (next > this.limitPs) return { stop: 'timeLimit' };
    return { nextPs: next };
  }
}
