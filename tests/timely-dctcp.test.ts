import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/run/run.ts';
import type { Result, Series } from '../sim/metrics/result.ts';
import { scenario } from './helpers/scenario.ts';

const C = 100e9;
/** A 1000-B payload with RoCE headers: what a queue counts per packet; on the wire + 20 B preamble and IFG. */
const PKT_FRAME = 1000 + 62;
const PKT_WIRE = PKT_FRAME + 20;

function jain(x: number[]): number {
  const s = x.reduce((a, b) => a + b, 0);
  return (s * s) / (x.length * x.reduce((a, b) => a + b * b, 0));
}

function window(s: Series, fromUs: number, toUs: number): number[] {
  return s.v.filter((_, i) => s.t[i] >= fromUs * 1e6 && s.t[i] < toUs * 1e6);
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('TIMELY on RoCE (cc-family.md §2)', () => {
  it('8 long flows over a dumbbell: the queue oscillates about the T_low level, never near T_high, shares fair', () => {
    const n = 8;
    const r: Result = runScenario(
      scenario({
        topology: { kind: 'dumbbell', hostsPerSide: n },
        links: { host: { rateGbps: 100, delayNs: 1000 }, fabric: { rateGbps: 100, delayNs: 1000 } },
        switch: { bufferBytes: 32e6, pfc: { enabled: true } },
        transport: { kind: 'roce', cc: 'timely', mtuBytes: 1000, ackEveryPackets: 1 },
        workload: {
          kind: 'flows',
          flows: Array.from({ length: n }, (_, i) => ({ src: i, dst: n + i, sizeBytes: 1e9 })),
        },
        stop: { timeUs: 3000 },
        metrics: { queueSampleNs: 1000, maxSamples: 100_000 },
      }),
    );
    const q = r.series.find((s) => s.name === 'queue:L->R')!;
    // Base RTT ≥ 6 µs of propagation (three 1 µs links each way). Below T_low every flow adds δ
    // each RTT, so the queue must climb until the RTT passes T_low = 50 µs: a queue of at least
    // C·(T_low − 6 µs) = 550 KB. Above T_high = 500 µs (6.2 MB) every update cuts (§2.1).
    const lowQ = (C / 8) * (50e-6 - 6e-6);
    const highQ = (C / 8) * (500e-6 - 6e-6);
    for (let w = 500; w < 3000; w += 500) {
      const v = window(q, w, w + 500);
      const peak = Math.max(...v);
      expect(peak).toBeGreaterThan(lowQ);
      expect(peak).toBeLessThan(highQ / 4);
      // …and the gradient's cuts bring it back: the time-average sits below the T_low level.
      expect(mean(v)).toBeLessThan(lowQ);
    }
    expect(r.counters.pauseFrames).toBe(0);
    expect(jain(r.flows.map((f) => f.deliveredBytes))).toBeGreaterThan(0.95);
  });
});

describe('DCTCP on RoCE, ns-3 rate form (cc-family.md §3)', () => {
  it('8 long flows into one port: the queue holds within the sawtooth about K (DCTCP eqs. 8–15), fair shares', () => {
    const n = 8;
    const r: Result = runScenario(
      scenario({
        topology: { kind: 'star', hosts: n + 1 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { bufferBytes: 32e6, pfc: { enabled: true } },
        transport: { kind: 'roce', cc: 'dctcp', mtuBytes: 1000, ackEveryPackets: 1 },
        workload: {
          kind: 'flows',
          flows: Array.from({ length: n }, (_, i) => ({ src: i + 1, dst: 0, sizeBytes: 1e9 })),
        },
        stop: { timeUs: 3000 },
        metrics: { queueSampleNs: 1000, maxSamples: 100_000 },
      }),
    );
    expect(r.counters.ecnMarks).toBeGreaterThan(0);
    const q = window(r.series.find((s) => s.name === 'queue:sw0->h0')!, 1000, 3000);
    // K = 30 KB × 100/10 = 300 KB (auto, §3.2), in packets; C·RTT with the 4.19 µs base RTT.
    const K = 300_000 / PKT_FRAME;
    const bdp = (C * 4.19e-6) / 8 / PKT_WIRE;
    // DCTCP's sawtooth (§3.3): Q_max = K + N, amplitude A = ½√(2N(C·RTT + K)), Q_min = Q_max − A.
    const qMax = K + n;
    const A = 0.5 * Math.sqrt(2 * n * (bdp + K));
    const qMin = qMax - A;
    const avg = mean(q) / PKT_FRAME;
    expect(avg).toBeGreaterThan(qMin);
    expect(avg).toBeLessThan(qMax);
    expect(Math.max(...q) / PKT_FRAME).toBeLessThan(qMax + 1);
    expect(jain(r.flows.map((f) => f.deliveredBytes))).toBeGreaterThan(0.95);
  });
});

describe('flow traces of the ACK-driven schemes (sim/metrics/flowTracer.ts)', () => {
  it('HPCC, TIMELY and DCTCP trace their rate and control state per flow, as DCQCN and NSCC do', () => {
    const want: Record<string, string[]> = {
      hpcc: ['rateGbps', 'windowKB', 'util'],
      timely: ['rateGbps', 'rttUs'],
      dctcp: ['rateGbps', 'windowKB', 'alpha'],
    };
    for (const [cc, keys] of Object.entries(want)) {
      const r = runScenario(
        scenario({
          topology: { kind: 'star', hosts: 3 },
          links: { host: { rateGbps: 100, delayNs: 1000 } },
          switch: { pfc: { enabled: true } },
          transport: { kind: 'roce', cc: cc as 'hpcc', mtuBytes: 1000, ackEveryPackets: 1 },
          workload: {
            kind: 'flows',
            flows: [
              { src: 1, dst: 0, sizeBytes: 2_000_000 },
              { src: 2, dst: 0, sizeBytes: 2_000_000 },
            ],
          },
          metrics: { flowTraceNs: 10_000 },
        }),
      );
      for (const k of keys) {
        const s = r.series.find((x) => x.name === `flow:0:${k}`);
        expect(s, `${cc} ${k}`).toBeDefined();
        expect(s!.v.length).toBeGreaterThan(5);
      }
      // Two flows on one 100 G port: HPCC and TIMELY leave line rate; DCTCP's two windows hold the
      // queue below K, so it marks nothing and stays there (cc-family.md §3.2).
      const rate = r.series.find((x) => x.name === 'flow:0:rateGbps')!.v;
      if (cc === 'dctcp') expect(Math.min(...rate)).toBe(100);
      else expect(Math.min(...rate), cc).toBeLessThan(100);
    }
  });
});
