import { describe, expect, it } from 'vitest';
import { buildSimulation, runScenario, type Simulation } from '../sim/run.ts';
import type { Dcqcn } from '../sim/transport/roce/dcqcn.ts';
import type { RoceTransportModel } from '../sim/transport/roce/roce.ts';
import type { Result } from '../sim/metrics/result.ts';
import { bundled, scenario } from './helpers/scenario.ts';

/** A two-host star whose only flow starts far in the future, so the RP can be driven by hand. */
function idleRp(preset: 'connectx' | 'paper'): { s: Simulation; dc: Dcqcn } {
  const s = buildSimulation(scenario({
    topology: { kind: 'star', hosts: 2 },
    links: { host: { rateGbps: 100, delayNs: 1000 } },
    transport: { kind: 'roce', cc: 'dcqcn', preset },
    workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: 1000, startNs: 1e9 }] },
  }));
  const dc = (s.transport as RoceTransportModel).dcqcn!;
  dc.start(0, 100e9);
  return { s, dc };
}

function runTo(s: Simulation, tUs: number) {
  s.sim.run(s.fabric, { timeLimitPs: Math.round(tUs * 1e6), maxEvents: Infinity });
}

describe('DCQCN reaction point arithmetic (physics.md §2.1)', () => {
  it('paper preset: one CNP at line rate cuts by α/2 exactly, then fast recovery and additive increase on the timer', () => {
    const { s, dc } = idleRp('paper');
    const p = dc.params;
    expect(dc.alpha[0]).toBe(1);
    dc.onCnp(0); // α = 1 ⇒ RC = line·(1 − 1/2)
    expect(dc.rateBps[0]).toBe(100e9 * (1 - 1 / 2));
    expect(dc.targetBps[0]).toBe(100e9); // RT ← RC before the cut
    // No byte counter progress (nothing sent): increases come from the 55 µs timer only.
    let rc = 50e9;
    let rt = 100e9;
    for (let k = 1; k <= 8; k++) {
      runTo(s, k * p.rateIncreaseTimerUs - 0.001);
      expect(dc.rateBps[0]).toBeCloseTo(rc, -1); // unchanged just before the timer
      runTo(s, k * p.rateIncreaseTimerUs);
      // T = k, BC = 0: fast recovery while max(T, BC) ≤ F, then additive increase.
      if (k > p.fastRecoverySteps) rt = Math.min(100e9, rt + p.rateAiMbps * 1e6);
      rc = Math.min(100e9, (rt + rc) / 2);
      expect(dc.rateBps[0]).toBeCloseTo(rc, -1);
      expect(dc.targetBps[0]).toBeCloseTo(rt, -1);
    }
  });

  it('connectx preset: the first CNP keeps the rate, the cut comes one 4 µs monitor period later with the decayed α', () => {
    const { s, dc } = idleRp('connectx');
    const g = dc.params.g;
    dc.onCnp(0);
    expect(dc.rateBps[0]).toBe(100e9);
    runTo(s, 4);
    // α timer at 1 µs: a CNP in the window ⇒ (1−g)·1 + g = 1; at 2 and 3 µs: no CNP ⇒ ×(1−g) twice;
    // the decrease event at 4 µs was scheduled first, so it runs before the 4 µs α update.
    const alpha = (1 - g) ** 2;
    expect(dc.rateBps[0]).toBeCloseTo(100e9 * (1 - alpha / 2), 0);
    const rc0 = dc.rateBps[0];
    // Timer-only recovery every 300 µs: RT stays at line rate (no increase since the cut,
    // HPCC model), so the gap to line rate halves at every event (§5.4 unit check ii).
    for (let k = 1; k <= 6; k++) {
      runTo(s, 4 + k * 300);
      expect(dc.rateBps[0]).toBeCloseTo(100e9 - (100e9 - rc0) / 2 ** k, -1);
    }
    expect(dc.rateBps[0]).toBeGreaterThan(0.99 * 100e9);
  });
});

