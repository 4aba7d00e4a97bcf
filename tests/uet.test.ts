import { describe, expect, it } from 'vitest';
import { buildSimulation, runScenario } from '../sim/run/run.ts';
import type { Result } from '../sim/metrics/result.ts';
import { P, PS, F, PK, WIRE, REC } from '../sim/net/packets.ts';
import { sackBase, encodeSack, decodeSack } from '../sim/transport/uet/sack.ts';
import { ReceivedPsns } from '../sim/transport/uet/receivedPsns.ts';
import type { UetTransportModel, UetReport } from '../sim/transport/uet/uet.ts';
import { Rng } from '../sim/engine/random.ts';
import { bundled, scenario } from './helpers/scenario.ts';

type Counters = Result['counters'] & { inFlight: number };

/** sent = delivered + trimmed (then retransmitted) + dropped + discarded duplicates; nothing left; each byte once. */
function expectConservation(r: Result) {
  const c = r.counters as Counters;
  expect(c.packetsSent).toBe(c.packetsDelivered + c.trims + c.drops + c.discards);
  expect(c.inFlight).toBe(0);
  const total = r.flows.reduce((s, f) => s + f.sizeBytes, 0);
  expect(c.bytesDelivered).toBe(total);
}

const tail = (r: Result) => Math.max(...r.flows.map((f) => f.fctPs));
const us = (ps: number) => (ps / 1e6).toFixed(1);

