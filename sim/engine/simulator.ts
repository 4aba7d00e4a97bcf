import { LaneQueue, type EventWarmer } from './laneQueue.ts';
import { doubleFields } from './doubleFields.ts';

/** Whatever handles events: the network model implements it with one `switch` on kind. */
export interface EventHandler {
  handle(kind: number, a: number, b: number): void;
  /** Optional: load what handling a batch of lane entries will touch (laneQueue.ts `warmer`). */
  warmBatch?(ring: Int32Array, first: number, mask: number): number;
}

export interface StopConditions {
  /** Stop before the first event later than this (ps). */
  timeLimitPs: number;
  /** Stop after this many events. */
  maxEvents: number;
}

/** Events in run()'s first batch (see run). */
const FIRST_BATCH_EVENTS = 256;

export type StopReason = 'done' | 'timeLimit' | 'eventBudget' | 'idle' | 'cancelled' | 'deadlock' | 'stalled';

/**
 * The engine's whole public face (in the spirit of SimPy): a clock in integer picoseconds,
 * `schedule`, and `run`. It knows nothing of networks.
 */
export class Simulator {
  /**
   * Fixed-delay lanes beside a 4-ary heap (laneQueue.ts). The calendar queue (calendarQueue.ts)
   * wins the synthetic hold benchmark (`npm run bench`), but real runs have long runs of equal or
   * near-equal timestamps (thousands of synchronised ports): on an 8192-host permutation it spent
   * most of its time walking crowded buckets (23.6 s vs 6.6 s with the heap on the 200 KB
   * variant). The lanes exploit the same synchrony instead of suffering from it.
   */
  readonly queue = new LaneQueue(4096);
  /** Current simulated time (ps). */
  now = 0;
  /** Events handled so far. */
  events = 0;
  /** Set by a model (through requestStop) to end the run after the current event. */
  stopRequested = false;
  private requestedReason: StopReason = 'done';

  constructor() {
    doubleFields(this, 'now');
  }

  /** End the run after the current event: all flows done, a deadlock found, … */
  requestStop(reason: StopReason): void {
    this.stopRequested = true;
    this.requestedReason = reason;
  }

  /**
   * Withdraw a stop request, so that the next run() goes on from where the last one ended (a
   * live run that stops at its last flow's completion to draw it, then drains: web/src/liveRun.ts).
   */
  withdrawStop(): void {
    this.stopRequested = false;
  }

  /** Schedule (kind, a, b) at absolute time t ≥ now. */
  at(t: number, kind: number, a: number, b: number): void {
    this.queue.push(t, kind, a, b);
  }

  /**
   * Schedule (kind, a, b) at now + delayPs, for delays that recur (a packet's serialisation, a
   * link's flight time): such events ride a fixed-delay lane instead of the heap (laneQueue.ts).
   * Same order as at(now + delayPs, …).
   */
  after(delayPs: number, kind: number, a: number, b: number): void {
    this.queue.pushAfter(this.now, delayPs, kind, a, b);
  }

  /** Schedule (kind, a, b) at t in the FIFO lane `key` (laneQueue.ts pushLane: t never decreases per key). */
  inLane(key: number, t: number, kind: number, a: number, b: number): void {
    this.queue.pushLane(key, t, kind, a, b);
  }

  /**
   * Run until a stop condition holds. Events are handled in batches so that the loop's
   * doubles stay in object fields (performance.md, "V8 habits"); `between` runs after each
   * batch (progress reports, cancellation) and may return true to cancel.
   */
  run(handler: EventHandler, stop: StopConditions, between?: () => boolean, batch = 65536): StopReason {
    const q = this.queue;
    q.warmer = handler.warmBatch !== undefined ? (handler as EventWarmer) : null;
    const limited = stop.timeLimitPs !== Infinity;
    // A short first batch, so that the code after the inner loop has run before V8 compiles the
    // loop while it runs (on-stack replacement): compiled without feedback for it, the loop's
    // code was thrown away at the end of its first batch (node --trace-deopt). Batches only
    // space the `between` calls; the events are the same.
    let size = Math.min(batch, FIRST_BATCH_EVENTS);
    for (;;) {
      if (this.stopRequested) return this.requestedReason;
      if (between?.()) return 'cancelled';
      const budget = Math.min(size, stop.maxEvents - this.events);
      size = batch;
      if (budget <= 0) return 'eventBudget';
      let n = 0;
      while (n < budget) {
        if (q.size === 0) {
          this.events += n;
          return 'idle';
        }
        if (limited && q.peekTime() > stop.timeLimitPs) {
          this.events += n;
          this.now = stop.timeLimitPs;
          return 'timeLimit';
        }
        q.pop();
        this.now = q.popTime;
        handler.handle(q.popKind, q.popA, q.popB);
        n++;
        if (this.stopRequested) break;
      }
      this.events += n;
    }
  }

  /**
   * (A loop of its own beside run()'s, not shared with it: run() written as batches of
   * runUntil took 5.4 % more instructions on the 1024-host UET run, callgrind 14.08 G → 14.84 G.)
   *
   * Handle every event earlier than `endPs` and not later than `limitPs` (one window of a
   * partitioned run, sim/run/parallel/): 'window' when the next event is at or after endPs,
   * 'timeLimit' when it is after limitPs, 'idle' when none is left, or the reason a model asked
   * to stop for.
   */
  runUntil(handler: EventHandler, endPs: number, limitPs = Infinity): StopReason | 'window' {
    const q = this.queue;
    q.warmer = handler.warmBatch !== undefined ? (handler as EventWarmer) : null;
    if (this.stopRequested) return this.requestedReason;
    let n = 0;
    let reason: StopReason | 'window' = 'window';
    for (;;) {
      if (q.size === 0) {
        reason = 'idle';
        break;
      }
      const t = q.peekTime();
      if (t >= endPs) break;
      if (t > limitPs) {
        reason = 'timeLimit';
        break;
      }
      q.pop();
      this.now = q.popTime;
      handler.handle(q.popKind, q.popA, q.popB);
      n++;
      if (this.stopRequested) {
        reason = this.requestedReason;
        break;
      }
    }
    this.events += n;
    return reason;
  }
}
