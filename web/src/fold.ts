import type { TopologyGraph } from '../../sim/topology/graph.ts';

/**
 * Folding a fabric into what a screen can show: the hosts under one ToR become one aggregate
 * node, a fat-tree pod's edge and aggregation switches one node per tier, and the links between
 * two drawn nodes one drawn link per direction (a "lane") that stands for all its member ports.
 * A lane's colour is its members' worst (or mean) utilisation, its disc their worst (mean) queue,
 * and it is drawn paused when any member is. What is folded is a set of group keys, so the view
 * unfolds one group at a time on click and folds it back the same way.
 *
 * Pure data (no DOM): tests/web-fold.test.ts checks it on its own.
 */
export interface VisualNode {
  /** Index in FoldedGraph.nodes. */
  id: number;
  tier: number;
  /** The topology's nodes it stands for (one for an unfolded node). */
  members: number[];
  name: string;
  /** The fold group it is (or, unfolded, belongs to): click to unfold or fold back; null if none. */
  group: string | null;
  folded: boolean;
  /** Horizontal position as a fraction of the drawing's width (members' mean column position). */
  xFrac: number;
  /** Span of its members' positions (aggregates are drawn as wide as their members). */
  x0Frac: number;
  x1Frac: number;
}

export interface Lane {
  from: number;
  to: number;
  /** The ports (one per topology link) this lane stands for, all sending from `from` to `to`. */
  ports: number[];
}

export interface FoldedGraph {
  nodes: VisualNode[];
  lanes: Lane[];
  /** Topology port → its lane (-1: the link lies inside one folded node, not drawn). */
  portLane: Int32Array;
  /** Topology node → the visual node that shows it. */
  nodeOf: Int32Array;
}

/** The fat-tree's "edge<pod>.<j>" / "agg<pod>.<i>" names (sim/topology/fatTree.ts) carry the pod. */
const POD_NAME = /^[a-z]+(\d+)\.\d+$/i;

export interface FoldGroups {
  /** Host → the switch its one link goes to. */
  torOf: Int32Array;
  /** Node → its pod key ("pod:3") or null. */
  podOf: (string | null)[];
  /** Every group key there is. */
  hostGroups: string[];
  pods: string[];
}

export function foldGroups(g: TopologyGraph): FoldGroups {
  const torOf = new Int32Array(g.hostCount).fill(-1);
  for (const l of g.links) {
    if (l.a < g.hostCount && l.b >= g.hostCount) torOf[l.a] = l.b;
    else if (l.b < g.hostCount && l.a >= g.hostCount) torOf[l.b] = l.a;
  }
  const podOf: (string | null)[] = new Array(g.nodeCount).fill(null);
  for (let n = g.hostCount; n < g.nodeCount; n++) {
    const m = POD_NAME.exec(g.nodeNames[n]);
    if (m) podOf[n] = `pod:${m[1]}`;
  }
  for (let h = 0; h < g.hostCount; h++) if (torOf[h] >= 0) podOf[h] = podOf[torOf[h]];
  const hostGroups = [...new Set(Array.from(torOf).filter((t) => t >= 0))].map((t) => `hosts:${t}`);
  const pods = [...new Set(podOf.filter((p): p is string => p !== null))];
  return { torOf, podOf, hostGroups, pods };
}

/** Fold hosts under their ToR past 64 hosts, and fat-tree pods past 64 switches. */
export function defaultFolded(g: TopologyGraph, groups = foldGroups(g)): Set<string> {
  const out = new Set<string>();
  if (g.hostCount > 64) for (const k of groups.hostGroups) out.add(k);
  if (g.nodeCount - g.hostCount > 64) for (const k of groups.pods) out.add(k);
  return out;
}

