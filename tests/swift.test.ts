import { describe, expect, it } from 'vitest';
import { buildSimulation, collectResult, runSimulation } from '../sim/run/run.ts';
import type { UetTransportModel } from '../sim/transport/uet/uet.ts';
import { Swift } from '../sim/transport/uet/swift.ts';
import { scenario } from './helpers/scenario.ts';

const C_BYTES_PER_S = 100e9 / 8;

/** N long UET flows with Swift over a 100 G dumbbell (two switches), without trimming. */
function dumbbell(n: number) {
  return buildSimulation(
    scenario({
      topology: { kind: 'dumbbell', hostsPerSide: n },
      links: { host: { rateGbps: 100, delayNs: 1000 }, fabric: { rateGbps: 100, delayNs: 1000 } },
      switch: { bufferBytes: 32e6, trimming: { enabled: false }, lossy: { queueCapBytes: 4_000_000 } },
      transport: { kind: 'uet', cc: 'swift' },
      workload: {
        kind: 'flows',
        flows: Array.from({ length: n }, (_, i) => ({ src: i, dst: n + i, sizeBytes: 1e9 })),
      },
      stop: { timeUs: 3000 },
      metrics: { queueSampleNs: 1000, maxSamples: 100_000 },
    }),
  );
}

describe('Swift on UET (docs/reference/cc-family.md §4)', () => {
  it('N flows on a dumbbell hold the queue at C·(t − RTT₀), t the target at the fixed point cwnd = C·t/N', () => {
    const targets: number[] = [];
    for (const n of [2, 8]) {
      const s = dumbbell(n);
      const r = collectResult(s, runSimulation(s));
      const sw = (s.transport as UetTransportModel).swift!;
      const p = sw.params;
      // The fixed point (§4.3): the windows fill the RTT, which sits at the target of that window.
      // t = base + 2 hops·ℏ + clamp(α/√(cwnd/MSS) + β', 0, fs_range), cwnd = C·t/N.
      const alpha = p.fsRangeUs / (1 / Math.sqrt(p.fsMinCwnd) - 1 / Math.sqrt(p.fsMaxCwnd));
      const beta = -alpha / Math.sqrt(p.fsMaxCwnd);
      let t = p.baseTargetUs;
      for (let k = 0; k < 50; k++) {
        const cwndPkts = (C_BYTES_PER_S * t * 1e-6) / n / 4096;
        t =
          p.baseTargetUs + 2 * p.hopScalingUs + Math.min(p.fsRangeUs, Math.max(0, alpha / Math.sqrt(cwndPkts) + beta));
      }
      targets.push(t);
      const expectedQ = C_BYTES_PER_S * (t * 1e-6 - s.baseRttPs / 1e12);
      const q = r.series.find((x) => x.name === 'queue:L->R')!;
      const v = q.v.filter((_, i) => q.t[i] >= 1000e6);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      expect(mean / expectedQ, `N = ${n}`).toBeGreaterThan(0.95);
      expect(mean / expectedQ, `N = ${n}`).toBeLessThan(1.05);
      // Each flow's own target agrees with the fixed point, and the shares are fair.
      for (let f = 0; f < n; f++) expect(sw.target(f) / 1e6 / t).toBeCloseTo(1, 1);
      const d = r.flows.map((x) => x.deliveredBytes);
      const sum = d.reduce((a, b) => a + b, 0);
      expect((sum * sum) / (n * d.reduce((a, b) => a + b * b, 0))).toBeGreaterThan(0.99);
      expect(r.counters.drops).toBe(0);
    }
    // Flow scaling: more flows, smaller windows, a higher target (§3.5).
    expect(targets[1]).toBeGreaterThan(targets[0]);
  });

  it('below one packet of window the flow is paced at RTT·MSS/cwnd, and a decrease comes at most once per RTT', () => {
    const sw = new Swift(1, { swift: {} } as never, 4096);
    sw.start(0, 2048, 2); // half a packet
    sw.onAck(0, 10e6, 0, 0); // an RTT sample of 10 µs: srtt = 10 µs, below target, +ai·acked(0)
    sw.onSent(0, 1_000_000);
    expect(sw.nextSendPs[0]).toBe(1_000_000 + (10e6 * 4096) / 2048);
    // Two RTT samples far above the target within one RTT: one cut, by at most max_mdf.
    sw.start(0, 100 * 4096, 2);
    sw.onAck(0, 1000e6, 4096, 20e6);
    const once = sw.cwnd[0];
    expect(once).toBeCloseTo(100 * 4096 * 0.5, 0);
    sw.onAck(0, 1000e6, 4096, 20e6 + 1e6);
    expect(sw.cwnd[0]).toBe(once);
  });
});
