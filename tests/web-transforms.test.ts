import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../sim/scenario/load.ts';
import { buildSimulation, collectResult, runScenario, runSimulation } from '../sim/run/run.ts';
import { slowdownBySize } from '../sim/cli/report.ts';
import { buildLeafSpine } from '../sim/topology/index.ts';
import type { FlowResult, Result } from '../sim/metrics/result.ts';
import type { PauseInterval } from '../sim/metrics/congestion.ts';
import * as T from '../web/src/transforms.ts';
import { allocSnapshot, decodeSnapshot, treesOf, writeHeader } from '../web/src/snapshot.ts';
import { LiveSampler, flowPath } from '../web/src/liveSampler.ts';
import { newControl, runLive } from '../web/src/liveRun.ts';
import { layoutTopology, portNames } from '../web/src/layout.ts';

const scenario = (name: string) => parseScenario(readFileSync(`scenarios/${name}.yaml`, 'utf8'), name);

function flow(id: number, sizeBytes: number, fctUs: number, slowdown: number): FlowResult {
  return {
    id,
    src: 0,
    dst: 1,
    sizeBytes,
    startPs: 0,
    fctPs: fctUs < 0 ? -1 : fctUs * 1e6,
    idealFctPs: 1e6,
    slowdown,
    retransmits: 0,
    deliveredBytes: fctUs < 0 ? 0 : sizeBytes,
  };
}

describe('distributions', () => {
  it('ecdf steps to 1 with one point per distinct value', () => {
    expect(T.ecdf([3, 1, 2, 2])).toEqual([
      { x: 1, y: 0.25 },
      { x: 2, y: 0.75 },
      { x: 3, y: 1 },
    ]);
    expect(T.ecdf([])).toEqual([]);
    expect(T.ecdf([NaN, 5])).toEqual([{ x: 5, y: 1 }]);
  });

  it('ccdf is P(X ≥ x): starts at 1, ends at 1/n, never 0 (log axes)', () => {
    expect(T.ccdf([3, 1, 2, 2])).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: 0.75 },
      { x: 3, y: 0.25 },
    ]);
    for (const p of T.ccdf([5, 5, 5])) expect(p.y).toBeGreaterThan(0);
  });

  it('fctsUs keeps finished flows only, in µs', () => {
    expect(T.fctsUs([flow(0, 1, 12.5, 1), flow(1, 1, -1, -1)])).toEqual([12.5]);
  });

  it('nearestRank is the CLI quantile', () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(T.nearestRank(a, 0.5)).toBe(5);
    expect(T.nearestRank(a, 0.99)).toBe(10);
    expect(T.nearestRank(a, 0)).toBe(1);
    expect(T.nearestRank([], 0.5)).toBeNaN();
  });
});

describe('slowdown by flow-size bucket', () => {
  it('buckets by size with the CLI bounds and quantiles, skipping unfinished flows and empty buckets', () => {
    const flows = [
      flow(0, 5_000, 1, 1.5),
      flow(1, 10_000, 1, 2.5),
      flow(2, 10_001, 1, 7),
      flow(3, 2_000_000, 1, 3),
      flow(4, 2_000_000, -1, -1),
    ];
    const b = T.slowdownBuckets(flows);
    expect(b.map((x) => x.label)).toEqual(['≤10KB', '10KB–100KB', '1MB–10MB']);
    expect(b[0]).toMatchObject({ p50: 1.5, p99: 2.5, count: 2, loBytes: 0, hiBytes: 10_000 });
    expect(b[1]).toMatchObject({ p50: 7, p99: 7, count: 1, loBytes: 10_000 });
    expect(b[2].count).toBe(1);
  });

  it('agrees with the CLI table (sim/cli/report.ts) on a real run', { tags: ['slow'] }, () => {
    const r = runScenario(scenario('incast-roce-vs-uet'));
    const cli = slowdownBySize(r);
    for (const b of T.slowdownBuckets(r.flows)) expect([b.p50, b.p99, b.count]).toEqual(cli.get(b.label));
  });
});

