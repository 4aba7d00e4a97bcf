import { describe, expect, it } from 'vitest';
import { buildSimulation, collectResult, runScenario, runSimulation } from '../sim/run/run.ts';
import { WIRE } from '../sim/net/packets.ts';
import type { Result } from '../sim/metrics/result.ts';
import type { Counters } from '../sim/metrics/counters.ts';
import { ScenarioError, parseScenario } from '../sim/scenario/load.ts';
import { InputError } from '../sim/scenario/inputError.ts';
import { bundled, scenario } from './helpers/scenario.ts';
import type { ScenarioInput } from '../sim/scenario/schema.ts';

/** Data packets: sent = delivered + trimmed + dropped (congestion and faults) + discarded; nothing left. */
function expectConservation(r: Result) {
  const c = r.counters as Counters & { inFlight: number };
  expect(c.packetsSent).toBe(c.packetsDelivered + c.trims + c.drops + c.discards);
  expect(c.inFlight).toBe(0);
}

const DEAD = 'agg0.0->core0';
const UET_K4 = ['topology.k=4', 'transport.loadBalancing=mixed'];

/**
 * Run a k = 4 fat-tree permutation (400 G, 2 MB) with DEAD going down at 10 µs for the rest of
 * the run, routing converging `convUs` later, and record the time of every packet lost to it.
 */
