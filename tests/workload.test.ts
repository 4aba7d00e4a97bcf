import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../sim/engine/random.ts';
import { WorkloadSchema, type Scenario } from '../sim/scenario/schema.ts';
import { bundledCdfs } from '../sim/workload/bundledCdfs.ts';
import { BUNDLED_CDF_NAMES, buildFlows, cdfMean, loadCdf, parseCdf, sampleCdf } from '../sim/workload/index.ts';

const wl = (x: unknown): Scenario['workload'] => WorkloadSchema.parse(x);
const flowsOf = (w: unknown, hosts = 32, seed = 1, readText?: (p: string) => string) =>
  buildFlows(wl(w), hosts, 100e9, new RandomStreams(seed), readText);

describe('workload generators', () => {
  it('permutation: a derangement, deterministic per seed, different across seeds', () => {
    const a = flowsOf({ kind: 'permutation', sizeBytes: 1000, startNs: 2 }, 64, 7);
    expect(a.length).toBe(64);
    expect(a.map((f) => f.src)).toEqual([...Array(64).keys()]);
    expect(new Set(a.map((f) => f.dst)).size).toBe(64);
    for (const f of a) {
      expect(f.dst).not.toBe(f.src);
      expect(f.sizeBytes).toBe(1000);
      expect(f.startPs).toBe(2000);
    }
    expect(flowsOf({ kind: 'permutation', sizeBytes: 1000 }, 64, 7).map((f) => f.dst)).toEqual(a.map((f) => f.dst));
    expect(flowsOf({ kind: 'permutation', sizeBytes: 1000 }, 64, 8).map((f) => f.dst)).not.toEqual(a.map((f) => f.dst));
    // two hosts: the only derangement is the swap
    expect(flowsOf({ kind: 'permutation', sizeBytes: 1 }, 2).map((f) => f.dst)).toEqual([1, 0]);
  });

  it('incast: count and explicit senders', () => {
    const a = flowsOf({ kind: 'incast', senders: 15, receiver: 3, sizeBytes: 4096, startNs: 1.5 });
    expect(a.length).toBe(15);
    expect(a.map((f) => f.src)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(a.every((f) => f.dst === 3 && f.startPs === 1500 && f.sizeBytes === 4096)).toBe(true);
    const b = flowsOf({ kind: 'incast', senders: [5, 9, 30], sizeBytes: 10 });
    expect(b.map((f) => [f.src, f.dst])).toEqual([
      [5, 0],
      [9, 0],
      [30, 0],
    ]);
    expect(() => flowsOf({ kind: 'incast', senders: 32, sizeBytes: 10 })).toThrow(
      /workload\.senders: 32 senders need 33 hosts/,
    );
    expect(() => flowsOf({ kind: 'incast', senders: [1, 0], sizeBytes: 10 })).toThrow(
      'workload.senders.1: host 0 is the receiver',
    );
    expect(() => flowsOf({ kind: 'incast', senders: 3, receiver: 32, sizeBytes: 10 })).toThrow(
      'workload.receiver: host 32 does not exist (hosts 0..31)',
    );
  });

  it('all-to-all: n(n-1) ordered pairs, optionally over a subset', () => {
    const a = flowsOf({ kind: 'allToAll', sizeBytes: 100 }, 16);
    expect(a.length).toBe(16 * 15);
    expect(new Set(a.map((f) => `${f.src}>${f.dst}`)).size).toBe(240);
    expect(a.every((f) => f.src !== f.dst)).toBe(true);
    const b = flowsOf({ kind: 'allToAll', sizeBytes: 100, hosts: [2, 4, 6] }, 16);
    expect(b.map((f) => [f.src, f.dst])).toEqual([
      [2, 4],
      [2, 6],
      [4, 2],
      [4, 6],
      [6, 2],
      [6, 4],
    ]);
    expect(() => flowsOf({ kind: 'allToAll', sizeBytes: 1, hosts: [1, 2, 1] })).toThrow(
      'workload.hosts.2: host 1 is listed twice',
    );
  });

  it('flow list: invalid host index and self-flows name the path', () => {
    const flows = [
      { src: 0, dst: 1, sizeBytes: 5 },
      { src: 1, dst: 2, sizeBytes: 5 },
      { src: 3, dst: 40, sizeBytes: 5 },
    ];
    expect(() => flowsOf({ kind: 'flows', flows })).toThrow(
      'workload.flows.2.dst: host 40 does not exist (hosts 0..31)',
    );
    expect(() =>
      flowsOf([
        { kind: 'permutation', sizeBytes: 1 },
        { kind: 'flows', flows },
      ]),
    ).toThrow('workload.1.flows.2.dst: host 40 does not exist (hosts 0..31)');
    expect(() => flowsOf({ kind: 'flows', flows: [{ src: 4, dst: 4, sizeBytes: 5 }] })).toThrow(
      'workload.flows.0: src and dst are both host 4',
    );
  });

  it('a list is concatenated and stably sorted by start time', () => {
    const f = flowsOf([
      {
        kind: 'flows',
        flows: [
          { src: 0, dst: 1, sizeBytes: 1, startNs: 10 },
          { src: 2, dst: 3, sizeBytes: 2, startNs: 5 },
        ],
      },
      { kind: 'incast', senders: [4, 5], receiver: 6, sizeBytes: 3, startNs: 5 },
      { kind: 'flows', flows: [{ src: 7, dst: 8, sizeBytes: 4, startNs: 0 }] },
    ]);
    expect(f.map((x) => x.sizeBytes)).toEqual([4, 2, 3, 3, 1]);
    expect(f.map((x) => x.src)).toEqual([7, 2, 4, 5, 0]);
    // a second permutation in one list draws from its own stream
    const two = flowsOf(
      [
        { kind: 'permutation', sizeBytes: 1 },
        { kind: 'permutation', sizeBytes: 2 },
      ],
      64,
    );
    expect(two.filter((x) => x.sizeBytes === 1).map((x) => x.dst)).not.toEqual(
      two.filter((x) => x.sizeBytes === 2).map((x) => x.dst),
    );
  });
});

describe('flow-size CDFs', () => {
  it('embedded CDF text equals the files in scenarios/workloads', () => {
    expect(BUNDLED_CDF_NAMES.slice().sort()).toEqual(['alistorage2019', 'fb_hadoop', 'googlerpc2008', 'websearch']);
    for (const name of BUNDLED_CDF_NAMES) {
      expect(bundledCdfs[name]).toBe(
        readFileSync(new URL(`../scenarios/workloads/${name}.cdf`, import.meta.url), 'utf8'),
      );
    }
  });

  it('means match HPCC custom_rand.getAvg (physics.md §5.1)', () => {
    expect(Math.abs(cdfMean('websearch') / 1_711_250 - 1)).toBeLessThan(1e-3);
    expect(Math.abs(cdfMean('fb_hadoop') / 120_420.8 - 1)).toBeLessThan(1e-3);
    expect(Math.abs(cdfMean('alistorage2019') / 40_869.8 - 1)).toBeLessThan(1e-3);
    expect(Math.abs(cdfMean('googlerpc2008') / 2_891.6 - 1)).toBeLessThan(1e-3);
  });

  it('samples by linear interpolation, truncated, at least 1 byte', () => {
    const c = parseCdf('0 0\n100 50\n300 100\n', 'test');
    expect(sampleCdf(c, 0)).toBe(1);
    expect(sampleCdf(c, 0.25)).toBe(50);
    expect(sampleCdf(c, 0.505)).toBe(102);
    expect(sampleCdf(c, 0.999999)).toBe(299);
    expect(cdfMean(c)).toBe(125);
    expect(() => parseCdf('0 0\n10 50\n', 'x.cdf')).toThrow(/x\.cdf: the last point must be at 100/);
    expect(() => parseCdf('0 0\n10 60\n20 50\n30 100', 'x.cdf')).toThrow(
      /x\.cdf:3: sizes and percents must not decrease/,
    );
  });

  it('file CDFs go through readText; without it the error names the path', () => {
    const files: Record<string, string> = { 'my.cdf': '0 0\n1000 100\n' };
    const c = loadCdf('my.cdf', (p) => files[p]);
    expect(cdfMean(c)).toBe(500);
    const w = { kind: 'poisson', cdf: 'my.cdf', load: 0.5, durationUs: 100 };
    expect(flowsOf(w, 4, 1, (p) => files[p]).every((f) => f.sizeBytes >= 1 && f.sizeBytes <= 1000)).toBe(true);
    expect(() => flowsOf(w, 4)).toThrow(/workload\.cdf: "my\.cdf" is not a bundled CDF/);
  });
});

describe('poisson', () => {
  it('offered load within 5 % of target; destinations in the set, never the source', () => {
    const hosts = 32;
    const rate = 100e9;
    const durationUs = 200_000; // ≈ 730 arrivals per host at websearch / 50 % (mean gap 273.8 µs)
    const flows = buildFlows(
      wl({ kind: 'poisson', cdf: 'websearch', load: 0.5, durationUs, startNs: 1000 }),
      hosts,
      rate,
      new RandomStreams(3),
    );
    expect(flows.length).toBeGreaterThan(20_000);
    let bytes = 0;
    let bad = 0;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i];
      bytes += f.sizeBytes;
      if (f.src === f.dst || f.dst < 0 || f.dst >= hosts || !Number.isInteger(f.sizeBytes) || f.sizeBytes < 1) bad++;
      if (f.startPs < 1_000_000 || f.startPs >= 1_000_000 + durationUs * 1e6) bad++;
      if (i > 0 && f.startPs < flows[i - 1].startPs) bad++;
    }
    expect(bad).toBe(0);
    const offered = (bytes * 8) / (hosts * rate * durationUs * 1e-6);
    expect(Math.abs(offered / 0.5 - 1)).toBeLessThan(0.05);
    // arrival count: per host ≈ duration / mean gap
    const expectedCount = hosts * (durationUs / 273.8);
    expect(Math.abs(flows.length / expectedCount - 1)).toBeLessThan(0.03);
  });

  it('is deterministic per seed; host subsets; per-host streams', () => {
    const w = { kind: 'poisson', cdf: 'fb_hadoop', load: 0.3, durationUs: 500, hosts: [1, 5, 9] };
    const a = flowsOf(w, 16, 11);
    expect(a.length).toBeGreaterThan(10);
    expect(flowsOf(w, 16, 11)).toEqual(a);
    expect(flowsOf(w, 16, 12)).not.toEqual(a);
    for (const f of a) {
      expect([1, 5, 9]).toContain(f.src);
      expect([1, 5, 9]).toContain(f.dst);
    }
    // host 5's flows do not depend on which other hosts are in the set
    const only5 = (fs: typeof a) => fs.filter((f) => f.src === 5).map((f) => [f.startPs, f.sizeBytes]);
    expect(only5(flowsOf({ ...w, hosts: [5, 9, 1] }, 16, 11))).toEqual(only5(a));
    expect(() => flowsOf({ ...w, hosts: [1, 99] }, 16)).toThrow(
      'workload.hosts.1: host 99 does not exist (hosts 0..15)',
    );
  });
});