describe('per-packet latency percentiles from histogram buckets', () => {
  const buckets: Array<[number, number, number]> = [
    [1000, 1008, 50],
    [2000, 2016, 40],
    [10000, 10080, 9],
    [50000, 50400, 1],
  ];

  it('is monotone in quantile, nines and value, ending at q = 1', () => {
    const p = T.latencyPercentiles(buckets);
    expect(p.map((x) => x.q)).toEqual([0.5, 0.9, 0.99, 1]);
    for (let i = 1; i < p.length; i++) {
      expect(p[i].us).toBeGreaterThan(p[i - 1].us);
      expect(p[i].nines).toBeGreaterThan(p[i - 1].nines);
    }
    expect(p[1].nines).toBeCloseTo(1, 10);
    expect(p[3].nines).toBeCloseTo(Math.log10(200), 10);
  });

  it('histogramQuantileUs picks the bucket midpoint by nearest rank', () => {
    expect(T.histogramQuantileUs(buckets, 0.5)).toBeCloseTo(1.003, 6);
    expect(T.histogramQuantileUs(buckets, 0.51)).toBeCloseTo(2.007, 6);
    expect(T.histogramQuantileUs([], 0.5)).toBeNaN();
  });

  it('matches the result summary within the histogram’s 1 % on a real run', () => {
    const s = buildSimulation(scenario('dumbbell'));
    const r = collectResult(s, runSimulation(s));
    const b = s.latency!.buckets();
    expect(T.histogramQuantileUs(b, 0.99)).toBeGreaterThan(r.summary.latencyUs.p99 * 0.99);
    expect(T.histogramQuantileUs(b, 0.99)).toBeLessThan(r.summary.latencyUs.p99 * 1.01);
  });
});

describe('series', () => {
  it('indexes queue series by peak and flow traces by flow', () => {
    const idx = T.seriesIndex([
      { name: 'queue:a->b', t: [0, 1], v: [0, 5] },
      { name: 'queue:c->d', t: [0, 1], v: [9, 0] },
      { name: 'flow:3:deliveredBytes', t: [0], v: [0] },
      { name: 'flow:3:rateGbps', t: [0], v: [100] },
      { name: 'other', t: [], v: [] },
    ]);
    expect(idx.queues).toEqual(['queue:c->d', 'queue:a->b']);
    expect([...idx.flows]).toEqual([[3, ['deliveredBytes', 'rateGbps']]]);
  });

  it('throughput from delivered bytes: Gb/s per interval at the interval end', () => {
    // 1 µs = 1e6 ps; 12,500 bytes in 1 µs = 100 Gb/s.
    expect(T.throughputGbps([0, 1e6, 2e6, 2e6], [0, 12_500, 12_500, 99])).toEqual([
      { x: 1, y: 100 },
      { x: 2, y: 0 },
    ]);
  });

  it('seriesPoints converts ps to µs and scales values', () => {
    expect(T.seriesPoints({ name: 'q', t: [0, 5e6], v: [1000, 2000] }, 1e-3)).toEqual([
      { x: 0, y: 1 },
      { x: 5, y: 2 },
    ]);
  });
});

describe('pause replay', () => {
  const iv = (port: number, startPs: number, endPs: number, rootPort: number): PauseInterval => ({
    node: 'n',
    peer: 'p',
    port,
    priority: 3,
    startPs,
    endPs,
    causePort: rootPort,
    rootPort,
  });
  const intervals = [iv(4, 10, 30, 9), iv(6, 20, -1, 9), iv(8, 25, 26, -1)];

  it('pausedAt: edges whose interval covers t (start inclusive, end exclusive, open = still paused)', () => {
    expect([...T.pausedAt(intervals, 5)]).toEqual([]);
    expect([...T.pausedAt(intervals, 10)]).toEqual([[4, 9]]);
    expect([...T.pausedAt(intervals, 25)]).toEqual([
      [4, 9],
      [6, 9],
      [8, -1],
    ]);
    expect([...T.pausedAt(intervals, 30)]).toEqual([[6, 9]]);
    expect([...T.pausedAt(intervals, 1e9)]).toEqual([[6, 9]]);
  });

  it('pausedCountSeries is the step count of paused edges', () => {
    const s = T.pausedCountSeries(intervals, 40e6 + 0).map((p) => [p.x * 1e6, p.y]);
    expect(s).toEqual([
      [0, 0],
      [10, 1],
      [20, 2],
      [25, 3],
      [26, 2],
      [30, 1],
      [40e6, 1],
    ]); // port 6 never resumed
  });
});

