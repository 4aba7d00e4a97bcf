import type { StopReason } from '../../engine/simulator.ts';
import { WindowRule, type PartitionWindow, type WindowDecision, type WindowStatus } from './window.ts';
import { Outbox } from '../../net/outbox.ts';

/** Shared control block layout (a const enum: values compile in place, net/packets.ts). */
const enum CTL {
  /** Int32 slot: partitions that have reached a barrier, over the whole run. */
  ARRIVED = 0,
  /** Int32 slot: a partition failed (its thread reports the error); everyone stops. */
  FAILED = 1,
  I32_SLOTS = 4,
  /** Float64 cells per partition status (WindowStatus, reason as a code). */
  STATUS_F64 = 8,
}

const REASONS: Array<StopReason | 'window'> = [
  'window',
  'idle',
  'timeLimit',
  'eventBudget',
  'cancelled',
  'deadlock',
  'stalled',
  'done',
];

/** Bytes of the control block for `count` partitions: the barrier counter, then two status sets. */
export function controlBytes(count: number): number {
  return 8 * (CTL.I32_SLOTS / 2 + 2 * count * CTL.STATUS_F64);
}

/** Atomics.waitAsync (ES2024; in Node since 16), typed here for the ES2022 library this project builds against. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** Mark the run failed in its control block: every partition's barrier then throws PartitionFailed. */
export function failRun(control: SharedArrayBuffer): void {
  const i32 = new Int32Array(control, 0, CTL.I32_SLOTS);
  Atomics.store(i32, CTL.FAILED, 1);
  Atomics.add(i32, CTL.ARRIVED, 1 << 20);
  Atomics.notify(i32, CTL.ARRIVED);
}

export class PartitionFailed extends Error {
  constructor() {
    super('another partition of the run failed');
  }
}

/**
 * One partition's side of a threaded partitioned run: the window loop of sequential.ts, with a
 * barrier between windows instead of a turn. Every partition publishes its status in the shared
 * control block, waits until all have, then reads every status and the outboxes addressed to it
 * (SharedArrayBuffers of the other threads, read in place) and takes the same decision as every
 * other partition (window.ts WindowRule). Statuses and outboxes are double-buffered by window
 * parity, so one barrier per window is enough: a partition cannot refill a buffer before every
 * reader has passed the next barrier.
 */
/** Where one partition's thread spent a threaded run's windows (`ethersim run --timing`). */
export interface PartitionTiming {
  lp: number;
  windows: number;
  /** Events this partition handled. */
  events: number;
  /** Wall time handling its events (window by window), ms. */
  busyMs: number;
  /** Wall time at the barriers (waiting for the slowest partition, and the hand-over), ms. */
  waitMs: number;
}

export class BarrierDriver {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private window = 0;
  /** Outboxes addressed to this partition: [parity][source partition] (null at its own index). */
  private readonly inbound: Array<Array<Outbox | null>>;

  constructor(
    private readonly w: PartitionWindow,
    control: SharedArrayBuffer,
    private readonly count: number,
    /** Every partition's outbox buffers, [source][parity][destination]. */
    buffers: Array<Array<Array<SharedArrayBuffer | null>>>,
    /**
     * A wall clock (ms) when the run is timed (`run --timing`): then `timing` says where the
     * windows' time went. It only measures; nothing of the run depends on it.
     */
    private readonly clock?: () => number,
  ) {
    this.i32 = new Int32Array(control, 0, CTL.I32_SLOTS);
    this.f64 = new Float64Array(control, 4 * CTL.I32_SLOTS);
    const me = w.lp;
    this.inbound = [0, 1].map((parity) =>
      buffers.map((sets, src) => {
        if (src === me) return null;
        // A view of its own over the writer's buffer (count and all are in the buffer). Not
        // cleared here: the writer may already be filling it.
        return Outbox.view(sets[parity][me]!);
      }),
    );
  }

  readonly timing: PartitionTiming = { lp: 0, windows: 0, events: 0, busyMs: 0, waitMs: 0 };

  /** Tell the others that this partition failed, so their barriers end. */
  fail(): void {
    failRun(this.i32.buffer as SharedArrayBuffer);
  }

