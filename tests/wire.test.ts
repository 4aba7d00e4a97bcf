// Wire accounting options (scenario `wire:` block): the preamble/IFG may be left out and the
// headers counted inside transport.mtuBytes, for exact comparisons with htsim, which counts its
// packet size as the whole frame and no preamble (physics.md §5.2). Each FCT is computed by hand.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/run/run.ts';
import { scenarioHash } from '../sim/scenario/load.ts';
import { scenario } from './helpers/scenario.ts';

// One 2 MB RoCE flow through one switch, 400 G (20 ps per byte), 1 µs links: every frame
// serialised on link 1; on link 2 the last (short) frame waits behind the full one ahead of it;
// then 2 × 1 µs and the ACK back over both links (tests/fabric.test.ts derives it).
function handFctPs(payloadPerPacket: number, overhead: number): number {
  const n = Math.ceil(2_000_000 / payloadPerPacket);
  const full = payloadPerPacket + 62 + overhead;
  const last = 2_000_000 - (n - 1) * payloadPerPacket + 62 + overhead;
  const ack = 66 + overhead;
  return ((n - 1) * full + last) * 20 + full * 20 + 2e6 + 2 * (ack * 20 + 1e6);
}

const star = (wire?: { preambleIfg?: boolean; headersInMtu?: boolean }) =>
  scenario({
    topology: { kind: 'star', hosts: 2 },
    links: { host: { rateGbps: 400, delayNs: 1000 } },
    transport: { kind: 'roce', mtuBytes: 4096 },
    workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: 2_000_000 }] },
    ...(wire ? { wire } : {}),
  });

describe('wire accounting', () => {
  it('default: 20 B preamble/IFG per frame, mtuBytes is the payload (44,888,960 ps)', () => {
    expect(handFctPs(4096, 20)).toBe(44_888_960);
    expect(runScenario(star()).flows[0].fctPs).toBe(44_888_960);
    // Leaving the block out keeps the scenario's hash (the field is optional, not defaulted).
    expect(scenarioHash(star())).toBe(scenarioHash({ ...star() }));
    expect('wire' in star()).toBe(false);
    expect(runScenario(star({ preambleIfg: true, headersInMtu: false })).flows[0].fctPs).toBe(44_888_960);
  });

  it('preambleIfg: false counts the frame only', () => {
    const r = runScenario(star({ preambleIfg: false }));
    expect(r.flows[0].fctPs).toBe(handFctPs(4096, 0));
    expect(r.flows[0].idealFctPs).toBe(handFctPs(4096, 0));
  });

  it('headersInMtu: true makes mtuBytes the whole packet (4096 = 4034 payload + 62 headers)', () => {
    const r = runScenario(star({ headersInMtu: true }));
    expect(r.counters.packetsSent).toBe(Math.ceil(2_000_000 / 4034)); // 496
    expect(r.flows[0].fctPs).toBe(handFctPs(4034, 20));
    const both = runScenario(star({ headersInMtu: true, preambleIfg: false }));
    expect(both.flows[0].fctPs).toBe(handFctPs(4034, 0));
  });

  it('headersInMtu with an MTU no larger than the headers is an input error', () => {
    const s = scenario({ ...star({ headersInMtu: true }), transport: { kind: 'roce', mtuBytes: 62 } });
    expect(() => runScenario(s)).toThrow(/transport\.mtuBytes: 62 with wire\.headersInMtu: true leaves no payload/);
  });

  it('UET: preambleIfg: false and headersInMtu with htsim 4150-B packets', () => {
    const r = runScenario(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { pfc: { enabled: false } },
        transport: { kind: 'uet', mtuBytes: 4150 },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: 2_000_000 }] },
        wire: { preambleIfg: false, headersInMtu: true },
      }),
    );
    // 4150 − 64 = 4086 B of payload per packet: 490 packets, as htsim's 2 MB flow (physics.md §5.2).
    expect(r.counters.packetsSent).toBe(490);
    expect(r.flows[0].fctPs).toBe(r.flows[0].idealFctPs);
  });
});
