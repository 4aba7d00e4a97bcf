import type { TopologyGraph } from '../topology/graph.ts';

/**
 * Shortest-path routing with every equal-cost next hop kept (DESIGN.md "How a packet
 * travels"). Tables are per (switch, destination's attachment switch): hosts behind one ToR
 * share all next hops except at the ToR itself, so one BFS per ToR is enough (8192-host
 * fat-tree: 512 BFS runs, not 8192).
 */
export interface RouteTable {
  /** Per host: the switch it attaches to. */
  hostSwitch: Int32Array;
  /** Per host: the port on its switch that leads down to it. */
  hostSwitchPort: Int32Array;
  /** Per host: the host's own NIC port. */
  hostNicPort: Int32Array;
  /** Per node: index among attachment switches, or -1. */
  attachIndex: Int32Array;
  attachCount: number;
  /**
   * Next hops: for idx = (switch - hostCount) * attachCount + attachIndex, nh[2 idx] is an offset
   * into nhPorts and nh[2 idx + 1] the number of equal-cost ports there. Offset and count side by
   * side (one cache line per lookup), and equal port lists stored once per switch (a fat-tree
   * switch has a handful: its up ports, or one down port), so nhPorts stays in cache.
   */
  nh: Int32Array;
  nhPorts: Int32Array;
}

/** Ports of each node, from the link-index convention (link i: port 2i at a, 2i+1 at b). */
export function portsByNode(graph: TopologyGraph): number[][] {
  const byNode: number[][] = Array.from({ length: graph.nodeCount }, () => []);
  graph.links.forEach((l, i) => {
    byNode[l.a].push(2 * i);
    byNode[l.b].push(2 * i + 1);
  });
  return byNode;
}

export function portNodeOf(graph: TopologyGraph, port: number): number {
  const l = graph.links[port >> 1];
  return (port & 1) === 0 ? l.a : l.b;
}

export function computeRoutes(graph: TopologyGraph): RouteTable {
  const { hostCount, nodeCount } = graph;
  const byNode = portsByNode(graph);
  const peerNode = (port: number) => portNodeOf(graph, port ^ 1);

  const hostSwitch = new Int32Array(hostCount);
  const hostSwitchPort = new Int32Array(hostCount);
  const hostNicPort = new Int32Array(hostCount);
  for (let h = 0; h < hostCount; h++) {
    if (byNode[h].length !== 1) throw new Error(`topology: host ${h} must have exactly one link (has ${byNode[h].length})`);
    const p = byNode[h][0];
    hostNicPort[h] = p;
    hostSwitchPort[h] = p ^ 1;
    hostSwitch[h] = peerNode(p);
  }
  const attachIndex = new Int32Array(nodeCount).fill(-1);
  const attachSwitches: number[] = [];
  const repHost: number[] = [];
  for (let h = 0; h < hostCount; h++) {
    const s = hostSwitch[h];
    if (attachIndex[s] < 0) {
      attachIndex[s] = attachSwitches.length;
      attachSwitches.push(s);
      repHost.push(h);
    }
  }
  const attachCount = attachSwitches.length;
  const nSwitch = nodeCount - hostCount;
  const nh = new Int32Array(2 * nSwitch * attachCount);
  const ports: number[] = [];
  // Per switch: port list (as text) → its offset in ports, to store each distinct list once.
  const lists = Array.from({ length: nSwitch }, () => new Map<string, number>());
  const setHops = (s: number, idx: number, hops: number[]) => {
    nh[2 * idx + 1] = hops.length;
    if (hops.length === 0) return;
    const key = hops.join(',');
    let off = lists[s - hostCount].get(key);
    if (off === undefined) {
      off = ports.length;
      ports.push(...hops);
      lists[s - hostCount].set(key, off);
    }
    nh[2 * idx] = off;
  };
  const dist = new Int32Array(nodeCount);
  const queue = new Int32Array(nodeCount);

  for (let ai = 0; ai < attachCount; ai++) {
    const target = attachSwitches[ai];
    if (graph.forcedNextNode) {
      const h = repHost[ai];
      for (let s = hostCount; s < nodeCount; s++) {
        const idx = (s - hostCount) * attachCount + ai;
        if (s === target) continue;
        const next = graph.forcedNextNode(s, h);
        const p = byNode[s].find((q) => peerNode(q) === next);
        if (p === undefined) throw new Error(`topology: forced route from ${graph.nodeNames[s]} to ${graph.nodeNames[next]} has no link`);
        setHops(s, idx, [p]);
      }
      continue;
    }
    // BFS over switches from the target.
    dist.fill(-1);
    let head = 0;
    let tail = 0;
    dist[target] = 0;
    queue[tail++] = target;
    while (head < tail) {
      const u = queue[head++];
      for (const p of byNode[u]) {
        const v = peerNode(p);
        if (v < hostCount || dist[v] >= 0) continue;
        dist[v] = dist[u] + 1;
        queue[tail++] = v;
      }
    }
    for (let s = hostCount; s < nodeCount; s++) {
      const idx = (s - hostCount) * attachCount + ai;
      if (s === target || dist[s] < 0) continue;
      const hops: number[] = [];
      for (const p of byNode[s]) {
        const v = peerNode(p);
        if (v >= hostCount && dist[v] === dist[s] - 1) hops.push(p);
      }
      setHops(s, idx, hops);
    }
  }
  return { hostSwitch, hostSwitchPort, hostNicPort, attachIndex, attachCount, nh, nhPorts: Int32Array.from(ports) };
}

/**
 * ECMP hash of (flow, entropy) with a per-switch seed (a murmur3-style finaliser; HPCC ns-3
 * hashes the 5-tuple with the switch id as seed, physics.md §3.1).
 */
export function ecmpHash(flow: number, ev: number, seed: number): number {
  let h = (seed ^ Math.imul(flow, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ Math.imul(ev + 0x7f4a7c15, 0x85ebca77), 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}