describe('RUD receiver', () => {
  it('a shuffled stream with duplicates is delivered exactly once and ACKed correctly', () => {
    const MTU = 4096;
    const SIZE = 100 * MTU - 1000; // 100 packets, the last one short
    const s = buildSimulation(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        switch: { pfc: { enabled: false } },
        transport: { kind: 'uet', mtuBytes: MTU },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: SIZE, startNs: 1e9 }] },
      }),
    );
    const t = s.transport as UetTransportModel;
    const pool = s.fabric.pool;
    // Capture what the receiver sends instead of putting it on the wire.
    const acks: { psn: number; cum: number; lo: number; hi: number; ev: number; ce: boolean }[] = [];
    s.fabric.sendFromHost = (_host: number, pkt: number) => {
      expect(pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK).toBe(PK.ACK);
      acks.push({
        psn: pool.side[(pkt << REC.SHIFT) + PS.PSN],
        cum: pool.side[(pkt << REC.SHIFT) + PS.AUX],
        lo: pool.side[(pkt << REC.SHIFT) + PS.AUX2],
        hi: pool.side[(pkt << REC.SHIFT) + PS.AUX3],
        ev: pool.i32[(pkt << REC.SHIFT) + P.EV],
        ce: (pool.i32[(pkt << REC.SHIFT) + P.FLAGS] & F.CE) !== 0,
      });
      pool.release(pkt);
    };
    const rng = new Rng([1, 2, 3, 4]);
    const order: number[] = [];
    for (let p = 0; p < 100; p++) order.push(p);
    for (let p = 0; p < 100; p += 7) order.push(p); // duplicates
    rng.shuffle(order);
    const got = new Set<number>();
    let dups = 0;
    for (const [i, psn] of order.entries()) {
      const payload = psn === 99 ? SIZE - 99 * MTU : MTU;
      const pkt = pool.alloc(PK.DATA, 0, 0, 1, payload + 64, 1);
      pool.side[(pkt << REC.SHIFT) + PS.PSN] = psn;
      pool.side[(pkt << REC.SHIFT) + PS.AUX] = 1;
      pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD] = payload;
      pool.i32[(pkt << REC.SHIFT) + P.EV] = 1000 + i;
      pool.i32[(pkt << REC.SHIFT) + P.FLAGS] = F.ECT | F.TRIMMABLE | (i % 13 === 5 ? F.CE : 0);
      const before = acks.length;
      t.receive(1, pkt);
      if (got.has(psn)) dups++;
      got.add(psn);
      // Duplicates and CE marks are ACKed at once, echoing the EV and CE.
      if (dups > 0 && got.has(psn) && i % 13 === 5) {
        expect(acks.length).toBe(before + 1);
        expect(acks[acks.length - 1].ce).toBe(true);
      }
      if (acks.length > before) {
        const a = acks[acks.length - 1];
        expect(a.psn).toBe(psn);
        expect(a.ev).toBe(1000 + i);
        // Cumulative ACK = first PSN not yet received.
        let cum = 0;
        while (got.has(cum)) cum++;
        expect(a.cum).toBe(cum);
        // SACK bits are exactly the received PSNs in the window.
        const base = sackBase(a.psn, a.cum);
        const want = [...got].filter((p) => p >= base && p < base + 64).sort((x, y) => x - y);
        expect(decodeSack(base, a.lo, a.hi)).toEqual(want);
      }
    }
    const c = s.fabric.counters;
    expect(c.packetsDelivered).toBe(100);
    expect(c.bytesDelivered).toBe(SIZE);
    expect(c.discards).toBe(dups);
    expect(s.flows.deliveredBytes[0]).toBe(SIZE);
    expect(acks[acks.length - 1].cum).toBe(100);
    // Coalescing: far fewer ACKs than packets, but at least one per 16 KiB of new data.
    expect(acks.length).toBeLessThan(order.length);
    expect(acks.length).toBeGreaterThanOrEqual(Math.floor(SIZE / 16384));
  });

  it('the SACK bitmap encoding round-trips', { tags: ['slow'] }, () => {
    const rng = new Rng([9, 8, 7, 6]);
    const out = new Int32Array(2);
    for (let trial = 0; trial < 200; trial++) {
      // Flow 1 of three, its neighbours full: no window may see their bits.
      const n = 1 + rng.int(300);
      const got = new ReceivedPsns(Int32Array.of(64, n, 40));
      for (let p = 0; p < 64; p++) got.add(0, p);
      for (let p = 0; p < 40; p++) got.add(2, p);
      const mine = new Uint8Array(n);
      for (let p = 0; p < n; p++)
        if (rng.next() < 0.5) {
          mine[p] = 1;
          got.add(1, p);
        }
      // Bases up to n + 1: an ACK's base once all of the flow has arrived.
      const base = rng.int(n + 2);
      encodeSack(got, 1, base, out);
      const want: number[] = [];
      for (let p = base; p < Math.min(n, base + 64); p++) if (mine[p]) want.push(p);
      expect(decodeSack(base, out[0], out[1])).toEqual(want);
      // The cumulative ACK: the first PSN not received, from any starting point.
      const from = rng.int(n + 1);
      let miss = from;
      while (miss < n && mine[miss]) miss++;
      expect(got.firstMissing(1, from, n)).toBe(miss);
      for (let p = 0; p < n; p++) expect(got.has(1, p)).toBe(mine[p] === 1);
    }
    // Bits 31 and 63 (the sign bits of the halves) survive.
    const g = new ReceivedPsns(Int32Array.of(64));
    g.add(0, 31);
    g.add(0, 63);
    encodeSack(g, 0, 0, out);
    expect(decodeSack(0, out[0], out[1])).toEqual([31, 63]);
    const all = new ReceivedPsns(Int32Array.of(100));
    for (let p = 0; p < 100; p++) all.add(0, p);
    expect(all.firstMissing(0, 0, 100)).toBe(100);
    expect(sackBase(100, 10)).toBe(37);
    expect(sackBase(20, 10)).toBe(11);
  });
});

describe('15 → 1 incast at 100 G with trimming', () => {
  it('no timeouts, every flow completes, tail FCT within 10 % of the bottleneck ideal', { tags: ['slow'] }, () => {
    const r = runScenario(bundled('incast-uet.yaml'));
    expect(r.summary.flowsDone).toBe(15);
    expect(r.counters.timeouts).toBe(0);
    expect(r.counters.trims).toBeGreaterThan(0);
    // Ideal: every byte with its headers (and preamble/IFG wire time) through the receiver's 100 G link.
    let wire = 0;
    for (const f of r.flows) wire += f.sizeBytes + Math.ceil(f.sizeBytes / 4096) * (64 + WIRE.OVERHEAD_BYTES);
    const ideal = (wire * 8 * 1e12) / 100e9;
    const t = tail(r);
    console.log(
      `incast-uet tail FCT ${us(t)} µs, ideal ${us(ideal)} µs (+${((t / ideal - 1) * 100).toFixed(1)} %), published threshold 2550 µs; trims ${r.counters.trims}`,
    );
    expect(t).toBeLessThanOrEqual(1.1 * ideal);
    expectConservation(r);
  });
});

