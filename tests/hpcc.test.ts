import { describe, expect, it } from 'vitest';
import { buildSimulation, runScenario } from '../sim/run/run.ts';
import type { RoceTransportModel } from '../sim/transport/roce/roce.ts';
import type { Hpcc } from '../sim/transport/roce/hpcc.ts';
import { INT_HEADER_BYTES, IntTable } from '../sim/net/int.ts';
import { WIRE } from '../sim/net/packets.ts';
import type { Result } from '../sim/metrics/result.ts';
import { scenario } from './helpers/scenario.ts';

const C = 100e9;

/** N long flows into host 0 of a 100 G star (1 µs links), HPCC's ns-3 set-up: 1000-B MTU, an ACK per packet. */
function incastOfLongFlows(cc: 'hpcc' | 'dcqcn', n: number, timeUs: number, starts: number[] = []) {
  return scenario({
    topology: { kind: 'star', hosts: n + 1 },
    links: { host: { rateGbps: 100, delayNs: 1000 } },
    switch: { bufferBytes: 32e6, pfc: { enabled: true }, ecn: { enabled: true } },
    transport: { kind: 'roce', cc, mtuBytes: 1000, ackEveryPackets: 1 },
    workload: {
      kind: 'flows',
      flows: Array.from({ length: n }, (_, i) => ({ src: i + 1, dst: 0, sizeBytes: 1e9, startNs: starts[i] ?? 0 })),
    },
    stop: { timeUs },
    metrics: { queueSampleNs: 1000, maxSamples: 100_000 },
  });
}

/** Time-average of the bottleneck queue (sw0 → h0) after `fromUs`. */
function meanQueue(r: Result, fromUs: number): number {
  const s = r.series.find((x) => x.name === 'queue:sw0->h0')!;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < s.t.length; i++) {
    if (s.t[i] < fromUs * 1e6) continue;
    sum += s.v[i];
    n++;
  }
  return sum / n;
}

function jain(x: number[]): number {
  const s = x.reduce((a, b) => a + b, 0);
  return (s * s) / (x.length * x.reduce((a, b) => a + b * b, 0));
}

describe('HPCC INT (cc-family.md §1.1)', () => {
  it('the side table keeps at most five hop records per packet, grows with the pool and copies into the ACK', () => {
    const t = new IntTable(4);
    t.clear(9); // beyond the initial capacity: grows
    for (let h = 0; h < 7; h++) t.push(9, 100 + h, 1000 * h, 10 * h, h);
    expect(t.hopCount(9)).toBe(5);
    t.clear(2);
    t.copy(9, 2);
    expect(t.hopCount(2)).toBe(5);
    expect([t.port(2, 4), t.tsPs(2, 4), t.txBytes(2, 4), t.qlenBytes(2, 4)]).toEqual([104, 4000, 40, 4]);
    t.clear(9);
    expect(t.hopCount(9)).toBe(0);
  });

  it('data packets carry the 42-byte INT block and ACKs echo it: wire bytes counted per packet', () => {
    // One 10-packet flow over one switch: the receiver's NIC port sends its ACKs, the switch port
    // facing the receiver the data (plus nothing else).
    const r = runScenario(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        transport: { kind: 'roce', cc: 'hpcc', mtuBytes: 1000, ackEveryPackets: 1 },
        workload: { kind: 'flows', flows: [{ src: 1, dst: 0, sizeBytes: 10_000 }] },
      }),
    );
    expect(r.flows[0].fctPs).toBeGreaterThan(0);
    expect(r.counters.acks).toBe(10);
    const s = buildSimulation(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        transport: { kind: 'roce', cc: 'hpcc', mtuBytes: 1000, ackEveryPackets: 1 },
        workload: { kind: 'flows', flows: [{ src: 1, dst: 0, sizeBytes: 10_000 }] },
      }),
    );
    s.sim.run(s.fabric, { timeLimitPs: 1e9, maxEvents: Infinity });
    const f = s.fabric;
    const toRx = f.routes.hostSwitchPort[0];
    const rxNic = f.routes.hostNicPort[0];
    expect(f.txBytesOf(toRx)).toBe(10 * (1000 + WIRE.ROCE_HEADER_BYTES + INT_HEADER_BYTES + WIRE.OVERHEAD_BYTES));
    expect(f.txBytesOf(rxNic)).toBe(10 * (WIRE.ROCE_ACK_BYTES + INT_HEADER_BYTES + WIRE.OVERHEAD_BYTES));
    // cc: none carries no INT block.
    const plain = buildSimulation(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        transport: { kind: 'roce', cc: 'none', mtuBytes: 1000, ackEveryPackets: 1 },
        workload: { kind: 'flows', flows: [{ src: 1, dst: 0, sizeBytes: 10_000 }] },
      }),
    );
    plain.sim.run(plain.fabric, { timeLimitPs: 1e9, maxEvents: Infinity });
    expect(plain.fabric.int).toBeNull();
    expect(plain.fabric.txBytesOf(toRx)).toBe(10 * (1000 + WIRE.ROCE_HEADER_BYTES + WIRE.OVERHEAD_BYTES));
  });
});

