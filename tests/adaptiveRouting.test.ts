import { describe, expect, it } from 'vitest';
import { buildSimulation, collectResult, runScenario, runSimulation } from '../sim/run/run.ts';
import { P, PS, PK, REC } from '../sim/net/packets.ts';
import type { RoceTransportModel } from '../sim/transport/roce/roce.ts';
import type { Result } from '../sim/metrics/result.ts';
import { parseScenario } from '../sim/scenario/load.ts';
import { bundled, scenario } from './helpers/scenario.ts';

function expectConservation(r: Result) {
  const c = r.counters as Result['counters'] & { inFlight: number };
  expect(c.packetsSent).toBe(c.packetsDelivered + c.drops + c.discards);
  expect(c.inFlight).toBe(0);
}

/** Each flow's bytes reached the application exactly once: never short, never twice. */
function expectDeliveredOnce(r: Result) {
  for (const f of r.flows) expect(f.deliveredBytes, `flow ${f.id}`).toBe(f.sizeBytes);
}

const maxSlowdown = (r: Result) => Math.max(...r.flows.map((f) => f.slowdown));

describe('RoCE + adaptive routing + out-of-order placement (preset: roce-ar)', () => {
  it('128-host 2 MB permutation at 400 G: tail FCT within 1.8 × ideal (ECMP ~4 ×), no spurious NAK, no byte twice', () => {
    const ecmp = runScenario(bundled('permutation-roce.yaml'));
    const ar = runScenario(bundled('permutation-roce.yaml', ['preset=roce-ar']));
    console.log(
      `tail slowdown: ECMP ${maxSlowdown(ecmp).toFixed(3)}, RoCE + AR ${maxSlowdown(ar).toFixed(3)} (p50 ${ar.summary.slowdown.p50.toFixed(3)})`,
    );
    expect(ar.summary.flowsDone).toBe(128);
    expect(maxSlowdown(ar)).toBeLessThanOrEqual(1.8);
    expect(maxSlowdown(ecmp)).toBeGreaterThanOrEqual(3.5);
    // Nothing was lost (lossless class, no faults), so the receiver asked for nothing again.
    expect(ar.counters.drops).toBe(0);
    expect(ar.counters.naks).toBe(0);
    expect(ar.counters.retransmits).toBe(0);
    expectDeliveredOnce(ar);
    expectConservation(ar);
  });

  it('per-packet AR with the classic in-order receiver: spurious NAKs and go-back-N; with placement ooo none (16 hosts)', () => {
    const inOrder = runScenario(bundled('permutation-roce.yaml', ['topology.k=4', 'routing.mode=adaptive']));
    const ooo = runScenario(
      bundled('permutation-roce.yaml', ['topology.k=4', 'routing.mode=adaptive', 'transport.placement=ooo']),
    );
    console.log(
      `k=4 AR: in-order ${inOrder.counters.naks} NAKs, ${inOrder.counters.retransmits} retransmissions, tail ${maxSlowdown(inOrder).toFixed(2)}; ooo ${ooo.counters.naks} NAKs, tail ${maxSlowdown(ooo).toFixed(2)}`,
    );
    expect(inOrder.counters.drops).toBe(0);
    expect(inOrder.counters.naks).toBeGreaterThan(0);
    expect(inOrder.counters.retransmits).toBeGreaterThan(0);
    expect(ooo.counters.naks).toBe(0);
    expect(ooo.counters.retransmits).toBe(0);
    expect(maxSlowdown(ooo)).toBeLessThan(maxSlowdown(inOrder));
    expectDeliveredOnce(inOrder);
    expectDeliveredOnce(ooo);
    expectConservation(inOrder);
  });

  it('flowlets: a line-rate flow never idles past the gap, so it keeps one path — no reordering, in-order RoCE is fine', () => {
    const ecmp = runScenario(bundled('permutation-roce.yaml', ['topology.k=4']));
    const fl = runScenario(bundled('permutation-roce.yaml', ['topology.k=4', 'routing.mode=flowlet']));
    console.log(`k=4 tail slowdown: ECMP ${maxSlowdown(ecmp).toFixed(2)}, flowlet ${maxSlowdown(fl).toFixed(2)}`);
    expect(fl.counters.naks).toBe(0);
    expect(fl.counters.discards).toBe(0);
    // Each flow's first packet took the least-loaded port at each hop instead of a hash.
    expect(maxSlowdown(fl)).toBeLessThan(maxSlowdown(ecmp));
    expectDeliveredOnce(fl);
  });

  it('adaptive routing is deterministic: same seed, byte-identical results', () => {
    const sets = ['topology.k=4', 'preset=roce-ar'];
    const a = runScenario(bundled('permutation-roce.yaml', sets));
    const b = runScenario(bundled('permutation-roce.yaml', sets));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('out-of-order placement after a real loss', () => {
  // One 1 MB flow, 1000-byte packets, alone on a star at 100 G; PSN K is lost once at the
  // receiving host (as in fabric.test.ts's go-back-N test). With placement ooo the packets behind
  // the hole are placed, the NAK goes out when PSN K + D arrives, the sender goes back to K, and
  // the copies of what was already placed are discarded: every PSN delivered exactly once.
  const MTU = 1000;
  const NPKT = 1000;
  const K = 100;
  const D = 8;
  it(`NAK once PSN K + ${D} arrives; each PSN reaches the application once`, () => {
    const s = buildSimulation(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        transport: { kind: 'roce', mtuBytes: MTU, placement: 'ooo', oooNakDistance: D },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: NPKT * MTU }] },
      }),
    );
    const t = s.transport as RoceTransportModel;
    const pool = s.fabric.pool;
    const deliver = t.receive.bind(t);
    let lost = 0;
    t.receive = (host: number, pkt: number) => {
      const r = pkt << REC.SHIFT;
      if (lost === 0 && (pool.i32[r + P.KIND] & P.KIND_MASK) === PK.DATA && pool.side[r + PS.PSN] === K) {
        lost++;
        pool.release(pkt);
        return;
      }
      deliver(host, pkt);
    };
    const r = collectResult(s, runSimulation(s));
    expect(lost).toBe(1);
    expect(r.counters.naks).toBe(1);
    expect(r.counters.timeouts).toBe(0);
    expect(r.counters.retransmits).toBeGreaterThan(0);
    // Delivered: each of the N PSNs once. Every retransmission but the lost PSN's was a copy.
    expect(r.counters.packetsDelivered).toBe(NPKT);
    expect(r.counters.discards).toBe(r.counters.retransmits - 1);
    expect(r.flows[0].deliveredBytes).toBe(NPKT * MTU);
    // Sent = N + retransmissions, and the lost one is the one drop the counters do not see.
    expect(r.counters.packetsSent).toBe(NPKT + r.counters.retransmits);
  });
});

describe('preset: roce-ar', () => {
  it('expands to RoCE with placement ooo and routing.mode adaptive, replacing a UET transport; what is named is kept', () => {
    const base =
      'topology: {kind: fatTree, k: 4}\nworkload: {kind: permutation, sizeBytes: 100000}\ntransport: {kind: uet, loadBalancing: reps}\n';
    const s = parseScenario(`${base}preset: roce-ar\n`, 'x.yaml');
    expect(s.transport).toMatchObject({ kind: 'roce', placement: 'ooo' });
    expect(s.routing?.mode).toBe('adaptive');
    const kept = parseScenario(
      `topology: {kind: fatTree, k: 4}\nworkload: {kind: permutation, sizeBytes: 1000}\ntransport: {kind: roce, cc: dcqcn}\nrouting: {mode: flowlet}\npreset: roce-ar\n`,
      'y.yaml',
    );
    expect(kept.transport).toMatchObject({ kind: 'roce', cc: 'dcqcn', placement: 'ooo' });
    expect(kept.routing?.mode).toBe('flowlet');
    expect(() => parseScenario(`${base}preset: roce-xx\n`, 'z.yaml')).toThrow(/preset.*roce-ar/);
  });
});
