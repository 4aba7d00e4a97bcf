/**
 * The page at fabric scale, without a browser: folding a fabric into drawn aggregates
 * (web/src/fold.ts), the replay tape taken at fixed simulated-time intervals (liveRun.ts) and
 * thinned by the page (tape.ts), the live view after a single Step, and per-packet latency's
 * CDF/CCDF.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../sim/scenario/load.ts';
import { buildSimulation } from '../sim/run/run.ts';
import { buildTopology } from '../sim/topology/index.ts';
import { defaultFolded, foldGraph, foldGroups, laneState } from '../web/src/fold.ts';
import { newControl, runLive, TAPE_MAX, TAPE_START_DT_PS } from '../web/src/liveRun.ts';
import { decodeSnapshot, KIND_TAPE } from '../web/src/snapshot.ts';
import { addTape, type TapeSample } from '../web/src/tape.ts';
import { latencyCdf } from '../web/src/transforms.ts';
import { bandMax, bands, orderRows } from '../web/src/heatmap.ts';

const scenario = (file: string) => parseScenario(readFileSync(file, 'utf8'), file);

describe('folding a fabric', () => {
  const sc = scenario('scenarios/bench/permutation-1024-uet.yaml');
  const g = buildTopology(sc.topology, sc.links);

  it('a k=16 fat-tree folds into 16 pods × 3 tiers + 64 cores, every port in a lane of its own direction', () => {
    const groups = foldGroups(g);
    expect(groups.pods).toHaveLength(16);
    expect(groups.hostGroups).toHaveLength(128); // one per edge switch
    const folded = defaultFolded(g, groups);
    const f = foldGraph(g, folded, groups);
    expect(f.nodes).toHaveLength(16 * 3 + 64);
    // host–edge and edge–agg: one lane per pod and direction; agg–core: one per (pod, core, direction).
    expect(f.lanes).toHaveLength(16 * 2 + 16 * 2 + 16 * 64 * 2);
    let inLanes = 0;
    f.lanes.forEach((l, i) => {
      for (const p of l.ports) {
        const link = g.links[p >> 1];
        const [from, to] = p & 1 ? [link.b, link.a] : [link.a, link.b];
        expect(f.nodeOf[from]).toBe(l.from);
        expect(f.nodeOf[to]).toBe(l.to);
        expect(f.portLane[p]).toBe(i);
        inLanes++;
      }
    });
    expect(inLanes).toBe(2 * g.links.length);
    // A pod's aggregate lane to a core stands for exactly one link (each core meets one agg per pod).
    const core = f.nodes.find((v) => v.name === 'core0')!;
    expect(f.lanes.filter((l) => l.to === core.id).every((l) => l.ports.length === 1)).toBe(true);
    expect(f.nodes.find((v) => v.tier === 0)!.name).toBe('h0–h63 (64)');
  });

  it('unfolding a pod shows its 8 edge and 8 agg switches and its hosts per edge; folding it back restores the view', () => {
    const groups = foldGroups(g);
    const folded = defaultFolded(g, groups);
    const before = foldGraph(g, folded, groups);
    folded.delete('pod:3');
    const open = foldGraph(g, folded, groups);
    expect(open.nodes).toHaveLength(before.nodes.length - 3 + 8 + 8 + 8);
    expect(open.nodes.filter((v) => /^edge3\.\d$/.test(v.name))).toHaveLength(8);
    expect(open.nodes.find((v) => v.group === 'hosts:1024' || v.name.startsWith('h192'))!.name).toMatch(/^h192–h199/);
    folded.add('pod:3');
    expect(foldGraph(g, folded, groups).nodes.map((v) => v.name)).toEqual(before.nodes.map((v) => v.name));
  });

  it('a 36-host leaf-spine is drawn unfolded: one lane per port', () => {
    const s = scenario('scenarios/incast-roce-vs-uet.yaml');
    const g2 = buildTopology(s.topology, s.links);
    const f = foldGraph(g2, defaultFolded(g2));
    expect(f.nodes).toHaveLength(g2.nodeCount);
    expect(f.lanes).toHaveLength(2 * g2.links.length);
    expect(f.lanes.every((l, i) => l.ports.length === 1 && f.portLane[l.ports[0]] === i)).toBe(true);
  });

  it('a lane shows its members’ worst or mean utilisation and queue, and counts its paused ports', () => {
    const groups = foldGroups(g);
    const f = foldGraph(g, defaultFolded(g, groups), groups);
    const lane = f.lanes.findIndex((l) => l.ports.length === 64); // a pod's hosts → its edges
    const ports = f.lanes[lane].ports;
    const util = new Float32Array(2 * g.links.length);
    const queue = new Float32Array(2 * g.links.length);
    util[ports[0]] = 1;
    util[ports[1]] = 0.5;
    queue[ports[2]] = 6400;
    const paused = new Map([
      [ports[3], -1],
      [ports[4], -1],
    ]);
    const worst = laneState(f, util, queue, paused, 'worst');
    expect(worst.util[lane]).toBe(1);
    expect(worst.queueBytes[lane]).toBe(6400);
    expect(worst.pausedCount[lane]).toBe(2);
    const mean = laneState(f, util, queue, paused, 'mean');
    expect(mean.util[lane]).toBeCloseTo(1.5 / 64, 6);
    expect(mean.queueBytes[lane]).toBeCloseTo(100, 4);
  });
});

describe('replay tape', () => {
  it('a max-speed run keeps 200–400 samples on a fixed simulated-time grid whose utilisation adds up to the bytes sent', async () => {
    const sc = scenario('scenarios/incast-roce.yaml');
    const s = buildSimulation(sc);
    const c = newControl({ speedUsPerSec: Infinity });
    c.sim = s.sim;
    const tape: TapeSample[] = [];
    let txAtLast: number[] = [];
    let maxHeld = 0;
    await runLive(s, c, { speedUsPerSec: Infinity }, (buf) => {
      const snap = decodeSnapshot(buf);
      if (snap.kind !== KIND_TAPE) return;
      addTape(tape, snap);
      maxHeld = Math.max(maxHeld, tape.length);
      txAtLast = Array.from({ length: s.fabric.portCount }, (_, p) => s.fabric.txBytesOf(p));
    });
    expect(tape.length).toBeGreaterThanOrEqual(200);
    expect(maxHeld).toBeLessThanOrEqual(TAPE_MAX + 1);
    const dt = tape[tape.length - 1].tapeDtPs;
    expect(dt).toBeGreaterThan(TAPE_START_DT_PS); // the run outgrew the first interval at least once
    // Every sample but the last (the moment the last flow finished) lies on the final grid.
    for (let i = 0; i < tape.length - 1; i++) expect(tape[i].simTimePs).toBe((i + 1) * dt);
    const end = tape[tape.length - 1].simTimePs;
    expect(end).toBeGreaterThan(tape[tape.length - 2].simTimePs);
    expect(end).toBeLessThanOrEqual(tape[tape.length - 2].simTimePs + dt);
    // The windows tile [0, end]: utilisation × window × line rate sums to each port's bytes sent.
    expect(tape.reduce((a, t) => a + t.intervalPs, 0)).toBe(tape[tape.length - 1].simTimePs);
    let checked = 0;
    for (let p = 0; p < s.fabric.portCount; p++) {
      if (txAtLast[p] < 1e6) continue;
      const bytes = tape.reduce((a, t) => a + (t.util[p] * s.fabric.rateBps[p] * t.intervalPs) / 8e12, 0);
      expect(Math.abs(bytes - txAtLast[p]) / txAtLast[p]).toBeLessThan(1e-4);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('after a single Step the live view shows the lanes busy at that time (it showed every lane idle)', async () => {
    const s = buildSimulation(scenario('scenarios/incast-roce.yaml'));
    const c = newControl({ speedUsPerSec: 200, startPaused: true });
    c.sim = s.sim;
    let last: ReturnType<typeof decodeSnapshot> | null = null;
    const done = runLive(s, c, { speedUsPerSec: 200, snapshotHz: 1e6 }, (buf) => {
      const d = decodeSnapshot(buf);
      if (d.kind !== KIND_TAPE) last = d;
    });
    await new Promise((r) => setTimeout(r, 5));
    c.stepUntilPs = 20e6; // the Step button's 20 µs at the default pace
    c.wake?.();
    for (let i = 0; i < 500 && (c.stepUntilPs !== 0 || c.wake === null); i++)
      await new Promise((r) => setTimeout(r, 2));
    const snap = last as ReturnType<typeof decodeSnapshot> | null;
    expect(snap?.simTimePs).toBe(20e6);
    expect(snap!.intervalPs).toBeGreaterThan(0);
    const busy = Array.from(snap!.util).filter((u) => u > 0.5).length;
    expect(busy).toBeGreaterThan(10); // 25 senders at line rate, their leaf uplinks and the spines
    c.cancelled = true;
    c.wake?.();
    await done;
  });
});

describe('per-packet latency CDF and CCDF', () => {
  it('steps at each bucket’s midpoint: CDF the fraction ≤ x, CCDF the fraction ≥ x', () => {
    const b: Array<[number, number, number]> = [
      [1000, 2000, 2],
      [2000, 4000, 0],
      [4000, 8000, 6],
    ];
    const { cdf, ccdf } = latencyCdf(b);
    expect(cdf).toEqual([
      { x: 1.499, y: 0.25 },
      { x: 5.999, y: 1 },
    ]);
    expect(ccdf).toEqual([
      { x: 1.499, y: 1 },
      { x: 5.999, y: 0.75 },
    ]);
    expect(latencyCdf([])).toEqual({ cdf: [], ccdf: [] });
  });
});

describe('fabric heatmap', () => {
  it('bins rows into pixel bands of ⌊n/k⌋ or ⌈n/k⌉ rows, each showing its worst row, so a hot port is never averaged away', () => {
    const b = bands(6144, 240);
    expect(b.length).toBe(241);
    expect(b[0]).toBe(0);
    expect(b[240]).toBe(6144);
    for (let i = 0; i < 240; i++) expect([25, 26]).toContain(b[i + 1] - b[i]);
    expect(Array.from(bands(3, 240))).toEqual([0, 1, 2, 3]); // fewer rows than pixels: a band each
    const values = Array.from({ length: 6 }, (_, r) => Float32Array.from([r === 4 ? 9 : 1, 0]));
    const m = bandMax({ tUs: [1, 2], rows: ['a', 'b', 'c', 'd', 'e', 'f'], values }, bands(6, 2));
    expect(Array.from(m)).toEqual([1, 0, 9, 0]);
  });

  it('orders rows by group key, or worst first (largest maximum, ties in key order)', () => {
    const values = [[1], [5], [5], [0]].map((v) => Float32Array.from(v));
    expect(orderRows(['b', 'a', 'c', 'a'], values, false)).toEqual([1, 3, 0, 2]);
    expect(orderRows(['b', 'a', 'c', 'a'], values, true)).toEqual([1, 2, 0, 3]);
  });
});