describe('snapshots', () => {
  it('round-trips through one transferable buffer', () => {
    const s = allocSnapshot(5);
    s.queueBytes.set([0, 1500, 0, 3e6, 7]);
    s.util.set([0, 0.5, 1, 0.25, 0]);
    s.paused.set([0, 8, 0, 8, 0]);
    s.cause.set([-1, 3, -1, 6, -1]);
    s.root.set([-1, 6, -1, 6, -1]);
    writeHeader(s.buffer, {
      portCount: 5,
      simTimePs: 123e6,
      events: 4567,
      flowsDone: 2,
      flowsTotal: 9,
      intervalPs: 33e6,
      kind: 1,
      tapeDtPs: 200_000,
    });
    const copy = structuredClone(s.buffer, { transfer: [s.buffer] });
    const d = decodeSnapshot(copy);
    expect(d).toMatchObject({
      portCount: 5,
      simTimePs: 123e6,
      events: 4567,
      flowsDone: 2,
      flowsTotal: 9,
      intervalPs: 33e6,
      kind: 1,
      tapeDtPs: 200_000,
    });
    expect([...d.queueBytes]).toEqual([0, 1500, 0, 3e6, 7]);
    expect([...d.util]).toEqual([0, 0.5, 1, 0.25, 0]);
    expect([...d.paused]).toEqual([0, 8, 0, 8, 0]);
    expect([...d.root]).toEqual([-1, 6, -1, 6, -1]);
    expect([...treesOf(d)]).toEqual([[6, [1, 3]]]);
  });

  it('rejects buffers that are not snapshots', () => {
    expect(() => decodeSnapshot(new ArrayBuffer(8))).toThrow(/too short/);
    expect(() => decodeSnapshot(new ArrayBuffer(128))).toThrow(/magic/);
    const s = allocSnapshot(3);
    expect(() => decodeSnapshot(s.buffer.slice(0, s.buffer.byteLength - 8))).toThrow(/size/);
  });

  it('live sampler on a running RoCE incast: paused ports, a root that is not paused, utilisation within line rate plus a frame', () => {
    const s = buildSimulation(scenario('incast-roce'));
    const sampler = new LiveSampler(s);
    sampler.snapshot();
    s.sim.run(s.fabric, { timeLimitPs: 60e6, maxEvents: Infinity });
    const d = decodeSnapshot(sampler.snapshot());
    expect(d.simTimePs).toBe(60e6);
    expect(d.intervalPs).toBe(60e6);
    const trees = treesOf(d);
    expect(trees.size).toBeGreaterThan(0);
    for (const [root, edges] of trees) {
      expect(root).toBeGreaterThanOrEqual(0);
      expect(d.paused[root] & 0x3f).toBe(0); // a root's own queue is not paused
      expect(edges.length).toBeGreaterThan(0);
    }
    const names = portNames(s.fabric.graph);
    expect([...trees.keys()].map((r) => names[r])).toContain('leaf0->h0');
    // At most line rate plus the one frame whose transmission started in the window (a wire frame
    // is at most a 9,216-byte jumbo payload plus ~100 bytes of headers, preamble and gap).
    for (let p = 0; p < d.util.length; p++) {
      const bound = 1 + (9316 * 8e12) / (s.fabric.rateBps[p] * d.intervalPs);
      expect(d.util[p] >= 0 && d.util[p] <= bound).toBe(true);
    }
    expect(Math.max(...d.util)).toBeGreaterThan(0.5);
    expect(Math.max(...d.queueBytes)).toBeGreaterThan(0);
  });

  it('flowPath runs from the source NIC to the destination’s switch port', () => {
    const s = buildSimulation(scenario('victim-flow'));
    const p = flowPath(s, 20); // h12 → h17
    const names = portNames(s.fabric.graph);
    expect(names[p[0]]).toBe('h12->leaf1');
    expect(names[p[p.length - 1]]).toBe('leaf2->h17');
    expect(p.length).toBe(4);
  });
});

