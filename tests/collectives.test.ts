import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../sim/engine/random.ts';
import { WorkloadSchema, type Scenario } from '../sim/scenario/schema.ts';
import { buildWorkload, type FlowSpec } from '../sim/workload/index.ts';
import { btreeParents, dbtParents } from '../sim/workload/collectives/algorithms.ts';
import { runScenario } from '../sim/run/run.ts';
import { scenario } from './helpers/scenario.ts';

const MiB = 1 << 20;
const wl = (x: unknown): Scenario['workload'] => WorkloadSchema.parse(x);
const build = (w: unknown, hosts = 8) => buildWorkload(wl(w), hosts, 400e9, new RandomStreams(1));

/** Bytes each host sends, and the number of transfers it makes. */
function perRank(flows: FlowSpec[], n: number) {
  const bytes = Array(n).fill(0);
  const sends = Array(n).fill(0);
  for (const f of flows) {
    bytes[f.src] += f.sizeBytes;
    sends[f.src]++;
  }
  return { bytes, sends };
}

/** The longest chain of dependent transfers (counted in transfers). */
function longestChain(flows: FlowSpec[]): number {
  const depth: number[] = [];
  flows.forEach((f, i) => {
    depth[i] = 1 + Math.max(0, ...(f.deps ?? []).map((d) => depth[d]));
  });
  return Math.max(...depth);
}

