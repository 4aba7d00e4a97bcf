import { describe, expect, it } from 'vitest';
import { buildSimulation, runScenario } from '../sim/run/run.ts';
import { P, PS, PK, F, PRIO, REC, WIRE } from '../sim/net/packets.ts';
import type { Result } from '../sim/metrics/result.ts';
import { ScenarioError, parseScenario } from '../sim/scenario/load.ts';
import { bundled, scenario } from './helpers/scenario.ts';

function expectConservation(r: Result) {
  const c = r.counters as Result['counters'] & { inFlight: number };
  expect(c.packetsSent).toBe(c.packetsDelivered + c.drops + c.discards);
  expect(c.inFlight).toBe(0);
}

describe('static PFC thresholds (switch.pfc.xoffBytes / xonBytes, SAI xoff/xon)', () => {
  // Driven by hand, as the RED test in fabric.test.ts: host 1 pauses the switch port facing it,
  // host 0 queues N 1000-byte lossless packets towards host 1. They pile up at the switch, all
  // held by the ingress port from host 0; each PFC frame the switch sends is recorded with the
  // bytes that ingress held at that moment. Then host 1 resumes and the queue drains.
  const XOFF = 61_000;
  const XON = 48_800;
  const B = 1000;
  const N = 200;

  it('PAUSE when an ingress holds 61 kB, RESUME once it holds at most 48.8 kB', () => {
    const s = buildSimulation(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { pfc: { xoffBytes: XOFF, xonBytes: XON } },
        transport: { kind: 'roce' },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 1, sizeBytes: 1000, startNs: 1e9 }] },
      }),
    );
    const fabric = s.fabric;
    const pool = fabric.pool;
    let got = 0;
    fabric.transport = {
      pull: () => -1,
      onEvent: () => {},
      receive: (_host: number, pkt: number) => {
        got++;
        pool.release(pkt);
      },
    };
    const ingress = fabric.routes.hostNicPort[0] ^ 1;
    const frames: { pause: boolean; held: number; hdrm: number }[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: hooking a private method is what "by hand" means here
    const f = fabric as any;
    const send = f.sendPfc.bind(fabric);
    f.sendPfc = (port: number, prio: number, pause: boolean, cause: number) => {
      if (port === ingress) {
        const { heldBytes, headroomBytes } = fabric.ingressBytes(ingress, 3);
        frames.push({ pause, held: heldBytes, hdrm: headroomBytes });
      }
      send(port, prio, pause, cause);
    };
    const hostPfc = (pause: boolean) => {
      const pkt = pool.alloc(PK.PFC, -1, 1, 2, WIRE.PFC_FRAME_BYTES, PRIO.CONTROL);
      pool.side[(pkt << REC.SHIFT) + PS.AUX] = 3 | (pause ? 256 : 0);
      pool.side[(pkt << REC.SHIFT) + PS.AUX2] = -1;
      fabric.sendFromHost(1, pkt);
    };
    hostPfc(true);
    for (let i = 0; i < N; i++) {
      const pkt = pool.alloc(PK.DATA, 0, 0, 1, B, 3);
      pool.i32[(pkt << REC.SHIFT) + P.FLAGS] = F.ECT;
      fabric.sendFromHost(0, pkt);
    }
    s.sim.run(fabric, { timeLimitPs: 60e6, maxEvents: Infinity });
    // The PAUSE went out when the 61st packet made the ingress hold 61,000 B, not at 60,000.
    expect(frames.length).toBe(1);
    expect(frames[0]).toEqual({ pause: true, held: XOFF, hdrm: 0 });
    // Host 0's NIC got it one link later; what it had started by then went to headroom, within
    // the headroom the switch computed (3 × rate × delay / 8 + 2 frames, physics.md §1.2).
    const nic = fabric.routes.hostNicPort[0];
    expect(fabric.pausedBits(nic) & (1 << 3)).not.toBe(0);
    const { heldBytes, headroomBytes } = fabric.ingressBytes(ingress, 3);
    const held = heldBytes + headroomBytes;
    expect(heldBytes).toBe(XOFF);
    expect(headroomBytes).toBeGreaterThan(0);
    expect(headroomBytes).toBeLessThanOrEqual(fabric.cfg.headroomBytes[ingress]);
    expect(fabric.queueBytes(fabric.routes.hostSwitchPort[1], 3)).toBe(held);
    expect(fabric.counters.drops).toBe(0);
    hostPfc(false);
    s.sim.run(fabric, { timeLimitPs: 400e6, maxEvents: Infinity });
    // Draining: the RESUME went out at the first departure that left ≤ 48,800 B (48,000 with
    // 1000-byte packets; 49,000 is still above), with the headroom empty.
    expect(frames[1]).toEqual({ pause: false, held: 48_000, hdrm: 0 });
    // Every later PAUSE/RESUME pair obeys the same two thresholds.
    for (const fr of frames) {
      if (fr.pause) expect(fr.held).toBeGreaterThanOrEqual(XOFF);
      else expect(fr.held + fr.hdrm).toBeLessThanOrEqual(XON);
    }
    expect(got).toBe(N);
    expect(fabric.counters.drops).toBe(0);
  });

  it('xonBytes defaults to xoffBytes − resumeOffsetBytes; a scenario without them keeps its hash', async () => {
    const { scenarioHash } = await import('../sim/scenario/load.ts');
    const d = bundled('incast-roce.yaml');
    const s = buildSimulation(bundled('incast-roce.yaml', ['switch.pfc.xoffBytes=61000']));
    expect(s.fabric.cfg.pfcXonBytes).toBe(61_000 - 3072);
    expect(s.fabric.cfg.pfcStaticSharedBytes).toBe(61_000 - 4096);
    expect(buildSimulation(d).fabric.cfg.pfcStaticSharedBytes).toBe(-1);
    expect(scenarioHash(d)).toBe(scenarioHash(bundled('incast-roce.yaml', [])));
    expect(scenarioHash(d)).not.toBe(scenarioHash(bundled('incast-roce.yaml', ['switch.pfc.xoffBytes=61000'])));
  });

  it('bad input: xonBytes above xoffBytes, or without it, is one line naming the field', () => {
    const base =
      'topology: {kind: star, hosts: 2}\ntransport: {kind: roce}\nworkload: {kind: permutation, sizeBytes: 1000}\n';
    const err = (sw: string) => {
      try {
        parseScenario(`${base}switch: {pfc: ${sw}}\n`, 'x.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        return (e as ScenarioError).lines;
      }
      return [];
    };
    expect(err('{xoffBytes: 1000, xonBytes: 2000}')).toEqual([
      'switch.pfc.xonBytes: 2000 is above switch.pfc.xoffBytes 1000; an ingress resumes below where it paused, so xonBytes ≤ xoffBytes',
    ]);
    expect(err('{xonBytes: 2000}')[0]).toMatch(/^switch\.pfc\.xonBytes: .*needs switch\.pfc\.xoffBytes/);
    expect(err('{xoffBytes: -5}')[0]).toMatch(/^.*switch\.pfc\.xoffBytes.*positive integer/);
  });

  it('a 32 → 1 incast at 400 G stays lossless with xoffBytes 61000 / xonBytes 48800', () => {
    const r = runScenario(bundled('incast-roce.yaml', ['switch.pfc.xoffBytes=61000', 'switch.pfc.xonBytes=48800']));
    const dyn = runScenario(bundled('incast-roce.yaml'));
    console.log(
      `static 61/48.8 kB: ${r.counters.pauseFrames} PAUSE, ${r.counters.resumeFrames} RESUME, max FCT ${(r.summary.fctUs.max ?? 0).toFixed(1)} µs; dynamic: ${dyn.counters.pauseFrames} PAUSE`,
    );
    expect(r.summary.flowsDone).toBe(32);
    expect(r.counters.drops).toBe(0);
    expect(r.counters.pauseFrames).toBeGreaterThan(0);
    // A 61 kB XOFF pauses earlier and more often than α × ~12 MB free (≥ 1.4 MB at α = 1/8).
    expect(r.counters.pauseFrames).toBeGreaterThan(dyn.counters.pauseFrames);
    expectConservation(r);
  });
});
