import { describe, expect, it } from 'vitest';
import { buildTopology, oversubscription, type TopologyGraph } from '../sim/topology/index.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import fc from 'fast-check';
import { ecmpHash, ecmpIndex } from '../sim/net/routing.ts';

const host = { rateGbps: 400, delayNs: 1000 };
const links = (over: Partial<Scenario['links']> = {}): Scenario['links'] => ({ host, ...over });

function adjacency(g: TopologyGraph): number[][] {
  const adj: number[][] = Array.from({ length: g.nodeCount }, () => []);
  for (const l of g.links) {
    adj[l.a].push(l.b);
    adj[l.b].push(l.a);
  }
  return adj;
}

/** Structural invariants every builder must keep (sim/topology/graph.ts conventions). */
function checkInvariants(g: TopologyGraph): void {
  expect(g.nodeTier.length).toBe(g.nodeCount);
  expect(g.nodeNames.length).toBe(g.nodeCount);
  expect(g.nodeColumn.length).toBe(g.nodeCount);
  expect(new Set(g.nodeNames).size).toBe(g.nodeCount);
  for (let n = 0; n < g.nodeCount; n++) expect(g.nodeTier[n] === 0).toBe(n < g.hostCount);
  const adj = adjacency(g);
  // every host has exactly one link, to a switch
  for (let h = 0; h < g.hostCount; h++) {
    expect(adj[h].length).toBe(1);
    expect(adj[h][0]).toBeGreaterThanOrEqual(g.hostCount);
    expect(g.nodeNames[h]).toBe(`h${h}`);
  }
  for (const l of g.links) {
    expect(l.a).not.toBe(l.b);
    expect(Number.isInteger(l.delayPs)).toBe(true);
  }
  // columns are 0..count-1 within each tier
  const perTier = new Map<number, number[]>();
  for (let n = 0; n < g.nodeCount; n++) {
    const t = g.nodeTier[n];
    if (!perTier.has(t)) perTier.set(t, []);
    perTier.get(t)!.push(g.nodeColumn[n]);
  }
  for (const cols of perTier.values()) expect([...cols].sort((a, b) => a - b)).toEqual(cols.map((_, i) => i));
  // BFS from any host reaches every host
  for (const start of [0, g.hostCount - 1, g.hostCount >> 1]) {
    const seen = new Uint8Array(g.nodeCount);
    const q = [start];
    seen[start] = 1;
    while (q.length)
      for (const m of adj[q.pop()!])
        if (!seen[m]) {
          seen[m] = 1;
          q.push(m);
        }
    for (let h = 0; h < g.hostCount; h++) expect(seen[h]).toBe(1);
  }
}