describe('HPCC sender (cc-family.md §1.2, §1.4)', () => {
  it('4 long flows into one port: fair shares, the fixed point ηC + N·R_AI, and a standing queue far below DCQCN’s', () => {
    const hp = runScenario(incastOfLongFlows('hpcc', 4, 3000));
    const dc = runScenario(incastOfLongFlows('dcqcn', 4, 3000));
    const delivered = hp.flows.map((f) => f.deliveredBytes);
    // Each flow near C/N: Jain's index of delivered bytes over the 3 ms (start-up included).
    expect(jain(delivered)).toBeGreaterThanOrEqual(0.95);
    // With an empty queue U = ΣR/C, so R* = ηC/N + R_AI each and the link carries ηC + N·R_AI of
    // wire bytes (§1.4): 95 G + 4 × 40 Mb/s = 95.16 G. Payload is 1000 of every 1124 wire bytes.
    const wireGbps = (delivered.reduce((a, b) => a + b, 0) * 1.124 * 8) / 3000e-6 / 1e9;
    expect(wireGbps).toBeGreaterThan(0.985 * 95.16); // the start-up transient included
    expect(wireGbps).toBeLessThan(95.16 * 1.005);
    // Time-averaged queue after the first millisecond: HPCC holds it near empty (below 5 packets),
    // DCQCN in its ECN ramp (Kmin 400 KB at 100 G); at least 50 × apart.
    const qh = meanQueue(hp, 1000);
    const qd = meanQueue(dc, 1000);
    expect(qh).toBeLessThan(5 * 1124);
    expect(qd).toBeGreaterThan(50 * qh);
  });

  it('a load step: one flow sits at ηC + R_AI; a second joins and both cut within a few RTTs to the new fixed point ηC + 2·R_AI', () => {
    const s = buildSimulation(incastOfLongFlows('hpcc', 2, 2000, [0, 1e6]));
    const h = (s.transport as RoceTransportModel).ackCc as Hpcc;
    const T = h.params.baseRttUs;
    const ai = h.params.rateAiMbps * 1e6;
    expect(h.params.eta).toBe(0.95);
    expect(ai).toBe(40e6); // 10 × 100/25 Mb/s (§1.3)
    const run = (us: number) => s.sim.run(s.fabric, { timeLimitPs: Math.round(us * 1e6), maxEvents: Infinity });
    const port = s.fabric.routes.hostSwitchPort[0];
    run(999);
    // Alone: R = R·η/U + R_AI with U = R/C ⇒ R = ηC + R_AI = 95.04 G.
    expect(h.rateBps[0] / (0.95 * C + ai)).toBeCloseTo(1, 3);
    let peakQ = 0;
    let drainedAt = -1;
    let cutAt = -1;
    const sums: number[] = [];
    for (let k = 1; k <= 60; k++) {
      run(1000 + k * T);
      const q = s.fabric.portQueueBytes(port);
      peakQ = Math.max(peakQ, q);
      if (cutAt < 0 && h.rateBps[0] <= C / 2) cutAt = k;
      if (drainedAt < 0 && peakQ > 0 && q === 0) drainedAt = k;
      if (k > 30) sums.push(h.rateBps[0] + h.rateBps[1]);
    }
    // The first flow falls from 95 G to below C/2 and the queue the step built (≤ 1 BDP) drains
    // within 5 RTTs (the paper: congestion resolved in about one RTT of feedback, §1.4).
    expect(cutAt).toBeGreaterThan(0);
    expect(cutAt).toBeLessThanOrEqual(5);
    expect(drainedAt).toBeLessThanOrEqual(5);
    expect(peakQ).toBeLessThan((C * T * 1e-6) / 8);
    // RTTs 30–60 after the step: the two rates sum to the derived fixed point within 1 %.
    const mean = sums.reduce((a, b) => a + b, 0) / sums.length;
    expect(mean / (0.95 * C + 2 * ai)).toBeGreaterThan(0.99);
    expect(mean / (0.95 * C + 2 * ai)).toBeLessThan(1.01);
  });
});