describe('spraying vs ECMP on the 128-host permutation at 400 G', () => {
  it('oblivious and REPS tails ≤ 1.6 × ideal; the ECMP tail ≥ 2 × the sprayed tails', { tags: ['slow'] }, () => {
    const runs = Object.fromEntries(
      ['oblivious', 'reps', 'ecmp'].map((lb) => [
        lb,
        runScenario(bundled('permutation-uet.yaml', [`transport.loadBalancing=${lb}`])),
      ]),
    );
    const r0 = runs.oblivious;
    const ideal = Math.max(...r0.flows.map((f) => f.idealFctPs));
    for (const r of Object.values(runs)) {
      expect(r.summary.flowsDone).toBe(128);
      expectConservation(r);
    }
    const t = { oblivious: tail(runs.oblivious), reps: tail(runs.reps), ecmp: tail(runs.ecmp) };
    console.log(
      `permutation-uet tail FCT: oblivious ${us(t.oblivious)} µs, reps ${us(t.reps)} µs, ecmp ${us(t.ecmp)} µs; ideal single flow ${us(ideal)} µs`,
    );
    const reorder = (runs.oblivious as Result & { uet: UetReport }).uet.reorder;
    console.log(
      `oblivious reordering: ${reorder.outOfOrder}/${reorder.arrivals} out of order, distance p99 ${reorder.p99Distance}, max ${reorder.maxDistance}`,
    );
    expect(t.oblivious).toBeLessThanOrEqual(1.6 * ideal);
    expect(t.reps).toBeLessThanOrEqual(1.6 * ideal);
    expect(t.ecmp).toBeGreaterThanOrEqual(2 * Math.max(t.oblivious, t.reps));
    // Spraying reorders; the receiver reports it without treating it as loss.
    expect(reorder.outOfOrder).toBeGreaterThan(0);
    expect(reorder.p99Distance).toBeGreaterThan(0);
    expect(reorder.maxDistance).toBeGreaterThanOrEqual(reorder.p99Distance);
  });
});

