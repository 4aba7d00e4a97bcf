import { describe, expect, it } from 'vitest';
import { computeRoutes, computeTableRoutes, nextHopList, type RouteTable } from '../sim/net/routing.ts';
import { buildTopology, type TopologyGraph } from '../sim/topology/index.ts';
import { buildSimulation, collectResult, runSimulation } from '../sim/run/run.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { bundled } from './helpers/scenario.ts';

/** Every (switch, ToR) next-hop list as its ports, in order: what the fabric hashes over. */
function allLists(g: TopologyGraph, rt: RouteTable): number[][] {
  const out: number[][] = [];
  const reps: number[] = [];
  for (let h = 0; h < g.hostCount; h++) if (reps[rt.hostAttach[h]] === undefined) reps[rt.hostAttach[h]] = h;
  for (let s = g.hostCount; s < g.nodeCount; s++)
    for (const dst of reps) {
      if (rt.hostSwitch[dst] === s) continue;
      const e = nextHopList(rt, g.hostCount, s, dst);
      out.push([s, dst, ...rt.nhPorts.subarray(rt.lists[e], rt.lists[e] + rt.lists[e + 1])]);
    }
  return out;
}

const links = { host: { rateGbps: 100, delayNs: 1000 } } as Scenario['links'];

describe('routing rules (fat trees, leaf-spines) give the breadth-first tables exactly', () => {
  const shapes: Array<[string, object]> = [
    ...[2, 4, 6, 8, 10].map((k): [string, object] => [`fat tree k=${k}`, { kind: 'fatTree', k }]),
    ['fat tree k=8, 6 hosts an edge', { kind: 'fatTree', k: 8, hostsPerEdge: 6 }],
    ['fat tree k=4, 2 planes', { kind: 'fatTree', k: 4, planes: 2 }],
    ...[
      [1, 1, 3],
      [4, 2, 8],
      [5, 3, 2],
      [16, 8, 8],
    ].map(([leaves, spines, hostsPerLeaf]): [string, object] => [
      `leaf-spine ${leaves}×${spines}, ${hostsPerLeaf} hosts a leaf`,
      { kind: 'leafSpine', leaves, spines, hostsPerLeaf },
    ]),
    ['leaf-spine 4×2, 3 planes', { kind: 'leafSpine', leaves: 4, spines: 2, hostsPerLeaf: 2, planes: 3 }],
  ];
  for (const [name, topology] of shapes) {
    it(name, () => {
      const g = buildTopology(topology as Scenario['topology'], links);
      const rules = computeRoutes(g);
      const tables = computeTableRoutes(g);
      expect(rules.rule).not.toBeNull();
      expect(tables.rule).toBeNull();
      expect(allLists(g, rules)).toEqual(allLists(g, tables));
    });
  }

  it('other topologies and re-converged routes keep tables', () => {
    const ring = buildTopology({ kind: 'ring', switches: 4, hostsPerSwitch: 2 } as Scenario['topology'], links);
    expect(computeRoutes(ring).rule).toBeNull();
    const g = buildTopology({ kind: 'fatTree', k: 4 } as Scenario['topology'], links);
    // A dead aggregation–core link (the last link) leaves that core out of the agg's uplinks.
    const dead = g.links.length - 1;
    const rt = computeRoutes(g, (l) => l !== dead);
    expect(rt.rule).toBeNull();
    const agg = g.links[dead].a;
    const e = nextHopList(rt, g.hostCount, agg, 0);
    expect([...rt.nhPorts.subarray(rt.lists[e], rt.lists[e] + rt.lists[e + 1])]).not.toContain(2 * dead);
  });
});

/** A run's result as text, without the wall clock. */
function runWith(s: Scenario, tables: boolean): string {
  const sim = buildSimulation(s);
  if (tables) {
    const rt = computeTableRoutes(sim.fabric.graph);
    sim.fabric.routes = rt;
    (sim.fabric as { nominalRoutes: RouteTable }).nominalRoutes = rt;
  }
  const r = collectResult(sim, runSimulation(sim));
  return JSON.stringify({ ...r, meta: { ...r.meta, wallMs: 0 } });
}

describe('a k=8 fat-tree permutation routed by rules is byte-identical to one routed by tables', () => {
  const k8 = ['topology.k=8', 'workload.sizeBytes=200000'];
  it('UET spraying', () => {
    const s = bundled('bench/permutation-1024-uet.yaml', k8);
    const a = runWith(s, false);
    expect(a).toBe(runWith(s, true));
    expect(JSON.parse(a).summary.flowsDone).toBe(128);
  });
  it('RoCE with ECMP and PFC', () => {
    const s = bundled('bench/permutation-1024-roce.yaml', k8);
    const a = runWith(s, false);
    expect(a).toBe(runWith(s, true));
    expect(JSON.parse(a).summary.flowsDone).toBe(128);
  });
});