function deadLink(file: string, sets: string[], convUs: number) {
  const s = buildSimulation(
    bundled(file, [...sets, `routing.convergenceUs=${convUs}`, `faults=[{kind: linkDown, link: "${DEAD}", atUs: 10}]`]),
  );
  const lossTimes: number[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: recording the fabric's private fault drops
  const f = s.fabric as any;
  const drop = f.faultDrop.bind(s.fabric);
  f.faultDrop = (pkt: number, fault: number) => {
    lossTimes.push(s.sim.now);
    drop(pkt, fault);
  };
  const r = collectResult(s, runSimulation(s));
  return { s, r, lossTimes };
}

describe('a link down for the whole run (routing.convergenceUs)', () => {
  for (const [name, file, sets] of [
    ['RoCE, per-flow ECMP', 'permutation-roce.yaml', ['topology.k=4']],
    ['UET, mixed spraying', 'permutation-uet.yaml', UET_K4],
  ] as const) {
    it(`${name}: packets hashed onto it are lost until routing converges, none after; every flow finishes`, () => {
      const CONV = 20;
      const { s, r, lossTimes } = deadLink(file, [...sets], CONV);
      const fault = r.faults![0];
      console.log(
        `${name}: ${fault.packetsLost} packets lost (${fault.dataPacketsLost} data) from ${fault.flowsAffected} flows, last loss at ${(Math.max(...lossTimes) / 1e6).toFixed(3)} µs, recovered ${(fault.recoveryPs / 1e6).toFixed(1)} µs after the fault`,
      );
      expect(fault.links).toEqual([DEAD, 'core0->agg0.0']);
      expect(fault.dataPacketsLost).toBeGreaterThan(0);
      expect(fault.flowsAffected).toBeGreaterThan(0);
      expect(fault.recoveryPs).toBeGreaterThan(0);
      // After convergence (10 + 20 µs) the equal-cost sets exclude both dead ports …
      const dead = new Set(
        [0, 1].map(
          (d) =>
            2 *
              s.fabric.graph.links.findIndex(
                (l) => s.fabric.graph.nodeNames[l.a] === 'agg0.0' && s.fabric.graph.nodeNames[l.b] === 'core0',
              ) +
            d,
        ),
      );
      expect(dead.has(-2)).toBe(false);
      for (const p of s.fabric.routes.nhPorts) expect(dead.has(p)).toBe(false);
      // … so nothing is lost to it after that, but for packets whose next hop was chosen before
      // (at the upstream port: startTx) and were still on their way: one frame's serialisation
      // and a 1 µs link.
      const lastLegal = (10 + CONV) * 1e6 + (4096 + 62 + WIRE.OVERHEAD_BYTES + 64) * 20 + 1e6;
      expect(Math.max(...lossTimes)).toBeLessThanOrEqual(lastLegal);
      expect(lossTimes.filter((t) => t < 10e6).length).toBe(0);
      expect(r.summary.flowsDone).toBe(16);
      for (const fl of r.flows) expect(fl.deliveredBytes).toBe(fl.sizeBytes);
      expectConservation(r);
      // The congestion analysis names the failed link's two directions, down from 10 µs to the end.
      expect(r.congestion?.failedLinks).toEqual([
        { link: DEAD, fault: 0, state: 'down', fromPs: 10e6, toPs: -1, value: 0 },
        { link: 'core0->agg0.0', fault: 0, state: 'down', fromPs: 10e6, toPs: -1, value: 0 },
      ]);
    });
  }

  it('with the default convergence (900 ms, FRR BFD detection) a RoCE flow hashed onto the dead link waits for it', () => {
    const r = runScenario(
      bundled('permutation-roce.yaml', ['topology.k=4', `faults=[{kind: linkDown, link: "${DEAD}", atUs: 10}]`]),
    );
    const stuck = r.flows.filter((f) => f.fctPs > 1e9);
    expect(r.summary.flowsDone).toBe(16);
    expect(stuck.length).toBeGreaterThan(0);
    // Its retransmission timer (5 ms) fires over and over onto the dead path until routing converges.
    for (const f of stuck) expect(f.startPs + f.fctPs).toBeGreaterThan(10e6 + 900e9);
    expect(r.counters.timeouts).toBeGreaterThan(100);
    expect(r.faults![0].recoveryPs).toBeGreaterThan(900e9);
    expectConservation(r);
  });

  it('UET: an entropy that lost packets is avoided (mixed: bitmap penalties), oblivious spraying keeps losing', () => {
    const mixed = runScenario(
      bundled('permutation-uet.yaml', [...UET_K4, `faults=[{kind: linkDown, link: "${DEAD}", atUs: 10}]`]),
    );
    const obl = runScenario(
      bundled('permutation-uet.yaml', [
        'topology.k=4',
        'transport.loadBalancing=oblivious',
        `faults=[{kind: linkDown, link: "${DEAD}", atUs: 10}]`,
      ]),
    );
    const tail = (r: Result) => r.summary.fctUs.max;
    console.log(
      `UET after a core link fails (no convergence within the run): mixed tail ${tail(mixed).toFixed(0)} µs, ${mixed.faults![0].dataPacketsLost} lost; oblivious ${tail(obl).toFixed(0)} µs, ${obl.faults![0].dataPacketsLost} lost`,
    );
    expect(mixed.summary.flowsDone).toBe(16);
    expect(obl.summary.flowsDone).toBe(16);
    expect(mixed.faults![0].dataPacketsLost).toBeLessThan(obl.faults![0].dataPacketsLost);
    expect(tail(mixed) * 5).toBeLessThan(tail(obl));
    expectConservation(mixed);
  });
});

describe('random loss 1e-4 on one link (both transports)', () => {
  // Four 100 MB flows across a dumbbell's 400 G bottleneck (≈ 98,000 packets over the lossy link:
  // ≈ 10 losses expected), each transport against itself without loss.
  function run(kind: 'roce' | 'uet', loss: number): Result {
    const input: ScenarioInput = {
      seed: 3,
      topology: { kind: 'dumbbell', hostsPerSide: 4 },
      links: { host: { rateGbps: 400, delayNs: 1000 } },
      switch: kind === 'uet' ? { pfc: { enabled: false }, trimming: { enabled: true }, ecn: { pmax: 1 } } : {},
      transport: kind === 'uet' ? { kind, loadBalancing: 'mixed' } : { kind },
      workload: { kind: 'flows', flows: [0, 1, 2, 3].map((i) => ({ src: i, dst: i + 4, sizeBytes: 100_000_000 })) },
      ...(loss > 0 ? { faults: [{ kind: 'loss', link: 'L->R', rate: loss }] } : {}),
    };
    return runScenario(scenario(input));
  }
  it('UET finishes every flow and reports the retransmissions; RoCE go-back-N finishes too, slower', () => {
    const uet0 = run('uet', 0);
    const uet = run('uet', 1e-4);
    const roce0 = run('roce', 0);
    const roce = run('roce', 1e-4);
    const tail = (r: Result) => r.summary.fctUs.max;
    console.log(
      `1e-4 loss: UET tail ${tail(uet0).toFixed(1)} → ${tail(uet).toFixed(1)} µs (${uet.faults![0].dataPacketsLost} lost, ${uet.counters.retransmits - uet0.counters.retransmits} more retransmissions); RoCE ${tail(roce0).toFixed(1)} → ${tail(roce).toFixed(1)} µs (${roce.faults![0].dataPacketsLost} lost, ${roce.counters.retransmits} retransmissions, longest recovery ${(roce.faults![0].maxLossRecoveryPs / 1e6).toFixed(1)} µs)`,
    );
    for (const r of [uet, roce]) {
      expect(r.summary.flowsDone).toBe(4);
      expect(r.faults![0].dataPacketsLost).toBeGreaterThan(0);
      expect(r.faults![0].recoveryPs).toBeGreaterThan(0);
      for (const f of r.flows) expect(f.deliveredBytes).toBe(f.sizeBytes);
      expectConservation(r);
    }
    // UET: each lost packet is sent again (SACK-inferred or timeout), and the result says so.
    expect(uet.counters.retransmits - uet0.counters.retransmits).toBeGreaterThanOrEqual(uet.faults![0].dataPacketsLost);
    expect(uet.flows.reduce((a, f) => a + f.retransmits, 0)).toBe(uet.counters.retransmits);
    // RoCE: every loss costs a go-back-N of the packets in flight behind it, so many more
    // retransmissions than losses, and the tail grows by more than UET's.
    expect(roce.counters.retransmits).toBeGreaterThan(10 * roce.faults![0].dataPacketsLost);
    expect(tail(roce)).toBeGreaterThan(tail(roce0));
    expect(tail(roce) - tail(roce0)).toBeGreaterThan(tail(uet) - tail(uet0));
  });
});

describe('degraded, flapping and switch-down faults', () => {
  it('a link degraded to 1/4 of its rate: a flow pinned on it gets 1/4 of the rate (± 1 %)', () => {
    const size = 20_000_000;
    const input = (faults: ScenarioInput['faults']): ScenarioInput => ({
      topology: { kind: 'dumbbell', hostsPerSide: 1 },
      links: { host: { rateGbps: 100, delayNs: 1000 } },
      transport: { kind: 'roce' },
      workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: size }] },
      faults,
    });
    const r = runScenario(scenario(input([{ kind: 'degrade', link: 'L->R', rateFraction: 0.25 }])));
    const wireBytes = Math.ceil(size / 4096) * (62 + WIRE.OVERHEAD_BYTES) + size;
    const goodputBps = (wireBytes * 8) / (r.flows[0].fctPs / 1e12);
    console.log(`degraded to 0.25: ${(goodputBps / 1e9).toFixed(2)} Gb/s on the wire`);
    expect(Math.abs(goodputBps / 25e9 - 1)).toBeLessThan(0.01);
    // The ideal stays the intact fabric's.
    expect(r.flows[0].slowdown).toBeGreaterThan(3.9);
    expect(r.counters.drops).toBe(0);
    expect(r.faults![0]).toMatchObject({ kind: 'degrade', packetsLost: 0, flowsAffected: 0, recoveryPs: 0 });
  });

  it('a flapping core link: down and up `count` times, routing following each change; all flows finish', () => {
    const r = runScenario(
      bundled('permutation-uet.yaml', [
        ...UET_K4,
        'routing.convergenceUs=5',
        `faults=[{kind: flap, link: "${DEAD}", atUs: 5, downUs: 10, upUs: 10, count: 3}]`,
      ]),
    );
    const f = r.faults![0];
    expect(f).toMatchObject({ kind: 'flap', atPs: 5e6, untilPs: 55e6 });
    const downs = r.congestion!.failedLinks!.filter((l) => l.link === DEAD);
    expect(downs.map((d) => [d.fromPs / 1e6, d.toPs / 1e6])).toEqual([
      [5, 15],
      [25, 35],
      [45, 55],
    ]);
    expect(f.dataPacketsLost).toBeGreaterThan(0);
    expect(r.summary.flowsDone).toBe(16);
    expectConservation(r);
  });

  it('a spine down mid-run on a leaf-spine: its traffic moves to the other spines after convergence', () => {
    const r = runScenario(
      scenario({
        topology: { kind: 'leafSpine', leaves: 4, spines: 4, hostsPerLeaf: 4 },
        links: { host: { rateGbps: 400, delayNs: 1000 } },
        transport: { kind: 'roce', placement: 'ooo' },
        routing: { mode: 'ecmp', convergenceUs: 10 },
        workload: { kind: 'permutation', sizeBytes: 1_000_000 },
        faults: [{ kind: 'switchDown', switch: 'spine1', atUs: 5 }],
      }),
    );
    const f = r.faults![0];
    // Every link of spine1: one to each of the 4 leaves, both directions.
    expect(f.links.length).toBe(8);
    expect(f.links.every((l) => l.includes('spine1'))).toBe(true);
    expect(f.flowsAffected).toBeGreaterThan(0);
    expect(r.summary.flowsDone).toBe(16);
    expectConservation(r);
  });
});