describe('live run loop', () => {
  it('a paced, paused, stepped and resumed run ends in the same result as runScenario', {
    tags: ['slow'],
  }, async () => {
    const sc = scenario('incast-roce');
    const want = T.resultDigest(runScenario(sc));
    const s = buildSimulation(sc);
    const c = newControl({ speedUsPerSec: Infinity, startPaused: true });
    c.sim = s.sim;
    const snaps: number[] = [];
    const done = runLive(s, c, { speedUsPerSec: Infinity, sliceEvents: 1000, snapshotHz: 1000 }, (b) =>
      snaps.push(decodeSnapshot(b).simTimePs),
    );
    await new Promise((r) => setTimeout(r, 5));
    // Two single steps of 7 µs, then a paced stretch, then flat out.
    for (const k of [1, 2]) {
      c.stepUntilPs = k * 7e6;
      c.wake?.();
      for (let i = 0; i < 200 && (c.stepUntilPs !== 0 || c.wake === null); i++)
        await new Promise((r) => setTimeout(r, 2));
      expect(s.sim.now).toBe(k * 7e6);
    }
    c.speed = 20_000; // 20 µs of simulated time per wall ms
    c.paused = false;
    c.simAnchorPs = s.sim.now;
    c.wallAnchorMs = performance.now();
    c.wake?.();
    await new Promise((r) => setTimeout(r, 5));
    c.speed = Infinity;
    const reason = await done;
    s.fabric.finishPauses();
    const got = collectResult(s, reason);
    expect(T.resultDigest(got)).toBe(want);
    expect(snaps[0]).toBe(0);
    expect(snaps).toContain(7e6); // a snapshot at the end of each step
    expect(snaps).toContain(14e6);
    for (let i = 1; i < snaps.length; i++) expect(snaps[i]).toBeGreaterThanOrEqual(snaps[i - 1]);
  });

  it('a paced run ends when its flows do: the empty time up to the stall watchdog is not paced', async () => {
    // incast-roce's flows finish at about 0.7 ms, its watchdog event lies at 1 s (stop.stallUs).
    // At 20 µs of simulated time per wall ms, pacing up to the watchdog would take 50 s (beyond
    // the test's timeout); the flows themselves take some 40 ms.
    const sc = scenario('incast-roce');
    const want = runScenario(sc);
    const s = buildSimulation(sc);
    const c = newControl({ speedUsPerSec: 20_000 });
    c.sim = s.sim;
    const snaps: number[] = [];
    const reason = await runLive(s, c, { speedUsPerSec: 20_000, sliceEvents: 1000 }, (b) =>
      snaps.push(decodeSnapshot(b).simTimePs),
    );
    s.fabric.finishPauses();
    const got = collectResult(s, reason);
    expect(got.meta.stopReason).toBe('allFlowsDone');
    expect(T.resultDigest(got)).toBe(T.resultDigest(want));
    // The last picture is of the moment the last flow finished, not of the drained fabric at 1 s.
    expect(snaps[snaps.length - 1]).toBe(want.meta.simTimePs);
  });

  it('cancel ends the run between slices', async () => {
    const s = buildSimulation(scenario('victim-flow'));
    const c = newControl({ speedUsPerSec: Infinity });
    c.sim = s.sim;
    const done = runLive(s, c, { speedUsPerSec: Infinity, sliceEvents: 2000 }, () => {});
    await new Promise((r) => setTimeout(r, 20));
    c.cancelled = true;
    expect(await done).toBe('cancelled');
    expect(s.flows.doneCount).toBeLessThan(s.flows.count);
  });
});

describe('identity and export', () => {
  const r = runScenario(scenario('dumbbell'));

  it('resultDigest ignores meta.wallMs only', () => {
    const a = T.resultDigest(r);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(T.resultDigest({ ...r, meta: { ...r.meta, wallMs: 1234 } })).toBe(a);
    expect(T.resultDigest({ ...r, meta: { ...r.meta, events: r.meta.events + 1 } })).not.toBe(a);
    expect(T.resultDigest(JSON.parse(JSON.stringify(r)) as Result)).toBe(a);
  });

  it('flows CSV: a header and one row per flow and variant, cells quoted when needed', () => {
    const csv = T.flowsCsv([{ name: 'a,"b"', result: r }]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('variant,flow,src,dst,sizeBytes,startUs,fctUs,idealFctUs,slowdown,retransmits');
    expect(lines).toHaveLength(1 + r.flows.length);
    expect(lines[1].startsWith('"a,""b""",0,0,2,2000000,')).toBe(true);
  });

  it('share links round-trip the YAML exactly (deflated, and plain)', async () => {
    const text = `${readFileSync('scenarios/incast-roce-vs-uet.yaml', 'utf8')}\n# ünïcödé → ✓\n`;
    const h = await T.encodeShare(text);
    expect(h.startsWith('#z=')).toBe(true);
    expect(h.slice(3)).toMatch(/^[A-Za-z0-9_-]+$/); // URL-safe, no padding
    expect(await T.decodeShare(h)).toBe(text);
    expect(await T.decodeShare(`#yaml=${Buffer.from('seed: 1').toString('base64url')}`)).toBe('seed: 1');
    expect(await T.decodeShare('#other')).toBeNull();
    expect(await T.decodeShare('#z=!!!')).toBeNull();
  });
});

describe('layered layout', () => {
  it('puts hosts at the bottom, spines at the top, leaves above their hosts; two lanes per link', () => {
    const g = buildLeafSpine(
      { kind: 'leafSpine', leaves: 2, spines: 2, hostsPerLeaf: 2 } as never,
      { host: { rateGbps: 100, delayNs: 1000 } } as never,
    );
    const L = layoutTopology(g, 400, 200);
    const y = (name: string) => L.nodes.find((n) => n.name === name)!.y;
    const x = (name: string) => L.nodes.find((n) => n.name === name)!.x;
    expect(y('h0')).toBeGreaterThan(y('leaf0'));
    expect(y('leaf0')).toBeGreaterThan(y('spine0'));
    expect(x('leaf0')).toBeGreaterThan(x('h0'));
    expect(x('leaf0')).toBeLessThan(x('h2'));
    expect(L.ports).toHaveLength(2 * g.links.length);
    expect(L.ports.map((p) => p.port)).toEqual([...Array(2 * g.links.length).keys()]);
    expect(portNames(g).slice(0, 2)).toEqual(['h0->leaf0', 'leaf0->h0']);
  });
});
