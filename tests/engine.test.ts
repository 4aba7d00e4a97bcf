import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../sim/engine/eventQueue.ts';
import { CalendarQueue } from '../sim/engine/calendarQueue.ts';
import { LaneQueue, LANE } from '../sim/engine/laneQueue.ts';
import { alignedBuffer, alignedInt32Array } from '../sim/engine/alignedBuffer.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { Simulator } from '../sim/engine/simulator.ts';
import { ActiveFlows } from '../sim/transport/activeFlows.ts';

describe.each([
  ['EventQueue (4-ary heap)', (n: number) => new EventQueue(n)],
  ['CalendarQueue', (n: number) => new CalendarQueue(n)],
  ['LaneQueue (heap part)', (n: number) => new LaneQueue(n)],
])('%s', (_name, make) => {
  it('pops equal times in insertion order', () => {
    const q = make(2);
    for (let i = 0; i < 100; i++) q.push(i % 3 === 0 ? 5 : 7, 0, i, 0);
    const order: number[] = [];
    while (q.pop()) order.push(q.popA);
    const fives = order.slice(0, 34);
    const sevens = order.slice(34);
    expect(fives).toEqual([...fives].sort((a, b) => a - b));
    expect(sevens).toEqual([...sevens].sort((a, b) => a - b));
    expect(fives.every((a) => a % 3 === 0)).toBe(true);
  });

  it('pops any schedule in nondecreasing time, FIFO among ties (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 400 }), (ops) => {
        const q = make(4);
        let seq = 0;
        let lastT = -1;
        let lastSeq = -1;
        const ok = () => {
          q.pop();
          if (q.popTime < lastT) return false;
          if (q.popTime === lastT && q.popA < lastSeq) return false;
          lastT = q.popTime;
          lastSeq = q.popA;
          return true;
        };
        for (const [dt, popNow] of ops) {
          // schedule relative to the last popped time, like a simulation does
          q.push(Math.max(lastT, 0) + dt, 1, seq++, 0);
          if (popNow && q.size > 0 && !ok()) return false;
        }
        while (q.size > 0) if (!ok()) return false;
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('LaneQueue against the heap', () => {
  // The lanes must not change the order: the simulator's results are byte-identical whichever
  // way an event was scheduled. Delays drawn from a few recurring values (more than there are
  // lanes, so some spill into the heap) and from a continuous spread (timers), zero delays, bursts.
  it("pops exactly the heap's (time, insertion) order for any mix of push and pushAfter (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 3 }), fc.boolean()), {
          maxLength: 600,
        }),
        (ops) => {
          const l = new LaneQueue(2);
          const h = new EventQueue(2);
          let now = 0;
          let id = 0;
          for (const [d, pops, viaLane] of ops) {
            const delay = d < 80 ? (d % 70) * 1000 : d * 7919;
            if (viaLane) l.pushAfter(now, delay, 2, id, -id);
            else l.push(now + delay, 2, id, -id);
            h.push(now + delay, 2, id++, 0);
            for (let k = 0; k < pops && h.size > 0; k++) {
              h.pop();
              if (!l.pop() || l.popA !== h.popA || l.popTime !== h.popTime || l.popB !== -h.popA || l.popKind !== 2)
                return false;
              now = h.popTime;
              if (l.peekTime() !== h.peekTime()) return false;
            }
          }
          while (h.size > 0) {
            h.pop();
            if (!l.pop() || l.popA !== h.popA || l.popTime !== h.popTime) return false;
          }
          return l.size === 0 && !l.pop();
        },
      ),
      { numRuns: 300 },
    );
  });

  it("breaks a tie between the popped lane's next event and another source's head by insertion order", () => {
    // The popped lane's next event (A2) ties in time with lane B's head, which was pushed first:
    // B must pop before A2 even though A2's lane was on top.
    const l = new LaneQueue(4);
    l.pushAfter(0, 10_000, 1, 1, 0); // A1: t 10 000, lane A
    l.pushAfter(0, 15_000, 1, 2, 0); // B: t 15 000, lane B
    l.push(5000, 1, 3, 0); // a timer, so that A2 is pushed later than B
    const order: number[] = [];
    expect(l.pop()).toBe(true);
    order.push(l.popA);
    l.pushAfter(l.popTime, 10_000, 1, 4, 0); // A2: t 15 000, lane A, behind A1
    l.pushAfter(l.popTime, 12_000, 1, 5, 0); // C: t 17 000
    while (l.pop()) order.push(l.popA);
    expect(order).toEqual([3, 1, 2, 4, 5]);
  });

  it('a lane wraps around and grows (from its first 16 entries) without losing its order', () => {
    const l = new LaneQueue(4);
    const h = new EventQueue(4);
    let now = 0;
    let id = 0;
    const push = (n: number) => {
      for (let i = 0; i < n; i++) {
        l.pushAfter(now, 500, 1, id, 0);
        l.push(now + 250 + (i % 3), 1, -id - 1, 0); // heap events interleaved at nearby times
        h.push(now + 500, 1, id, 0);
        h.push(now + 250 + (i % 3), 1, -id - 1, 0);
        id++;
      }
    };
    const pop = (n: number) => {
      for (let i = 0; i < n; i++) {
        h.pop();
        expect(l.pop()).toBe(true);
        expect([l.popTime, l.popA]).toEqual([h.popTime, h.popA]);
        now = h.popTime;
      }
    };
    push(200);
    pop(300);
    push(300);
    pop(100);
    push(700); // the ring's head is mid-array when it grows
    pop(h.size);
    expect(l.size).toBe(0);
    expect(l.laneCount).toBe(1);
  });

  it('warms upcoming lane events before they pop, and warming changes nothing', () => {
    // Two interleaved lanes (like serialisation and flight delays) plus heap timers.
    const run = (warm: boolean) => {
      const l = new LaneQueue(4);
      const warmed: string[] = [];
      const log: string[] = [];
      if (warm) {
        l.warmer = {
          warmBatch: (ring, first, mask) => {
            for (let k = 0; k < LANE.WARM_BATCH; k++) {
              const j = LANE.I32_PER_ENTRY * ((first + k) & mask);
              const e = `${ring[j + LANE.I_KIND]}/${ring[j + LANE.I_A]}/${ring[j + LANE.I_B]}`;
              warmed.push(e);
              log.push(`W ${e}`);
            }
            return 0;
          },
        };
      }
      const popped: string[] = [];
      let now = 0;
      let id = 0;
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 30; i++, id++) {
          l.pushAfter(now, 1000, 2, id, id * 3);
          if (i % 3 === 0) l.pushAfter(now, 170, 1, id, 0);
          if (i % 7 === 0) l.push(now + 333 + i, 5, id, 1);
        }
        for (let i = 0; i < 25 && l.pop(); i++) {
          popped.push(`${l.popKind}/${l.popA}/${l.popB}`);
          log.push(`P ${popped[popped.length - 1]}`);
          now = l.popTime;
        }
      }
      while (l.pop()) {
        popped.push(`${l.popKind}/${l.popA}/${l.popB}`);
        log.push(`P ${popped[popped.length - 1]}`);
      }
      return { popped, warmed, log };
    };
    const plain = run(false);
    const warm = run(true);
    expect(warm.popped).toEqual(plain.popped);
    // Every warmed event is a lane event that pops later, each warmed once, and most lane events
    // are warmed (all but the last few of each lane's bursts).
    const laneEvents = plain.popped.filter((k) => !k.startsWith('5/'));
    expect(new Set(warm.warmed).size).toBe(warm.warmed.length);
    for (const k of warm.warmed) {
      expect(laneEvents).toContain(k);
      expect(warm.log.indexOf(`W ${k}`)).toBeLessThan(warm.log.indexOf(`P ${k}`));
    }
    expect(warm.warmed.length).toBeGreaterThan(0.8 * laneEvents.length);
  });

  it('a lane entry carries any int32 kind, a and b', () => {
    const l = new LaneQueue(4);
    const cases = [
      [1000, -5, 2 ** 31 - 1],
      [0, 2 ** 31 - 1, -(2 ** 31)],
      [63, 0, -1],
      [64, 123456789, 7],
    ];
    for (const [kind, a, b] of cases) l.pushAfter(0, 10, kind, a, b);
    expect(l.laneCount).toBe(1);
    expect(l.heap.size).toBe(0);
    for (const [kind, a, b] of cases) {
      expect(l.pop()).toBe(true);
      expect([l.popTime, l.popKind, l.popA, l.popB]).toEqual([10, kind, a, b]);
    }
  });

  it('opens at most 64 lanes; the rest goes through the heap, still in order', () => {
    const l = new LaneQueue(4);
    const h = new EventQueue(4);
    for (let i = 0; i < 5000; i++) {
      const delay = (i % 100) * 10 + 1;
      l.pushAfter(0, delay, 0, i, 0);
      h.push(delay, 0, i, 0);
    }
    expect(l.laneCount).toBe(64);
    while (h.pop()) {
      l.pop();
      expect([l.popTime, l.popA]).toEqual([h.popTime, h.popA]);
    }
    expect(l.size).toBe(0);
  });
});