describe('fault input', () => {
  const base =
    'topology: {kind: fatTree, k: 4}\ntransport: {kind: roce}\nworkload: {kind: permutation, sizeBytes: 1000}\n';
  const lines = (text: string) => {
    try {
      const s = parseScenario(text, 'x.yaml');
      buildSimulation(s);
    } catch (e) {
      if (e instanceof ScenarioError) return e.lines;
      if (e instanceof InputError) return [e.message];
      throw e;
    }
    return [];
  };
  it('a seeded selector draws the same links for a seed, others for another; percent takes that share of the tier', () => {
    const pick = (seed: number, ref: string) =>
      buildSimulation(
        parseScenario(`${base}seed: ${seed}\nfaults: [{kind: linkDown, link: ${ref}, atUs: 1}]\n`, 'x.yaml'),
      );
    const names = (seed: number, ref: string) =>
      collectResult(pick(seed, ref), 'idle').faults![0].links.filter((_, i) => i % 2 === 0);
    const a = names(1, '{random: core, count: 2}');
    expect(a.length).toBe(2);
    expect(a.every((l) => l.includes('core'))).toBe(true);
    expect(names(1, '{random: core, count: 2}')).toEqual(a);
    const others = [2, 3, 4, 5].map((seed) => names(seed, '{random: core, count: 2}').join());
    expect(others.some((o) => o !== a.join())).toBe(true);
    // k = 4: 16 agg–core links, 16 edge–agg: 25 % of the 32 switch–switch links is 8.
    expect(names(1, '{random: fabric, percent: 25}').length).toBe(8);
  });
  it('bad links, switches and combinations are one line naming the field', () => {
    expect(lines(`${base}faults: [{kind: linkDown, link: "edge0.0->core0", atUs: 1}]\n`)).toEqual([
      'faults.0.link: edge0.0 and core0 are not linked in this topology',
    ]);
    expect(lines(`${base}faults: [{kind: linkDown, link: "leaf9->core0", atUs: 1}]\n`)[0]).toMatch(
      /^faults\.0\.link: no node "leaf9" in this topology/,
    );
    expect(lines(`${base}faults: [{kind: switchDown, switch: "h3", atUs: 1}]\n`)[0]).toMatch(
      /^faults\.0\.switch: no switch "h3"/,
    );
    expect(lines(`${base}faults: [{kind: linkDown, link: {random: core, count: 99}, atUs: 1}]\n`)).toEqual([
      'faults.0.link.count: 99 is more than the 16 core links of this topology',
    ]);
    expect(lines(`${base}faults: [{kind: loss, link: "agg0.0->core0", rate: 2}]\n`)[0]).toMatch(/faults\.0\.rate/);
    expect(lines(`${base}faults: [{kind: melt, link: "agg0.0->core0"}]\n`)[0]).toMatch(
      /faults\.0\.kind.*linkDown, flap, degrade, loss, switchDown/,
    );
    expect(
      lines(`${base}engine: {partitions: 2}\nfaults: [{kind: linkDown, link: "agg0.0->core0", atUs: 1}]\n`)[0],
    ).toMatch(/^faults: a partitioned run/);
  });
  it('faults are deterministic: same seed, byte-identical results', () => {
    const sets = [...UET_K4, 'faults=[{kind: loss, link: {random: fabric, count: 3}, rate: 0.001}]'];
    const a = runScenario(bundled('permutation-uet.yaml', sets));
    const b = runScenario(bundled('permutation-uet.yaml', sets));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.faults![0].packetsLost).toBeGreaterThan(0);
  });
});