  private publish(parity: number, st: WindowStatus): void {
    const o = (parity * this.count + this.w.lp) * CTL.STATUS_F64;
    this.f64[o] = st.nextPs;
    this.f64[o + 1] = st.handedOverPs;
    this.f64[o + 2] = REASONS.indexOf(st.reason);
    this.f64[o + 3] = st.events;
    this.f64[o + 4] = st.flowsDone;
    this.f64[o + 5] = st.bytesDelivered;
    this.f64[o + 6] = st.oldestUnfinishedStartPs;
    this.f64[o + 7] = st.nowPs;
  }

  private read(parity: number): WindowStatus[] {
    const out: WindowStatus[] = [];
    for (let lp = 0; lp < this.count; lp++) {
      const o = (parity * this.count + lp) * CTL.STATUS_F64;
      out.push({
        nextPs: this.f64[o],
        handedOverPs: this.f64[o + 1],
        nowPs: this.f64[o + 7],
        reason: REASONS[this.f64[o + 2]],
        events: this.f64[o + 3],
        flowsDone: this.f64[o + 4],
        bytesDelivered: this.f64[o + 5],
        oldestUnfinishedStartPs: this.f64[o + 6],
      });
    }
    return out;
  }

  /**
   * Wait until every partition has arrived at barrier number `n` (1-based over the run): spin a
   * little (the others are usually about to arrive), then sleep on the counter — blocking in a
   * partition's thread; in the coordinating thread (`sleepAsync`) without blocking its event
   * loop, so that it hears of a partition thread that died (threads.ts) and ends the run.
   */
  private async barrier(n: number, sleepAsync: boolean): Promise<void> {
    const target = n * this.count;
    Atomics.add(this.i32, CTL.ARRIVED, 1);
    Atomics.notify(this.i32, CTL.ARRIVED);
    for (let spin = 0; ; spin++) {
      const v = Atomics.load(this.i32, CTL.ARRIVED);
      if (Atomics.load(this.i32, CTL.FAILED) !== 0) throw new PartitionFailed();
      if (v >= target) return;
      if (spin <= 2000) continue;
      if (!sleepAsync) Atomics.wait(this.i32, CTL.ARRIVED, v, 50);
      else {
        const r = waitAsync(this.i32, CTL.ARRIVED, v, 50);
        if (r.async) await r.value;
      }
    }
  }

  /**
   * The whole run from this partition's side; every partition returns the same reason. In a
   * partition's own thread (sleepAsync false) every await is of an already-settled promise; the
   * coordinating thread passes true.
   */
  async run(
    limitPs: number,
    maxEvents: number,
    stallPs: number,
    windowPs: number,
    sleepAsync = false,
    /** After each window, with every partition's status (the coordinating thread's progress report). */
    onWindow?: (statuses: WindowStatus[], endPs: number) => void,
  ): Promise<StopReason> {
    const w = this.w;
    const rule = new WindowRule(limitPs, maxEvents, stallPs, w.s.flows.count);
    // Window 0 starts at the earliest event anywhere: exchange next-event times first.
    this.publish(1, w.firstStatus());
    await this.barrier(1, sleepAsync);
    let d: WindowDecision = rule.decide(this.read(1), -Infinity);
    let barriers = 1;
    const clock = this.clock;
    const timing = this.timing;
    timing.lp = w.lp;
    while (!('stop' in d)) {
      const end = d.nextPs + windowPs;
      const parity = this.window & 1;
      const t0 = clock?.() ?? 0;
      this.publish(parity, w.status(w.run(end, limitPs), rule.checkDue(end)));
      const t1 = clock?.() ?? 0;
      await this.barrier(++barriers, sleepAsync);
      if (clock !== undefined) {
        timing.busyMs += t1 - t0;
        timing.waitMs += clock() - t1;
        timing.windows++;
      }
      const statuses = this.read(parity);
      w.receive(this.inbound[parity], statuses);
      onWindow?.(statuses, end);
      this.window++;
      d = rule.decide(statuses, end);
    }
    timing.events = w.s.sim.events;
    return d.stop;
  }
}