describe('CalendarQueue against the heap', () => {
  it('pops exactly the same sequence through growth, shrinking and re-estimated widths', { tags: ['slow'] }, () => {
    const rng = new RandomStreams(3).stream('q');
    const c = new CalendarQueue(4);
    const h = new EventQueue(4);
    let id = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor(rng.exp(1000));
      c.push(t, 0, id, 0);
      h.push(t, 0, id++, 0);
    }
    for (let i = 0; i < 200_000; i++) {
      c.pop();
      h.pop();
      expect(c.popA).toBe(h.popA);
      expect(c.popTime).toBe(h.popTime);
      // bursts of equal times, near and far events, a size that drifts down then up
      const r = rng.next();
      const dt = r < 0.3 ? 0 : Math.floor(rng.exp(r < 0.6 ? 100 : 5000));
      const pushes = i < 100_000 ? (i % 3 === 0 ? 0 : 1) : i % 3 === 0 ? 2 : 1;
      for (let j = 0; j < pushes; j++) {
        c.push(h.popTime + dt, 0, id, 0);
        h.push(h.popTime + dt, 0, id++, 0);
      }
      if (h.size === 0) break;
    }
  });
});

describe('Simulator', () => {
  it('stops at the time limit and at the event budget', () => {
    const sim = new Simulator();
    let handled = 0;
    const h = {
      handle: (_k: number, a: number) => {
        handled++;
        sim.at(sim.now + 10, 0, a, 0);
      },
    };
    sim.at(0, 0, 0, 0);
    expect(sim.run(h, { timeLimitPs: 1000, maxEvents: Infinity })).toBe('timeLimit');
    expect(handled).toBe(101);
    const sim2 = new Simulator();
    const h2 = { handle: () => sim2.at(sim2.now + 1, 0, 0, 0) };
    sim2.at(0, 0, 0, 0);
    expect(sim2.run(h2, { timeLimitPs: Infinity, maxEvents: 5000 }, undefined, 1024)).toBe('eventBudget');
    expect(sim2.events).toBe(5000);
  });
});