describe('NSCC', () => {
  it('a single flow on an idle path stays at max window and finishes at the ideal FCT', () => {
    const s = buildSimulation(
      scenario({
        topology: { kind: 'fatTree', k: 4 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { pfc: { enabled: false }, trimming: { enabled: true } },
        transport: { kind: 'uet', cc: 'nscc' },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 15, sizeBytes: 2_000_000 }] },
      }),
    );
    const nscc = (s.transport as UetTransportModel).nscc!;
    const maxWnd = 1.5 * (100e9 / 8e12) * s.baseRttPs;
    let minCwnd = Infinity;
    for (let t = 1e6; s.flows.doneCount === 0 && t < 1e9; t += 1e6) {
      s.sim.run(s.fabric, { timeLimitPs: t, maxEvents: Infinity });
      minCwnd = Math.min(minCwnd, nscc.cwnd[0]);
    }
    s.sim.run(s.fabric, { timeLimitPs: Infinity, maxEvents: Infinity });
    expect(s.flows.doneCount).toBe(1);
    expect(minCwnd).toBeCloseTo(maxWnd, 0);
    expect(nscc.cwnd[0]).toBeCloseTo(maxWnd, 0);
    const r = runScenario(s.scenario);
    const f = r.flows[0];
    console.log(
      `single NSCC flow FCT ${us(f.fctPs)} µs, ideal ${us(f.idealFctPs)} µs, cwnd ${minCwnd.toFixed(0)} B = max_wnd ${maxWnd.toFixed(0)} B`,
    );
    expect(Math.abs(f.fctPs - f.idealFctPs) / f.idealFctPs).toBeLessThan(0.01);
    expect(r.counters.trims + r.counters.drops + r.counters.retransmits).toBe(0);
  });

  it('two flows sharing a bottleneck converge to within 20 % of each other', () => {
    // Dumbbell at 100 G: flow 0 starts alone at max window, flow 1 joins 100 µs later.
    const s = buildSimulation(
      scenario({
        topology: { kind: 'dumbbell', hostsPerSide: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 }, fabric: { rateGbps: 100, delayNs: 1000 } },
        switch: { pfc: { enabled: false }, trimming: { enabled: true } },
        transport: { kind: 'uet', cc: 'nscc' },
        workload: {
          kind: 'flows',
          flows: [
            { src: 0, dst: 2, sizeBytes: 40_000_000 },
            { src: 1, dst: 3, sizeBytes: 40_000_000, startNs: 100_000 },
          ],
        },
      }),
    );
    const END = 2100e6; // 2 ms of overlap
    const MID = (100e6 + END) / 2;
    s.sim.run(s.fabric, { timeLimitPs: MID, maxEvents: Infinity });
    const atMid = [s.flows.deliveredBytes[0], s.flows.deliveredBytes[1]];
    s.sim.run(s.fabric, { timeLimitPs: END, maxEvents: Infinity });
    expect(s.flows.doneCount).toBe(0); // both still active over the whole window
    const rate = [0, 1].map((f) => ((s.flows.deliveredBytes[f] - atMid[f]) * 8) / ((END - MID) / 1e12));
    console.log(`NSCC two flows, second half: ${(rate[0] / 1e9).toFixed(1)} / ${(rate[1] / 1e9).toFixed(1)} Gb/s`);
    expect(Math.min(...rate) / Math.max(...rate)).toBeGreaterThanOrEqual(0.8);
    expect(rate[0] + rate[1]).toBeGreaterThan(0.9 * 100e9);
  });
});

describe('conservation', () => {
  it('trimming, tail drops (SACK-inferred loss and RTO), PFC: every packet accounted for, no byte delivered twice', {
    tags: ['slow'],
  }, () => {
    const trim = runScenario(bundled('incast-uet.yaml'));
    expect(trim.counters.trims).toBeGreaterThan(0);
    expectConservation(trim);
    const drop = runScenario(
      bundled('incast-uet.yaml', ['switch.trimming.enabled=false', 'switch.lossy.queueCapBytes=auto']),
    );
    expect(drop.counters.drops).toBeGreaterThan(0);
    expect(drop.summary.flowsDone).toBe(15);
    expectConservation(drop);
    const pfc = runScenario(
      bundled('incast-uet.yaml', ['switch.pfc.enabled=true', 'transport.priority=3', 'switch.bufferBytes=2000000']),
    );
    expect(pfc.counters.drops).toBe(0);
    expect(pfc.counters.pauseFrames).toBeGreaterThan(0);
    expect(pfc.summary.flowsDone).toBe(15);
    expectConservation(pfc);
    for (const r of [trim, drop, pfc]) for (const f of r.flows) expect(f.fctPs).toBeGreaterThan(0);
  });
});

describe('determinism with spraying', () => {
  it('same seed ⇒ byte-identical results; another seed changes the spray', { tags: ['slow'] }, () => {
    const a = JSON.stringify(runScenario(bundled('permutation-uet.yaml', ['transport.loadBalancing=reps'])));
    const b = JSON.stringify(runScenario(bundled('permutation-uet.yaml', ['transport.loadBalancing=reps'])));
    expect(a).toBe(b);
    const c = runScenario(bundled('permutation-uet.yaml', ['transport.loadBalancing=reps', 'seed=2']));
    expect(JSON.stringify(c.flows.map((f) => f.fctPs))).not.toBe(
      JSON.stringify(JSON.parse(a).flows.map((f: { fctPs: number }) => f.fctPs)),
    );
  });
});