export function foldGraph(g: TopologyGraph, folded: Set<string>, groups = foldGroups(g)): FoldedGraph {
  const tierCount = new Map<number, number>();
  for (let n = 0; n < g.nodeCount; n++) tierCount.set(g.nodeTier[n], (tierCount.get(g.nodeTier[n]) ?? 0) + 1);
  const xFrac = (n: number) => (g.nodeColumn[n] + 0.5) / (tierCount.get(g.nodeTier[n]) ?? 1);
  // Each topology node's key: the aggregate it falls in, or itself.
  const keyOf = (n: number): { key: string; group: string | null; folded: boolean } => {
    const pod = groups.podOf[n];
    const tier = g.nodeTier[n];
    if (pod !== null && folded.has(pod)) return { key: `${pod}:t${tier}`, group: pod, folded: true };
    if (n < g.hostCount) {
      const t = groups.torOf[n];
      const hg = t >= 0 ? `hosts:${t}` : null;
      if (hg !== null && folded.has(hg)) return { key: hg, group: hg, folded: true };
      return { key: `n:${n}`, group: hg, folded: false };
    }
    return { key: `n:${n}`, group: pod, folded: false };
  };
  const byKey = new Map<string, VisualNode>();
  const nodes: VisualNode[] = [];
  const nodeOf = new Int32Array(g.nodeCount);
  for (let n = 0; n < g.nodeCount; n++) {
    const k = keyOf(n);
    let v = byKey.get(k.key);
    if (v === undefined) {
      v = {
        id: nodes.length,
        tier: g.nodeTier[n],
        members: [],
        name: '',
        group: k.group,
        folded: k.folded,
        xFrac: 0,
        x0Frac: Infinity,
        x1Frac: -Infinity,
      };
      byKey.set(k.key, v);
      nodes.push(v);
    }
    v.members.push(n);
    nodeOf[n] = v.id;
  }
  for (const v of nodes) {
    let sum = 0;
    for (const n of v.members) {
      const x = xFrac(n);
      sum += x;
      if (x < v.x0Frac) v.x0Frac = x;
      if (x > v.x1Frac) v.x1Frac = x;
    }
    v.xFrac = sum / v.members.length;
    v.name = v.folded ? aggregateName(g, v.members) : g.nodeNames[v.members[0]];
  }
  const laneByPair = new Map<number, number>();
  const lanes: Lane[] = [];
  const portLane = new Int32Array(2 * g.links.length).fill(-1);
  g.links.forEach((l, i) => {
    const a = nodeOf[l.a];
    const b = nodeOf[l.b];
    if (a === b) return;
    for (const [port, from, to] of [
      [2 * i, a, b],
      [2 * i + 1, b, a],
    ]) {
      const pair = from * nodes.length + to;
      let li = laneByPair.get(pair);
      if (li === undefined) {
        li = lanes.length;
        laneByPair.set(pair, li);
        lanes.push({ from, to, ports: [] });
      }
      lanes[li].ports.push(port);
      portLane[port] = li;
    }
  });
  return { nodes, lanes, portLane, nodeOf };
}

/** "h0–h7 (8)", "edge3.* (8)": the members' first and last names, or their shared prefix. */
function aggregateName(g: TopologyGraph, members: number[]): string {
  const first = g.nodeNames[members[0]];
  const last = g.nodeNames[members[members.length - 1]];
  const m = POD_NAME.exec(first);
  if (m && members.every((n) => g.nodeNames[n].startsWith(first.slice(0, first.lastIndexOf('.') + 1))))
    return `${first.slice(0, first.lastIndexOf('.') + 1)}* (${members.length})`;
  return `${first}–${last} (${members.length})`;
}

/** How a lane summarises its members. */
export type FoldMode = 'worst' | 'mean';

export interface LaneState {
  util: Float32Array;
  queueBytes: Float32Array;
  /** Paused member ports per lane. */
  pausedCount: Int32Array;
}

/** One frame's port arrays summarised per lane (worst or mean of the members). */
export function laneState(
  f: FoldedGraph,
  util: Float32Array | null,
  queueBytes: Float32Array | null,
  paused: ReadonlyMap<number, number>,
  mode: FoldMode,
  out?: LaneState,
): LaneState {
  const n = f.lanes.length;
  const s = out ?? { util: new Float32Array(n), queueBytes: new Float32Array(n), pausedCount: new Int32Array(n) };
  s.util.fill(0);
  s.queueBytes.fill(0);
  s.pausedCount.fill(0);
  if (util || queueBytes)
    for (let li = 0; li < n; li++) {
      const ports = f.lanes[li].ports;
      let u = 0;
      let q = 0;
      for (const p of ports) {
        const pu = util ? util[p] : 0;
        const pq = queueBytes ? queueBytes[p] : 0;
        if (mode === 'worst') {
          if (pu > u) u = pu;
          if (pq > q) q = pq;
        } else {
          u += pu;
          q += pq;
        }
      }
      if (mode === 'mean') {
        u /= ports.length;
        q /= ports.length;
      }
      s.util[li] = u;
      s.queueBytes[li] = q;
    }
  for (const p of paused.keys()) {
    const li = f.portLane[p];
    if (li >= 0) s.pausedCount[li]++;
  }
  return s;
}
