// Multi-plane fabrics (docs/fabric-shapes.md "Planes"; fabric-realism §6): P copies of the
// fabric, one NIC port per plane per host. UET sprays over the planes; a RoCE QP is bound to
// the plane its hash names, or a flow is split into one QP per plane (multipath).
import { describe, expect, it } from 'vitest';
import { buildTopology } from '../sim/topology/index.ts';
import { buildSimulation, collectResult, runSimulation } from '../sim/run/run.ts';
import { validateScenario } from '../sim/scenario/load.ts';
import type { Result } from '../sim/metrics/result.ts';
import type { ScenarioInput } from '../sim/scenario/schema.ts';
import { scenario } from './helpers/scenario.ts';

const host100 = { host: { rateGbps: 100, delayNs: 1000 } };
const UET_SWITCH = { pfc: { enabled: false }, trimming: { enabled: true }, ecn: { pmax: 1 } };

function run(input: ScenarioInput): { r: Result; s: ReturnType<typeof buildSimulation> } {
  const s = buildSimulation(scenario(input));
  return { r: collectResult(s, runSimulation(s)), s };
}

/** Goodput (Gb/s) of each workload flow over `us` µs: a multipath flow's QPs summed. */
function flowGbps(r: Result, us: number): number[] {
  const bytes = new Map<number, number>();
  for (const f of r.flows) bytes.set(f.parent ?? f.id, (bytes.get(f.parent ?? f.id) ?? 0) + f.deliveredBytes);
  return [...bytes.values()].map((b) => (b * 8) / (us * 1e-6) / 1e9);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('planes: construction', () => {
  it('copies the fabric per plane; each host has one NIC node per plane', () => {
    const g = buildTopology({ kind: 'leafSpine', leaves: 2, spines: 2, hostsPerLeaf: 4, planes: 3 }, host100);
    expect(g.planes).toBe(3);
    expect(g.hostsPerPlane).toBe(8);
    expect(g.hostCount).toBe(24);
    expect(g.nodeCount).toBe(3 * (8 + 4));
    expect(g.links.length).toBe(3 * (8 + 4));
    // NIC node n's link is link n (its port 2n); h3's plane-2 NIC is node 19, on leaf0/p2.
    for (let n = 0; n < g.hostCount; n++) expect(Math.min(g.links[n].a, g.links[n].b)).toBe(n);
    expect(g.nodeNames[19]).toBe('h3/p2');
    expect(g.nodeNames[g.links[19].b]).toBe('leaf0/p2');
    expect(g.nodePlane![g.links[19].b]).toBe(2);
    // No link joins two planes.
    for (const l of g.links) expect(g.nodePlane![l.a]).toBe(g.nodePlane![l.b]);
  });

  it('refuses planes with partitions, and multipath without planes', () => {
    const base = { transport: { kind: 'roce' as const }, workload: { kind: 'permutation' as const, sizeBytes: 1000 } };
    const topology = { kind: 'leafSpine' as const, leaves: 2, spines: 2, hostsPerLeaf: 2 };
    expect(() =>
      buildSimulation(validateScenario({ ...base, topology: { ...topology, planes: 2 }, engine: { partitions: 2 } })),
    ).toThrow(/engine\.partitions: a multi-plane fabric/);
    expect(() =>
      buildSimulation(validateScenario({ ...base, topology, transport: { kind: 'roce', multipath: true } })),
    ).toThrow(/transport\.multipath: .*needs topology\.planes ≥ 2/);
    expect(() => validateScenario({ ...base, topology: { ...topology, planes: 9 } })).toThrow(/planes from 1 to 8/);
  });
});

describe('planes: UET sprays across them', () => {
  it('one 1 MB flow over 2 planes: half the packets on each NIC port, FCT about half of one plane', () => {
    const one = (planes: number) =>
      run({
        topology: { kind: 'leafSpine', leaves: 2, spines: 2, hostsPerLeaf: 1, planes },
        links: host100,
        switch: UET_SWITCH,
        transport: { kind: 'uet' },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: 1_000_000 }] },
      });
    const p1 = one(1);
    const p2 = one(2);
    // 245 packets (244 of 4,096 B and one of 576 B): the two NIC ports of host 0 (nodes 0 and 2)
    // carry about 122 each (± one; the control frames are tiny).
    const frame = 4096 + 64 + 20;
    const n0 = p2.s.fabric.txBytesOf(p2.s.fabric.routes.hostNicPort[0]) / frame;
    const n1 = p2.s.fabric.txBytesOf(p2.s.fabric.routes.hostNicPort[2]) / frame;
    expect(Math.abs(n0 - n1)).toBeLessThan(2);
    expect(n0 + n1).toBeGreaterThan(244);
    const fct1 = p1.r.flows[0].fctPs;
    const fct2 = p2.r.flows[0].fctPs;
    console.log(`1 MB over 1 / 2 planes: ${fct1 / 1e6} / ${fct2 / 1e6} µs; ideal ${p2.r.flows[0].idealFctPs / 1e6} µs`);
    // Serialisation-bound: 81.9 µs at 100 G shrinks to ~41 µs; the RTTs (~8 µs) do not.
    expect(fct2 / fct1).toBeGreaterThan(0.45);
    expect(fct2 / fct1).toBeLessThan(0.6);
    expect(p2.r.flows[0].slowdown).toBeLessThan(1.2);
  });

  it('a 4-plane permutation carries 4 × one plane within 5 %, every plane about equally', () => {
    // 2 leaves × 2 hosts, 2 spines per plane, host i → i + 2 mod 4 (all cross-leaf), 1 ms.
    const T_US = 1000;
    const flows = Array.from({ length: 4 }, (_, i) => ({ src: i, dst: (i + 2) % 4, sizeBytes: 100_000_000 }));
    const at = (planes: number) =>
      run({
        topology: { kind: 'leafSpine', leaves: 2, spines: 2, hostsPerLeaf: 2, planes },
        links: host100,
        switch: UET_SWITCH,
        transport: { kind: 'uet' },
        workload: { kind: 'flows', flows },
        stop: { timeUs: T_US, allFlowsDone: false },
        metrics: { latency: false },
      }).r;
    const one = at(1);
    const four = at(4);
    const g1 = mean(flowGbps(one, T_US));
    const g4 = mean(flowGbps(four, T_US));
    const line = (100 * 4096) / 4180;
    console.log(
      `UET permutation per flow: 1 plane ${g1.toFixed(2)} G, 4 planes ${g4.toFixed(2)} G (×${(g4 / g1).toFixed(3)}); ` +
        `NIC payload rate ${line.toFixed(2)} G per plane; planes ${four.planes!.map((p) => p.utilisation.toFixed(3)).join(' ')}`,
    );
    expect(Math.abs(g4 / (4 * g1) - 1)).toBeLessThan(0.05);
    for (const g of flowGbps(four, T_US)) expect(g / (4 * g1)).toBeGreaterThan(0.95);
    const u = four.planes!.map((p) => p.utilisation);
    for (const x of u) expect(Math.abs(x / mean(u) - 1)).toBeLessThan(0.05);
  });
});