describe('CNP pacing at the notification point', () => {
  it('a receiver flooded with CE-marked packets sends at most one CNP per interval per QP', () => {
    // Every queued packet is marked (Kmin = Kmax = 0), and the RP is pinned at line rate
    // (min rate = line rate) so the 2 → 1 queue never drains; paper preset: N = 50 µs.
    const r = runScenario(scenario({
      topology: { kind: 'star', hosts: 3 },
      links: { host: { rateGbps: 100, delayNs: 1000 } },
      switch: { ecn: { kminBytes: 0, kmaxBytes: 0, pmax: 1 } },
      transport: { kind: 'roce', cc: 'dcqcn', preset: 'paper', dcqcn: { minRateMbps: 100_000 } },
      workload: { kind: 'flows', flows: [{ src: 1, dst: 0, sizeBytes: 4_000_000 }, { src: 2, dst: 0, sizeBytes: 4_000_000 }] },
    }));
    expect(r.counters.ecnMarks).toBeGreaterThan(1000);
    const bound = r.flows.reduce((sum, f) => sum + Math.floor(f.fctPs / 50e6) + 1, 0);
    console.log(`CNPs ${r.counters.cnps} for ${r.counters.ecnMarks} CE marks; bound ${bound}`);
    expect(r.counters.cnps).toBeLessThanOrEqual(bound);
    expect(r.counters.cnps).toBeGreaterThanOrEqual(bound - 4);
  });

  it('connectx preset (HPCC model, no NP pacing): α stays 1 under steady marking; a 4 µs NP interval lets it decay towards g(1−g)³/(1−(1−g)⁴) ≈ 0.25', () => {
    // Steady marking as in the test above (every queued packet marked, RPs pinned at line rate so
    // the 2 → 1 queue never drains), with the connectx preset's 1 µs α windows.
    const alphaAt100Us = (cnpIntervalUs?: number) => {
      const s = buildSimulation(scenario({
        topology: { kind: 'star', hosts: 3 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { ecn: { kminBytes: 0, kmaxBytes: 0, pmax: 1 } },
        transport: { kind: 'roce', cc: 'dcqcn', preset: 'connectx', dcqcn: { minRateMbps: 100_000, cnpIntervalUs } },
        workload: { kind: 'flows', flows: [{ src: 1, dst: 0, sizeBytes: 4_000_000 }, { src: 2, dst: 0, sizeBytes: 4_000_000 }] },
      }));
      const dc = (s.transport as RoceTransportModel).dcqcn!;
      const firstCnpPs = [-1, -1];
      const onCnp = dc.onCnp.bind(dc);
      dc.onCnp = (f: number) => { if (firstCnpPs[f] < 0) firstCnpPs[f] = s.sim.now; onCnp(f); };
      runTo(s, 100);
      expect(firstCnpPs.every((t) => t >= 0)).toBe(true);
      return { alpha: (dc.alpha[0] + dc.alpha[1]) / 2, sinceUs: 100 - (firstCnpPs[0] + firstCnpPs[1]) / 2e6, g: dc.params.g };
    };
    const hpcc = alphaAt100Us();
    // A CNP in every 1 µs α window: α ← (1−g)α + g from α = 1 stays 1 (physics.md §2.2(c)).
    expect(hpcc.alpha).toBeCloseTo(1, 9);
    // One CNP per four windows: per 4 µs α ← (1−g)⁴α + g(1−g)³, fixed point α* ≈ 0.25, approached as (1−g)^t.
    const paced = alphaAt100Us(4);
    const g = paced.g;
    const fixed = (g * (1 - g) ** 3) / (1 - (1 - g) ** 4);
    const predicted = fixed + (1 - fixed) * (1 - g) ** paced.sinceUs;
    console.log(`α at 100 µs: ${hpcc.alpha.toFixed(3)} without NP pacing; ${paced.alpha.toFixed(3)} with 4 µs (predicted ${predicted.toFixed(3)}, fixed point ${fixed.toFixed(3)})`);
    expect(Math.abs(paced.alpha - predicted)).toBeLessThanOrEqual(0.03);
  });
});

function seriesOf(r: Result, name: string) {
  const s = r.series.find((x) => x.name === name);
  if (!s) throw new Error(`no series ${name}`);
  return s;
}

describe('goodput fairness in the reports (sim/report.ts goodputFairness)', () => {
  it("Jain's index: 1 for equal rates, 1/n when one flow gets everything; dcqcn-fairness ≥ 0.99 over the run", async () => {
    const { goodputFairness } = await import('../sim/report.ts');
    const r = runScenario(bundled('dcqcn-fairness.yaml'));
    // By hand from the flows' own numbers: all four run to the 10 ms limit.
    const xs = r.flows.map((f) => f.deliveredBytes / (r.meta.simTimePs - f.startPs));
    const hand = xs.reduce((a, b) => a + b, 0) ** 2 / (4 * xs.reduce((a, b) => a + b * b, 0));
    expect(goodputFairness(r)).toBeCloseTo(hand, 12);
    expect(goodputFairness(r)).toBeGreaterThanOrEqual(0.99);
    const starved = { ...r, flows: r.flows.map((f, i) => ({ ...f, deliveredBytes: i === 0 ? 1e6 : 0 })) };
    expect(goodputFairness(starved)).toBeCloseTo(1 / 4, 12);
    const equal = { ...r, flows: r.flows.map((f) => ({ ...f, deliveredBytes: 5e6 })) };
    expect(goodputFairness(equal)).toBeCloseTo(1, 12);
  });
});

describe('DCQCN convergence and fairness', () => {
  it('dcqcn-fairness.yaml: Jain ≥ 0.95 over the last half, queue below Kmax ≥ 90 % of that time', () => {
    const r = runScenario(bundled('dcqcn-fairness.yaml'));
    const T = r.meta.simTimePs;
    const thr = [0, 1, 2, 3].map((f) => {
      const s = seriesOf(r, `flow:${f}:deliveredBytes`);
      const i0 = s.t.findIndex((t) => t >= T / 2);
      const i1 = s.t.length - 1;
      return ((s.v[i1] - s.v[i0]) * 8) / ((s.t[i1] - s.t[i0]) / 1e12);
    });
    const sum = thr.reduce((a, b) => a + b, 0);
    const jain = (sum * sum) / (thr.length * thr.reduce((a, b) => a + b * b, 0));
    const q = seriesOf(r, 'queue:sw0->h0');
    const kmax = 1_600_000; // auto Kmax at 100 G (HPCC run.py 400 KB × 100/25)
    const late = q.v.filter((_, i) => q.t[i] >= T / 2);
    const below = late.filter((v) => v < kmax).length / late.length;
    console.log(`throughputs ${thr.map((x) => (x / 1e9).toFixed(1)).join(', ')} Gb/s; Jain ${jain.toFixed(4)}; queue < Kmax ${(below * 100).toFixed(1)} %`);
    expect(jain).toBeGreaterThanOrEqual(0.95);
    expect(below).toBeGreaterThanOrEqual(0.9);
    expect(sum).toBeGreaterThan(0.9 * 100e9); // and the link stays busy
    expect(r.counters.drops).toBe(0);
  });
});

describe('PFC interplay', () => {
  it('32 → 1 incast: DCQCN sends ≥ 5× fewer PAUSE frames than no CC', () => {
    // HPCC's 32 MB buffer and ECN thresholds below XOFF (Kmin < Kmax < XOFF, physics.md §1.3);
    // 32 MB per flow so that the run is mostly steady state, not the first line-rate burst.
    const sets = ['switch.bufferBytes=32000000', 'switch.ecn.kminBytes=100000', 'switch.ecn.kmaxBytes=400000', 'workload.sizeBytes=32000000'];
    const none = runScenario(bundled('incast-roce.yaml', [...sets, 'transport.cc=none']));
    const dcqcn = runScenario(bundled('incast-roce.yaml', [...sets, 'transport.cc=dcqcn']));
    console.log(`PAUSE frames: cc none ${none.counters.pauseFrames}, dcqcn ${dcqcn.counters.pauseFrames}`);
    expect(none.summary.flowsDone).toBe(32);
    expect(dcqcn.summary.flowsDone).toBe(32);
    expect(dcqcn.counters.drops).toBe(0);
    expect(none.counters.pauseFrames).toBeGreaterThanOrEqual(5 * dcqcn.counters.pauseFrames);
  });
});

describe('victim flow', () => {
  /** Victim throughput while the incast runs (until the first incast flow or the victim finishes). */
  function victimGbps(sets: string[], victimId: number): number {
    const r = runScenario(bundled('victim-flow.yaml', [...sets, `metrics.traceFlows=[${victimId}]`]));
    const v = r.flows[victimId];
    expect(v.src).toBe(12);
    const incast = r.flows.filter((f) => f.dst === 0);
    const end = Math.min(v.startPs + v.fctPs, ...incast.map((f) => f.startPs + f.fctPs));
    const s = seriesOf(r, `flow:${victimId}:deliveredBytes`);
    let i = s.t.findIndex((t) => t >= end);
    if (i < 0) i = s.t.length - 1;
    return (s.v[i] * 8) / (s.t[i] / 1e12) / 1e9;
  }

  it('PFC back-pressure cuts the victim; DCQCN at least halves the cut', () => {
    const cut: Record<string, number> = {};
    for (const cc of ['none', 'dcqcn']) {
      const shared = victimGbps([`transport.cc=${cc}`], 20);
      const solo = victimGbps([`transport.cc=${cc}`, 'workload.0.senders=[16]'], 1);
      cut[cc] = 1 - shared / solo;
      console.log(`victim with cc ${cc}: ${shared.toFixed(1)} Gb/s vs solo ${solo.toFixed(1)} Gb/s — cut ${(cut[cc] * 100).toFixed(1)} %`);
    }
    expect(cut.none).toBeGreaterThan(0.3);
    expect(cut.dcqcn).toBeLessThanOrEqual(cut.none / 2);
  });
});