describe('collectives as transfers (docs/reference/collectives.md §1, §5: n = 8, S = 1 MiB)', () => {
  it('ring all-reduce: 2(n−1) sends of S/n per rank to the next rank', () => {
    const { flows, jobs } = build({ kind: 'collective', op: 'allReduce', sizeBytes: MiB, ranks: 8 });
    const { bytes, sends } = perRank(flows, 8);
    expect(sends).toEqual(Array(8).fill(14));
    expect(bytes).toEqual(Array(8).fill(1_835_008));
    expect(flows.every((f) => f.sizeBytes === 131_072 && f.dst === (f.src + 1) % 8)).toBe(true);
    expect(longestChain(flows)).toBe(14);
    expect(jobs[0].ops[0].levels).toBe(14);
  });

  it('recursive halving-doubling all-reduce: 2·log2 n steps of S/2, S/4, S/8, S/8, S/4, S/2 per rank', () => {
    const { flows } = build({
      kind: 'collective',
      op: 'allReduce',
      algorithm: 'halvingDoubling',
      sizeBytes: MiB,
      ranks: 8,
    });
    for (let r = 0; r < 8; r++) {
      const mine = flows.filter((f) => f.src === r);
      expect(mine.map((f) => f.sizeBytes)).toEqual([524_288, 262_144, 131_072, 131_072, 262_144, 524_288]);
      // partners at distance 1, 2, 4, then 4, 2, 1 (MPICH starts at distance 1)
      expect(mine.map((f) => f.dst ^ r)).toEqual([1, 2, 4, 4, 2, 1]);
      expect(mine.map((f) => f.step)).toEqual([0, 1, 2, 3, 4, 5]);
    }
    expect(perRank(flows, 8).bytes).toEqual(Array(8).fill(1_835_008));
    expect(longestChain(flows)).toBe(6);
  });

  it('halving-doubling with n not a power of two folds the first 2r ranks (n = 6: r = 2)', () => {
    const { flows } = build(
      { kind: 'collective', op: 'allReduce', algorithm: 'halvingDoubling', sizeBytes: MiB, ranks: 6 },
      6,
    );
    const { bytes, sends } = perRank(flows, 6);
    // even ranks 0, 2 send S to their odd neighbour and are out; odd 1, 3 and ranks 4, 5 run the
    // 4-rank core (S/2 + S/4 + S/4 + S/2 = 1.5 S); 1 and 3 send the result back (S).
    expect(bytes).toEqual([MiB, 2.5 * MiB, MiB, 2.5 * MiB, 1.5 * MiB, 1.5 * MiB]);
    expect(sends).toEqual([1, 5, 1, 5, 4, 4]);
    // (2⌊log2 n⌋ + 2) steps on the longest chain
    expect(longestChain(flows)).toBe(6);
  });

  it("NCCL's binary trees: tree 0 as trees.cc, tree 1 its mirror", () => {
    // 0 → 4; 4 → 2, 6; 2 → 1, 3; 6 → 5, 7 (trees.cc illustration)
    expect(btreeParents(8)).toEqual([-1, 2, 4, 2, 0, 6, 4, 6]);
    // tree 1: r ↦ 7 − r, so 7 → 3; 3 → 5, 1; 5 → 6, 4; 1 → 2, 0
    expect(dbtParents(8, 1)).toEqual([1, 3, 1, 7, 5, 3, 5, -1]);
    // 14 ranks (trees.cc's picture): 12's right child is 13 (offset halved), 13's parent 12
    const p14 = btreeParents(14);
    expect(p14[13]).toBe(12);
    expect(p14[12]).toBe(8);
    expect(p14[8]).toBe(0);
  });

  it('double binary tree all-reduce: per tree and chunk 2(m−1) transfers of S/2; ranks interior in one tree send 2S', () => {
    const { flows } = build({
      kind: 'collective',
      op: 'allReduce',
      algorithm: 'doubleBinaryTree',
      sizeBytes: MiB,
      ranks: 8,
    });
    expect(flows).toHaveLength(2 * 2 * 7);
    expect(flows.every((f) => f.sizeBytes === MiB / 2)).toBe(true);
    // Tree 0: rank 0 is the root with one child, interior 4, 2, 6; tree 1 mirrors it (root 7).
    // A rank sends S/2 up where it is not the root, and S/2 to each child: roots 0 and 7 send
    // S/2 (one child) + S/2 (leaf in the other tree); every other rank 2S.
    const { bytes } = perRank(flows, 8);
    expect(bytes).toEqual([MiB, 2 * MiB, 2 * MiB, 2 * MiB, 2 * MiB, 2 * MiB, 2 * MiB, MiB]);
    // depth 3: up 3 transfers, down 3
    expect(longestChain(flows)).toBe(6);
    // chunked: 4 chunks pipeline, each waiting on the previous chunk's same transfer
    const c = build({
      kind: 'collective',
      op: 'allReduce',
      algorithm: 'doubleBinaryTree',
      sizeBytes: MiB,
      ranks: 8,
      chunks: 4,
    }).flows;
    expect(c).toHaveLength(4 * 28);
    expect(longestChain(c)).toBe(6 + 3);
  });

  it('reduce-scatter, all-gather, all-to-all: (n−1) S/n per rank; direct all-to-all has no dependencies', () => {
    for (const w of [
      { op: 'reduceScatter' },
      { op: 'allGather' },
      { op: 'reduceScatter', algorithm: 'halvingDoubling' },
      { op: 'allGather', algorithm: 'halvingDoubling' },
      { op: 'allToAll', algorithm: 'pairwise' },
      { op: 'allToAll', algorithm: 'direct' },
    ]) {
      const { flows } = build({ kind: 'collective', sizeBytes: MiB, ranks: 8, ...w });
      expect(perRank(flows, 8).bytes, JSON.stringify(w)).toEqual(Array(8).fill(917_504));
      if (w.algorithm === 'direct') expect(flows.every((f) => f.deps === undefined)).toBe(true);
      else expect(longestChain(flows), JSON.stringify(w)).toBe(w.algorithm === 'halvingDoubling' ? 3 : 7);
    }
    const a2a = build({ kind: 'collective', op: 'allToAll', sizeBytes: MiB, ranks: 8 }).flows;
    for (let r = 0; r < 8; r++) expect(new Set(a2a.filter((f) => f.src === r).map((f) => f.dst)).size).toBe(7);
  });

  it('broadcast: a chain of n−1 sends of S (pipelined by chunks), or a binomial tree where the root sends ⌈log2 n⌉ S', () => {
    const chain = build({ kind: 'collective', op: 'broadcast', sizeBytes: MiB, ranks: 8, root: 3 }).flows;
    expect(chain).toHaveLength(7);
    expect(chain[0].src).toBe(3);
    expect(perRank(chain, 8).bytes[2]).toBe(0); // the rank before the root only receives
    const piped = build({ kind: 'collective', op: 'broadcast', sizeBytes: MiB, ranks: 8, chunks: 8 }).flows;
    expect(longestChain(piped)).toBe(7 + 7); // n − 2 + K transfers after the first
    const bin = build({ kind: 'collective', op: 'broadcast', algorithm: 'binomial', sizeBytes: MiB, ranks: 8 }).flows;
    expect(perRank(bin, 8).bytes[0]).toBe(3 * MiB);
    expect(bin).toHaveLength(7);
  });

  it('channels split the data into parallel replicas; a hierarchical form runs among same-local-index ranks on S/m', () => {
    const ch = build({ kind: 'collective', op: 'allReduce', sizeBytes: MiB, ranks: 8, channels: 4 }).flows;
    expect(ch).toHaveLength(4 * 14 * 8);
    expect(perRank(ch, 8).bytes).toEqual(Array(8).fill(1_835_008));
    const { flows, jobs } = build({
      kind: 'collective',
      op: 'allReduce',
      sizeBytes: MiB,
      ranks: 8,
      hierarchy: { gpusPerNode: 4, intraDelayUs: 3 },
    });
    // 4 rings of 2 ranks (0–4, 1–5, 2–6, 3–7), each all-reducing S/4: 2 sends of S/8 a rank
    expect(flows).toHaveLength(4 * 2 * 2);
    expect(flows.every((f) => Math.abs(f.dst - f.src) === 4 && f.sizeBytes === MiB / 8)).toBe(true);
    expect(jobs[0].ops[0].headPs).toBe(3e6);
    expect(jobs[0].ops[0].tailPs).toBe(3e6);
    // the first transfers wait the intra-node reduce-scatter
    expect(flows.filter((f) => f.step === 0).every((f) => f.startPs === 3e6)).toBe(true);
  });

  it('placement: contiguous, strided, random (seeded), rail-aligned, explicit', () => {
    const hostsOf = (p: object, hosts = 32) =>
      buildWorkload(
        wl({ kind: 'collective', op: 'allReduce', sizeBytes: MiB, ...p }),
        hosts,
        400e9,
        new RandomStreams(1),
        undefined,
        Array.from({ length: hosts }, (_, h) => 100 + Math.floor(h / 8)), // 4 leaves of 8 hosts
      ).jobs[0].hosts;
    expect(hostsOf({ ranks: 4, firstHost: 2 })).toEqual([2, 3, 4, 5]);
    expect(hostsOf({ ranks: 4, placement: 'strided' })).toEqual([0, 8, 16, 24]);
    expect(hostsOf({ ranks: 4, placement: 'strided', stride: 3, firstHost: 1 })).toEqual([1, 4, 7, 10]);
    const r = hostsOf({ ranks: 6, placement: 'random' });
    expect(new Set(r).size).toBe(6);
    expect(hostsOf({ ranks: 6, placement: 'random' })).toEqual(r);
    // 3 nodes of 4 GPUs: local rank j of every node on leaf j
    expect(hostsOf({ ranks: 12, placement: 'railAligned', gpusPerNode: 4 })).toEqual([
      0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26,
    ]);
    expect(hostsOf({ hosts: [5, 3, 9] })).toEqual([5, 3, 9]);
    expect(() => hostsOf({ ranks: 4, firstHost: 30 })).toThrow(/firstHost: 4 contiguous ranks from host 30/);
    expect(() => hostsOf({ ranks: 40, placement: 'railAligned', gpusPerNode: 4 })).toThrow(/ranks: expected 1 to 32/);
    expect(() => hostsOf({ ranks: 8, algorithm: 'pairwise' })).toThrow(/algorithm: allReduce takes one of: ring/);
  });
});