describe('RCCC receiver credits (physics.md §4.8)', () => {
  it('alone and with NSCC: the 15 → 1 incast completes without timeouts, the credit pacer moving what speculation did not', {
    tags: ['slow'],
  }, async () => {
    const { buildSimulation, runSimulation, collectResult } = await import('../sim/run/run.ts');
    const { bundled } = await import('./helpers/scenario.ts');
    for (const sets of [['transport.rccc=true', 'transport.cc=none'], ['transport.rccc=true']]) {
      const s = buildSimulation(bundled('incast-uet.yaml', sets));
      const r = collectResult(s, runSimulation(s));
      expect(r.summary.flowsDone).toBe(15);
      expect(r.counters.timeouts).toBe(0);
      const t = s.transport as unknown as { rccc: { granted: Float64Array } | null; maxWnd(f: number): number };
      expect(t.rccc).not.toBeNull();
      const grantedBytes = Array.from(t.rccc!.granted).reduce((a, b) => a + b, 0) * 256;
      const speculative = r.flows.reduce((a, f) => a + t.maxWnd(f.id), 0);
      const total = r.flows.reduce((a, f) => a + f.sizeBytes, 0);
      // Everything beyond each sender's speculative first window was sent against granted credit.
      expect(grantedBytes).toBeGreaterThanOrEqual(total - speculative);
      // The pacer grants at 0.99 × line rate: the credit cannot have arrived faster than that.
      const grantTimePs = (grantedBytes * 8e12) / (0.99 * 100e9);
      expect(r.meta.simTimePs).toBeGreaterThanOrEqual(grantTimePs);
      console.log(
        `RCCC ${sets.join(' ')}: tail ${(r.summary.fctUs.max).toFixed(1)} µs, credit ${(grantedBytes / 1e6).toFixed(1)} MB of ${(total / 1e6).toFixed(0)} MB`,
      );
    }
  });
});

describe('UEC htsim validation thresholds (physics.md §5.2)', () => {
  it('1024-node permutation, 2 MB at 100 G: sprayed tail ≤ 220 µs, ECMP tail ≤ 1300 µs', {
    tags: ['slow'],
  }, async () => {
    const { runScenario } = await import('../sim/run/run.ts');
    const { bundled } = await import('./helpers/scenario.ts');
    const tail: Record<string, number> = {};
    for (const lb of ['oblivious', 'ecmp']) {
      const r = runScenario(
        bundled('bench/permutation-1024-uet.yaml', ['links.host.rateGbps=100', `transport.loadBalancing=${lb}`]),
      );
      expect(r.summary.flowsDone).toBe(1024);
      tail[lb] = r.summary.fctUs.max;
    }
    console.log(
      `1024-node permutation at 100 G: tail ${tail.oblivious.toFixed(1)} µs sprayed (target 220), ${tail.ecmp.toFixed(1)} µs ECMP (target 1300)`,
    );
    expect(tail.oblivious).toBeLessThanOrEqual(220);
    expect(tail.ecmp).toBeLessThanOrEqual(1300);
    expect(tail.ecmp).toBeGreaterThan(2 * tail.oblivious);
  });
});

describe('UET without trimming', () => {
  it('queues are capped at 5 × plane BDP by default, so the auto RTO holds: every retransmission follows a drop, none is a duplicate', () => {
    const r = runScenario(bundled('incast-uet.yaml', ['switch.trimming.enabled=false']));
    expect(r.summary.flowsDone).toBe(15);
    const loss = r.uet!.loss;
    // Uncapped (α × free buffer) the same incast dropped nothing yet timed out 816 times and
    // sent 357 duplicates: its queues outgrew the one-BDP drain the RTO was computed from.
    expect(r.counters.drops).toBeGreaterThan(0);
    expect(loss.duplicates).toBe(0);
    expect(r.counters.retransmits).toBe(r.counters.drops);
  });
});