describe('RandomStreams', () => {
  it('named streams are reproducible and independent of each other', () => {
    const a = new RandomStreams(7).stream('ecmp/sw1');
    const b = new RandomStreams(7).stream('ecmp/sw1');
    const c = new RandomStreams(7).stream('ecmp/sw2');
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
    const d = new RandomStreams(8).stream('ecmp/sw1');
    expect(Array.from({ length: 5 }, () => d.uint32())).not.toEqual(xs);
  });

  it('is uniform enough for spraying (chi-square over 16 bins)', () => {
    const r = new RandomStreams(1).stream('x');
    const bins = new Array(16).fill(0);
    const n = 160_000;
    for (let i = 0; i < n; i++) bins[r.int(16)]++;
    const e = n / 16;
    const chi = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(37.7); // χ²(15) at p = 0.001
  });
});

describe('ActiveFlows', () => {
  it('keeps the order of per-host arrays with push and swap-with-last removal (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.boolean(), fc.nat()), { maxLength: 300 }),
        (ops) => {
          const hosts = 3;
          const src = Int32Array.from({ length: 12 }, (_, f) => (f * 7) % hosts);
          const act = new ActiveFlows(src, hosts);
          const ref: number[][] = [[], [], []];
          for (const [f, add, k] of ops) {
            if (add) {
              act.add(f);
              if (!ref[src[f]].includes(f)) ref[src[f]].push(f);
            } else {
              const h = src[f];
              if (ref[h].length === 0) continue;
              const i = k % ref[h].length;
              act.removeAt(h, i);
              ref[h][i] = ref[h][ref[h].length - 1];
              ref[h].pop();
            }
            for (let h = 0; h < hosts; h++)
              if (JSON.stringify(act.flowsOf(h)) !== JSON.stringify(ref[h]) || act.count[h] !== ref[h].length)
                return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('alignedBuffer', () => {
  it('gives zeroed memory of at least the size asked, in whole pages (page-mapped, so line-aligned)', () => {
    for (const bytes of [0, 1, 4096, 65536, 65537, 3 << 20]) {
      const b = alignedBuffer(bytes);
      expect(b.byteLength).toBeGreaterThanOrEqual(bytes);
      expect(b.byteLength % 65536).toBe(0);
      expect(b.byteLength - bytes).toBeLessThan(65536 + (bytes === 0 ? 1 : 0));
      expect(new Uint8Array(b).every((x) => x === 0)).toBe(true);
    }
    const a = alignedInt32Array(1000);
    expect(a.length).toBe(1000);
    expect(a.byteOffset).toBe(0);
    a[999] = -7;
    expect(new Int32Array(a.buffer)[999]).toBe(-7);
  });
});
