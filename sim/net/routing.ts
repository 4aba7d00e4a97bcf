import type { TopologyGraph } from '../topology/graph.ts';

/**
 * Shortest-path routing with every equal-cost next hop kept (docs/architecture.md#nodes-ports-and-links). Tables are per (switch, destination's attachment switch): hosts behind one ToR
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
   * Next hops, in three levels so that the one table indexed per (switch, destination) is small:
   * - nhList[(switch - hostCount) * attachCount + attachIndex]: which of the switch's distinct
   *   next-hop lists leads there (a fat-tree switch has a handful: its up ports, or one down port);
   * - lists[2 (listBase[switch - hostCount] + that)] is the list's offset into nhPorts, and
   *   lists[2 (…) + 1] its length (0: no route);
   * - nhPorts: the lists' ports.
   * Why: the lookup is on every hop and the per-destination table is read at random; as 16-bit list
   * numbers it is 80 KB for 1,024 hosts where (offset, count) pairs took 330 KB, and lists and
   * nhPorts stay in cache (docs/architecture.md#the-hot-path).
   */
  nhList: Uint16Array;
  listBase: Int32Array;
  lists: Int32Array;
  nhPorts: Int32Array;
}

/** Index e of the next-hop list at switch `node` towards host `dst` (node is not dst's switch):
 *  its ports are nhPorts[lists[e] …], lists[e + 1] of them. */
export function nextHopList(rt: RouteTable, hostCount: number, node: number, dst: number): number {
  const s = node - hostCount;
  return 2 * (rt.listBase[s] + rt.nhList[s * rt.attachCount + rt.attachIndex[rt.hostSwitch[dst]]]);
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

/** `linkUp` (faults): links for which it returns false carry no route (routing converged around them). */
export function computeRoutes(graph: TopologyGraph, linkUp?: (link: number) => boolean): RouteTable {
  const { hostCount, nodeCount } = graph;
  const byNode = portsByNode(graph);
  const peerNode = (port: number) => portNodeOf(graph, port ^ 1);

  const hostSwitch = new Int32Array(hostCount);
  const hostSwitchPort = new Int32Array(hostCount);
  const hostNicPort = new Int32Array(hostCount);
  for (let h = 0; h < hostCount; h++) {
    if (byNode[h].length !== 1)
      throw new Error(`topology: host ${h} must have exactly one link (has ${byNode[h].length})`);
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
  // List 0 of every switch is the empty list (no route), so a fresh table means "no route".
  const nhList = new Uint16Array(nSwitch * attachCount);
  const ports: number[] = [];
  // Per switch: its distinct port lists (as text) → list number, and each list's [offset, count].
  const listIds = Array.from({ length: nSwitch }, () => new Map<string, number>([['', 0]]));
  const switchLists: number[][][] = Array.from({ length: nSwitch }, () => [[0, 0]]);
  const setHops = (s: number, idx: number, hops: number[]) => {
    const key = hops.join(',');
    const ids = listIds[s - hostCount];
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      if (id > 0xffff)
        throw new Error(`topology: switch ${graph.nodeNames[s]} has more than 65535 distinct next-hop sets`);
      ids.set(key, id);
      switchLists[s - hostCount].push([ports.length, hops.length]);
      ports.push(...hops);
    }
    nhList[idx] = id;
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
        if (p === undefined)
          throw new Error(`topology: forced route from ${graph.nodeNames[s]} to ${graph.nodeNames[next]} has no link`);
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
        if (v < hostCount || dist[v] >= 0 || (linkUp !== undefined && !linkUp(p >> 1))) continue;
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
        if (v >= hostCount && dist[v] === dist[s] - 1 && (linkUp === undefined || linkUp(p >> 1))) hops.push(p);
      }
      setHops(s, idx, hops);
    }
  }
  const listBase = new Int32Array(nSwitch);
  let n = 0;
  for (let s = 0; s < nSwitch; s++) {
    listBase[s] = n;
    n += switchLists[s].length;
  }
  const lists = new Int32Array(2 * n);
  for (let s = 0; s < nSwitch; s++)
    switchLists[s].forEach(([off, cnt], id) => {
      lists.set([off, cnt], 2 * (listBase[s] + id));
    });
  return {
    hostSwitch,
    hostSwitchPort,
    hostNicPort,
    attachIndex,
    attachCount,
    nhList,
    listBase,
    lists,
    nhPorts: Int32Array.from(ports),
  };
}

/**
 * ECMP hash of (flow, entropy) with a per-switch seed (a murmur3-style finaliser; HPCC ns-3
 * hashes the 5-tuple with the switch id as seed, physics.md §3.1): 32 bits, as a signed integer.
 */
export function ecmpHash(flow: number, ev: number, seed: number): number {
  let h = (seed ^ Math.imul(flow, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ Math.imul(ev + 0x7f4a7c15, 0x85ebca77), 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  return h ^ (h >>> 15);
}

/**
 * Which of `count` equal-cost next hops (1 ≤ count ≤ 2^30): the hash read as an unsigned 32-bit
 * value, modulo count. In 32-bit integer arithmetic, because JavaScript takes `(h >>> 0) % count`
 * as a double (V8: an x87 `fprem` loop, on every hop): h = 2 (h >>> 1) + (h & 1), so
 * h mod c = (2 ((h >>> 1) mod c) + (h & 1)) mod c, every term a non-negative int32.
 */
export function ecmpIndex(flow: number, ev: number, seed: number, count: number): number {
  const h = ecmpHash(flow, ev, seed);
  if ((count & (count - 1)) === 0) return h & (count - 1);
  return ((((h >>> 1) % count) << 1) + (h & 1)) % count;
}