describe('RCCC and the last hop (physics.md §4.5 p.356, §4.6)', () => {
  it('a last-hop trim under RCCC only takes the packet off the window; any other trim NACK quick-adapts (htsim rule, §4.7)', async () => {
    const { Nscc, deriveNsccParams } = await import('../sim/transport/uet/nscc.ts');
    const rtt = 14_000_000;
    const p = deriveNsccParams(rtt, 100e9, 4096, 4160, true);
    const n = new Nscc(2, p);
    for (const f of [0, 1]) {
      n.start(f, 100e9, 0);
      n.onAck(f, false, 0, 4096, 100_000, 1_000_000); // opens the first quick-adapt period
    }
    const w = n.cwnd[0];
    // A period later, with next to nothing delivered in it: the plain trim NACK quick-adapts to
    // what was delivered (floor one MTU), the last-hop one under RCCC does not.
    const t = 1_000_000 + 3 * rtt;
    n.onNack(0, 4160, 100_000, t, false);
    n.onNack(1, 4160, 100_000, t, true);
    expect(n.cwnd[0]).toBe(p.minWndBytes);
    expect(n.cwnd[1]).toBe(w - 4160);
  });

  it('the switch flags last-hop trims, the NACK carries the code to NSCC, and last-hop ports mark no ECN under RCCC', async () => {
    const { runSimulation, collectResult } = await import('../sim/run/run.ts');
    // Count NSCC's NACKs by whether they arrived as last-hop trims under RCCC.
    const nacks = (sets: string[]) => {
      const sim = buildSimulation(bundled('incast-uet.yaml', sets));
      const nscc = (sim.transport as unknown as { nscc: { onNack: (...a: unknown[]) => void } }).nscc;
      const seen = { lastHop: 0, other: 0 };
      const orig = nscc.onNack.bind(nscc);
      nscc.onNack = (...a: unknown[]) => {
        if (a[4] === true) seen.lastHop++;
        else seen.other++;
        orig(...a);
      };
      const r = collectResult(sim, runSimulation(sim));
      return { seen, r };
    };
    // A 15 → 1 incast trims at the receiver's ToR port, the last hop.
    const withRccc = nacks(['transport.rccc=true']);
    expect(withRccc.seen.lastHop).toBeGreaterThan(0);
    expect(withRccc.r.summary.flowsDone).toBe(15);
    expect(withRccc.r.counters.timeouts).toBe(0);
    const without = nacks([]);
    expect(without.seen.lastHop).toBe(0);
    expect(without.seen.other).toBeGreaterThan(0);
    const s = buildSimulation(bundled('incast-uet.yaml', ['transport.rccc=true']));
    const cfg = s.fabric.cfg;
    const hosts = s.fabric.hostCount;
    for (let p = 0; p < s.fabric.portCount; p++) {
      const facesHost = s.fabric.portNode[p] >= hosts && s.fabric.portNode[p ^ 1] < hosts;
      expect(cfg.kminBytes[p] === Infinity).toBe(facesHost);
    }
  });
});