describe('topology builders', () => {
  it('star: N hosts on one switch', () => {
    const g = buildTopology({ kind: 'star', hosts: 8 }, links());
    checkInvariants(g);
    expect(g.kind).toBe('star');
    expect(g.hostCount).toBe(8);
    expect(g.nodeCount).toBe(9);
    expect(g.links.length).toBe(8);
    expect(g.nodeNames[8]).toBe('sw0');
    expect(g.nodeTier[8]).toBe(1);
    expect(g.links[3]).toEqual({ a: 3, b: 8, rateBps: 400e9, delayPs: 1_000_000 });
  });

  it('dumbbell: two sides and one fabric-tier bottleneck', () => {
    const g = buildTopology(
      { kind: 'dumbbell', hostsPerSide: 4 },
      links({ fabric: { rateGbps: 100, delayNs: 500.4 } }),
    );
    checkInvariants(g);
    expect(g.hostCount).toBe(8);
    expect(g.nodeCount).toBe(10);
    expect(g.links.length).toBe(9);
    const L = g.nodeNames.indexOf('L');
    const R = g.nodeNames.indexOf('R');
    for (let h = 0; h < 8; h++) expect(g.links[h].b).toBe(h < 4 ? L : R);
    const bottleneck = g.links.filter((l) => l.a >= g.hostCount && l.b >= g.hostCount);
    expect(bottleneck).toEqual([{ a: L, b: R, rateBps: 100e9, delayPs: 500_400 }]);
    expect(g.links.filter((l) => l.a < g.hostCount).every((l) => l.rateBps === 400e9)).toBe(true);
  });

  it('leaf-spine: counts, placement and oversubscription', () => {
    const g = buildTopology({ kind: 'leafSpine', leaves: 4, spines: 2, hostsPerLeaf: 8 }, links());
    checkInvariants(g);
    expect(g.hostCount).toBe(32);
    expect(g.nodeCount).toBe(32 + 4 + 2);
    expect(g.links.length).toBe(32 + 4 * 2);
    for (let h = 0; h < 32; h++) expect(g.nodeNames[g.links[h].b]).toBe(`leaf${Math.floor(h / 8)}`);
    expect(g.nodeNames.filter((n) => n.startsWith('spine')).length).toBe(2);
    for (let n = 0; n < g.nodeCount; n++) if (g.nodeNames[n].startsWith('spine')) expect(g.nodeTier[n]).toBe(2);
    // 8 hosts × 400G over 2 spines × 400G = 4:1
    expect(oversubscription(g)).toBe(4);
    expect(oversubscription({ hostsPerLeaf: 8, hostRateBps: 400e9, spines: 2, fabricRateBps: 400e9 })).toBe(4);
    const nb = buildTopology(
      { kind: 'leafSpine', leaves: 4, spines: 2, hostsPerLeaf: 8 },
      links({ fabric: { rateGbps: 1600, delayNs: 1000 } }),
    );
    expect(oversubscription(nb)).toBe(1);
    // every leaf linked to every spine exactly once
    const pairs = new Set(g.links.slice(32).map((l) => `${l.a}-${l.b}`));
    expect(pairs.size).toBe(8);
  });

  it('fat-tree k=4: 16 hosts, 20 switches, 48 links, rates per tier', () => {
    const g = buildTopology(
      { kind: 'fatTree', k: 4 },
      links({ fabric: { rateGbps: 200, delayNs: 1000 }, core: { rateGbps: 800, delayNs: 2000 } }),
    );
    checkInvariants(g);
    expect(g.hostCount).toBe(16);
    expect(g.nodeCount - g.hostCount).toBe(20);
    expect(g.links.length).toBe(48);
    const tierCount = [0, 0, 0, 0];
    for (const t of g.nodeTier) tierCount[t]++;
    expect(tierCount).toEqual([16, 8, 8, 4]);
    for (const l of g.links) {
      const t = [g.nodeTier[l.a], g.nodeTier[l.b]].sort().join('');
      const expected = { '01': 400e9, '12': 200e9, '23': 800e9 }[t];
      expect(expected).toBeDefined();
      expect(l.rateBps).toBe(expected);
    }
    // host h on edge floor(h / 2): host 5 → pod 1, edge 0
    expect(g.nodeNames[g.links[5].b]).toBe('edge1.0');
    // agg i of pod p links to cores i*2 .. i*2+1
    const adj = adjacency(g);
    const agg21 = g.nodeNames.indexOf('agg2.1');
    const coreNames = adj[agg21]
      .filter((n) => g.nodeTier[n] === 3)
      .map((n) => g.nodeNames[n])
      .sort();
    expect(coreNames).toEqual(['core2', 'core3']);
    expect(
      adj[agg21]
        .filter((n) => g.nodeTier[n] === 1)
        .map((n) => g.nodeNames[n])
        .sort(),
    ).toEqual(['edge2.0', 'edge2.1']);
    expect(oversubscription(g)).toBe(2); // 2×400G down, 2×200G up
  });

  it('fat-tree k=8 and hostsPerEdge', () => {
    const g = buildTopology({ kind: 'fatTree', k: 8 }, links());
    checkInvariants(g);
    expect(g.hostCount).toBe(128);
    expect(g.nodeCount - g.hostCount).toBe(32 + 32 + 16);
    expect(g.links.length).toBe(128 + 8 * 16 + 32 * 4);
    for (let c = 0; c < 16; c++) expect(adjacency(g)[g.nodeNames.indexOf(`core${c}`)].length).toBe(8);
    const t = buildTopology({ kind: 'fatTree', k: 8, hostsPerEdge: 2 }, links());
    checkInvariants(t);
    expect(t.hostCount).toBe(64);
    expect(t.nodeNames[t.links[63].b]).toBe('edge7.3');
  });

  it('ring: counts and clockwise forced routing', () => {
    const g = buildTopology(
      { kind: 'ring', switches: 4, hostsPerSwitch: 2, clockwise: true },
      links({ fabric: { rateGbps: 100, delayNs: 1000 } }),
    );
    checkInvariants(g);
    expect(g.hostCount).toBe(8);
    expect(g.nodeCount).toBe(12);
    expect(g.links.length).toBe(8 + 4);
    const sw = (i: number) => g.nodeNames.indexOf(`sw${i}`);
    expect(g.links.slice(8).map((l) => [l.a, l.b])).toEqual([
      [sw(0), sw(1)],
      [sw(1), sw(2)],
      [sw(2), sw(3)],
      [sw(3), sw(0)],
    ]);
    expect(g.links.slice(8).every((l) => l.rateBps === 100e9)).toBe(true);
    const f = g.forcedNextNode!;
    expect(f(sw(0), 1)).toBe(1); // host 1 is on sw0
    expect(f(sw(0), 7)).toBe(sw(1)); // clockwise, even though sw3 is one hop the other way
    expect(f(sw(3), 0)).toBe(sw(0));
    expect(f(sw(3), 6)).toBe(6);
    const plain = buildTopology({ kind: 'ring', switches: 3, hostsPerSwitch: 1, clockwise: false }, links());
    checkInvariants(plain);
    expect(plain.forcedNextNode).toBeUndefined();
  });

  it('fabric and core tiers fall back to host', () => {
    const g = buildTopology({ kind: 'fatTree', k: 4 }, links());
    expect(g.links.every((l) => l.rateBps === 400e9 && l.delayPs === 1_000_000)).toBe(true);
    const c = buildTopology({ kind: 'fatTree', k: 4 }, links({ fabric: { rateGbps: 100, delayNs: 10 } }));
    expect(c.links.slice(16).every((l) => l.rateBps === 100e9 && l.delayPs === 10_000)).toBe(true);
  });
});

describe('ECMP choice', () => {
  it('ecmpIndex is the unsigned hash modulo the count, in integer arithmetic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 1 << 20 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer(),
        fc.integer({ min: 1, max: 1000 }),
        (flow, ev, seed, count) => ecmpIndex(flow, ev, seed, count) === (ecmpHash(flow, ev, seed) >>> 0) % count,
      ),
      { numRuns: 5000 },
    );
    // Hashes with the top bit set (negative as int32) and counts that are not powers of two.
    expect(ecmpIndex(3, 7, 11, 3)).toBe((ecmpHash(3, 7, 11) >>> 0) % 3);
    expect(ecmpIndex(1, 0, -5, (1 << 30) - 1)).toBe((ecmpHash(1, 0, -5) >>> 0) % ((1 << 30) - 1));
  });
});