describe('planes: RoCE QPs', () => {
  // 2 leaves × 4 hosts, 4 spines per plane, 4 planes; host i → i + 4 mod 8, 4 MB each.
  const T_US = 500;
  const flows = Array.from({ length: 8 }, (_, i) => ({ src: i, dst: (i + 4) % 8, sizeBytes: 100_000_000 }));
  const at = (multipath: boolean) =>
    run({
      topology: { kind: 'leafSpine', leaves: 2, spines: 4, hostsPerLeaf: 4, planes: 4 },
      links: host100,
      transport: { kind: 'roce', multipath },
      workload: { kind: 'flows', flows },
      stop: { timeUs: T_US, allFlowsDone: false },
      metrics: { latency: false },
    }).r;

  it('one QP per flow, bound by hash: the planes carry uneven QP counts and each flow one port', () => {
    const r = at(false);
    const qps = r.planes!.map((p) => p.qps!);
    console.log(
      `RoCE, QP per plane by hash: QPs ${qps.join(' ')}; utilisation ${r.planes!.map((p) => p.utilisation.toFixed(3)).join(' ')}`,
    );
    expect(qps.reduce((a, b) => a + b, 0)).toBe(8);
    for (let p = 0; p < 4; p++) expect(qps[p]).toBe(r.flows.filter((f) => f.plane === p).length);
    // The collisions: 8 QPs on 4 planes hashed, not 2 on each (this seed: some plane has ≥ 3,
    // and an empty plane sends nothing at all).
    expect(Math.max(...qps)).toBeGreaterThan(2);
    for (const pl of r.planes!) if (pl.qps === 0) expect(pl.txBytes).toBe(0);
    // Each plane's bytes follow its QPs (every QP runs at one NIC port's rate: the in-plane
    // fabric is non-blocking and each receiver gets one QP).
    const total = r.planes!.reduce((a, p) => a + p.txBytes, 0);
    for (const pl of r.planes!) expect(Math.abs(pl.txBytes / total - pl.qps! / 8)).toBeLessThan(0.03);
    // A flow gets one plane's bandwidth, not four: the NIC payload rate within 5 %.
    const line = (100 * 4096) / 4178;
    for (const g of flowGbps(r, T_US)) expect(Math.abs(g / line - 1)).toBeLessThan(0.05);
  });

  it('multipath: one QP per plane per flow, every plane used, each flow well past one port', () => {
    const r = at(true);
    expect(r.planes!.map((p) => p.qps)).toEqual([8, 8, 8, 8]);
    for (let f = 0; f < 8; f++) expect(new Set(r.flows.filter((q) => q.parent === f).map((q) => q.plane)).size).toBe(4);
    const g = flowGbps(r, T_US);
    console.log(`RoCE multipath per flow: ${g.map((x) => x.toFixed(1)).join(' ')} G`);
    // Four ports' worth less ECMP collisions inside each plane (PFC then shares a spine link):
    // every flow beats two ports.
    for (const x of g) expect(x).toBeGreaterThan(2 * 98);
  });
});