describe('UET ACK coalescing on an idle path (physics.md §4.3, §4.7)', () => {
  it('one ACK for the first packet, then one per 16 KiB received, and one at the end: 1 + ⌈(N − 1)/4⌉', () => {
    // §4.3: ACK_GEN_TRIGGER = 16 KiB; §4.7 (htsim): an ACK every 16,384 B received, at once on a CE
    // mark, on an ACK request (AR) and on the flow's first packet; the last packet carries AR (it
    // completes the message). Full packets are 4096 + 64 = 4160 B: three are 12,480 B < 16,384,
    // four 16,640 B ≥ 16,384 (also 4 × 4096 = 16,384 counting payload only), so after the first
    // packet's ACK every fourth packet triggers one. With N packets: the ACK of packet 0, those
    // of packets 4, 8, … below N − 1, and the last packet's:
    //   acks = 1 + ⌈(N − 1)/4⌉   (N = 489 for 2 MB: 123).
    // No other trigger may fire: no marks on an idle path (checked), and in order on one path (a
    // star; a fat tree with ECMP), and no window-full AR: the window stays max_wnd = 1.5 × BDP
    // (§4.7) while at most a BDP plus one ACK's 16 KiB is in flight (checked below).
    const cases = [
      { topology: { kind: 'star', hosts: 2 }, dst: 1, lb: 'oblivious', sizeBytes: 2_000_000 },
      { topology: { kind: 'star', hosts: 2 }, dst: 1, lb: 'oblivious', sizeBytes: 100 * 4096 - 1000 },
      { topology: { kind: 'star', hosts: 2 }, dst: 1, lb: 'oblivious', sizeBytes: 12 * 4096 },
      { topology: { kind: 'star', hosts: 2 }, dst: 1, lb: 'oblivious', sizeBytes: 4097 },
      { topology: { kind: 'star', hosts: 2 }, dst: 1, lb: 'oblivious', sizeBytes: 4096 },
      { topology: { kind: 'fatTree', k: 4 }, dst: 15, lb: 'ecmp', sizeBytes: 2_000_000 },
    ] as const;
    for (const c of cases) {
      const r = runScenario(
        scenario({
          topology: c.topology,
          links: { host: { rateGbps: 100, delayNs: 1000 } },
          switch: { pfc: { enabled: false } },
          transport: { kind: 'uet', loadBalancing: c.lb },
          workload: { kind: 'flows', flows: [{ src: 0, dst: c.dst, sizeBytes: c.sizeBytes }] },
        }),
      );
      const N = Math.ceil(c.sizeBytes / 4096);
      const want = 1 + Math.ceil((N - 1) / 4);
      console.log(`${c.topology.kind} ${c.sizeBytes} B (${N} packets): ${r.counters.acks} ACKs, rule ${want}`);
      expect(r.counters.ecnMarks).toBe(0);
      expect(r.counters.trims + r.counters.drops + r.counters.retransmits).toBe(0);
      expect(r.uet!.reorder.outOfOrder).toBe(0);
      const { planeBdpBytes, maxWndBytes } = r.uet!.params;
      expect(maxWndBytes - (planeBdpBytes + 4 * 4160)).toBeGreaterThanOrEqual(4160);
      expect(r.counters.acks).toBe(want);
    }
  });

  it('a CE mark triggers an ACK at once and restarts the 16 KiB count', () => {
    // The receiver driven by hand (as in the RUD test above), packets in order: CE on packet 5 only.
    // The 16 KiB count is of bytes not yet acknowledged (htsim's _bytes_unacked), so every ACK
    // restarts it. ACKs: packet 0 (first), 4 (16 KiB), 5 (CE, and the count restarts), 9 (four more), 13, …,
    // and the last: 1 + 1 + 1 + ⌈(N − 1 − 5)/4⌉ for N = 40 → 3 + 9 = 12, at packets 0, 4, 5, 9, …, 37, 39.
    const MTU = 4096;
    const NP = 40;
    const s = buildSimulation(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        switch: { pfc: { enabled: false } },
        transport: { kind: 'uet', mtuBytes: MTU },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: NP * MTU, startNs: 1e9 }] },
      }),
    );
    const t = s.transport as UetTransportModel;
    const pool = s.fabric.pool;
    const ackedAt: number[] = [];
    s.fabric.sendFromHost = (_host: number, pkt: number) => {
      expect(pool.i32[(pkt << REC.SHIFT) + P.KIND] & P.KIND_MASK).toBe(PK.ACK);
      ackedAt.push(pool.side[(pkt << REC.SHIFT) + PS.PSN]);
      pool.release(pkt);
    };
    for (let psn = 0; psn < NP; psn++) {
      const pkt = pool.alloc(PK.DATA, 0, 0, 1, MTU + 64, 1);
      pool.side[(pkt << REC.SHIFT) + PS.PSN] = psn;
      pool.side[(pkt << REC.SHIFT) + PS.AUX] = 1;
      pool.side[(pkt << REC.SHIFT) + PS.PAYLOAD] = MTU;
      pool.i32[(pkt << REC.SHIFT) + P.FLAGS] =
        F.ECT | F.TRIMMABLE | (psn === 5 ? F.CE : 0) | (psn === NP - 1 ? F.LAST | F.AR : 0);
      t.receive(1, pkt);
    }
    const want = [0, 4, 5];
    for (let p = 9; p < NP - 1; p += 4) want.push(p);
    want.push(NP - 1);
    expect(ackedAt).toEqual(want);
    expect(ackedAt.length).toBe(3 + Math.ceil((NP - 1 - 5) / 4));
  });
});