describe('ring all-reduce bus bandwidth alone on a non-blocking fabric', () => {
  // One switch (non-blocking), 4 ranks at 400 Gb/s, 1 µs links. nccl-tests: busbw =
  // S/t × 2(n−1)/n. Each of the 2(n−1) steps costs one transfer's latency (≈ 4.5 µs: four link
  // delays and the ACK) besides its bytes, so the sizes are large enough for that to be < 3 %. The ideal for the packet size is the payload share of the wire at line
  // rate: MTU / (MTU + headers + 20 B preamble and gap), by hand:
  //   RoCE: 4096 / (4096 + 62 + 20) = 0.98037 → 49.019 GB/s
  //   UET:  4096 / (4096 + 64 + 20) = 0.97990 → 48.995 GB/s
  const ideal = { roce: (50 * 4096) / 4178, uet: (50 * 4096) / 4180 };
  for (const kind of ['roce', 'uet'] as const)
    for (const sizeBytes of [32_000_000, 64_000_000])
      it(`${kind}, ${sizeBytes / 1e6} MB: busbw within 5 % of ${ideal[kind].toFixed(3)} GB/s`, () => {
        const r = runScenario(
          scenario({
            topology: { kind: 'star', hosts: 4 },
            links: { host: { rateGbps: 400, delayNs: 1000 } },
            transport: { kind },
            workload: { kind: 'collective', op: 'allReduce', sizeBytes },
          }),
        );
        const c = r.jobs![0].collectives[0];
        const busbw = (sizeBytes / (c.timePs / 1e12) / 1e9) * ((2 * 3) / 4);
        expect(c.busbwGBps).toBeCloseTo(busbw, 9);
        expect(busbw / ideal[kind]).toBeGreaterThan(0.95);
        expect(busbw / ideal[kind]).toBeLessThanOrEqual(1);
        // every step ran, none before the transfers it waits on had finished
        const end = new Map(r.flows.map((f) => [`${f.src}:${f.step}`, f.startPs + f.fctPs]));
        for (const f of r.flows) {
          expect(f.fctPs).toBeGreaterThan(0);
          if (f.step! > 0) expect(f.startPs).toBeGreaterThanOrEqual(end.get(`${(f.src + 3) % 4}:${f.step! - 1}`)!);
        }
      });
});
