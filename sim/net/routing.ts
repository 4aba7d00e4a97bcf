import type { TopologyGraph } from '../topology/graph.ts';

/**
 * Shortest-path routing with every equal-cost next hop kept (docs/architecture.md#nodes-ports-and-links).
 * Hosts behind one ToR share all next hops except at the ToR itself, so routes are per (switch,
 * destination's attachment switch), in one of two forms that give the same next hops, port for
 * port and in the same order:
 * - **rules** (fat trees and leaf-spines, `rule` set): a layered Clos sends a packet down when
 *   the destination's ToR is below the switch and up over every uplink otherwise, and the ToRs
 *   below any switch are a contiguous block of attachment indices, split evenly among its
 *   children. So the next-hop list is computed from the destination's index and five numbers per
 *   switch: no table per destination (a 65,536-host k = 64 fat tree would need 10.5 M entries,
 *   and the BFS per ToR to fill them took 50 s);
 * - **tables** (every other topology, and any fabric once faults have re-converged around dead
 *   links): one breadth-first search per ToR (8192-host fat tree: 512, not 8192).
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
  /** Per host: attachIndex of its switch (one read on every hop instead of two). */
  hostAttach: Int32Array;
  attachCount: number;
  /**
   * Rules, RULE.STRIDE numbers per switch (RULE.*), or null for tables. For a destination ToR
   * of attachment index a at switch s: a in [IN_LO, IN_LO + IN_SPAN) (below s): list
   * 2 + floor((a − IN_LO) / WIDTH) (the down ports towards that block); else a in
   * [OUT_LO, OUT_LO + OUT_SPAN) (reachable): list 1 (every uplink); else list 0 (no route).
   */
  rule: Int32Array | null;
  /**
   * Tables: which of the switch's distinct next-hop lists leads there, at
   * nhList[(switch - hostCount) * attachCount + attachIndex] (empty with rules). A fat-tree
   * switch has a handful of lists: its up ports, or one down port. Why 16-bit list numbers: the
   * lookup is on every hop and the table is read at random; it is 80 KB for 1,024 hosts where
   * (offset, count) pairs took 330 KB, and lists and nhPorts stay in cache
   * (docs/architecture.md#the-hot-path).
   */
  nhList: Uint16Array;
  /** Per switch: its first list's number; lists[2 (listBase[s] + id)] is list id's offset into
   *  nhPorts, and lists[2 (…) + 1] its length (0: no route). */
  listBase: Int32Array;
  lists: Int32Array;
  nhPorts: Int32Array;
}

/** Fields of a switch's routing rule (RouteTable.rule). */
export const enum RULE {
  IN_LO = 0,
  IN_SPAN = 1,
  WIDTH = 2,
  OUT_LO = 3,
  OUT_SPAN = 4,
  SHIFT = 3,
  STRIDE = 8,
}

/** Index e of the next-hop list at switch `node` towards host `dst` (node is not dst's switch):
 *  its ports are nhPorts[lists[e] …], lists[e + 1] of them. */
export function nextHopList(rt: RouteTable, hostCount: number, node: number, dst: number): number {
  const s = node - hostCount;
  const a = rt.hostAttach[dst];
  const rule = rt.rule;
  if (rule === null) return 2 * (rt.listBase[s] + rt.nhList[s * rt.attachCount + a]);
  const r = s << RULE.SHIFT;
  const x = a - rule[r + RULE.IN_LO];
  let id: number;
  if (x >= 0 && x < rule[r + RULE.IN_SPAN]) id = 2 + ((x / rule[r + RULE.WIDTH]) | 0);
  else {
    const y = a - rule[r + RULE.OUT_LO];
    id = y >= 0 && y < rule[r + RULE.OUT_SPAN] ? 1 : 0;
  }
  return 2 * (rt.listBase[s] + id);
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

/** What both forms share: where hosts attach, and the graph's ports as arrays. */
interface Attachments {
  hostSwitch: Int32Array;
  hostSwitchPort: Int32Array;
  hostNicPort: Int32Array;
  attachIndex: Int32Array;
  hostAttach: Int32Array;
  attachSwitches: number[];
  repHost: number[];
  byNode: number[][];
  /** Per port: the node at its far end. */
  peerNode: Int32Array;
}

function attachments(graph: TopologyGraph): Attachments {
  const { hostCount, nodeCount } = graph;
  const byNode = portsByNode(graph);
  const peerNode = new Int32Array(2 * graph.links.length);
  graph.links.forEach((l, i) => {
    peerNode[2 * i] = l.b;
    peerNode[2 * i + 1] = l.a;
  });
  const hostSwitch = new Int32Array(hostCount);
  const hostSwitchPort = new Int32Array(hostCount);
  const hostNicPort = new Int32Array(hostCount);
  for (let h = 0; h < hostCount; h++) {
    if (byNode[h].length !== 1)
      throw new Error(`topology: host ${h} must have exactly one link (has ${byNode[h].length})`);
    const p = byNode[h][0];
    hostNicPort[h] = p;
    hostSwitchPort[h] = p ^ 1;
    hostSwitch[h] = peerNode[p];
  }
  const attachIndex = new Int32Array(nodeCount).fill(-1);
  const hostAttach = new Int32Array(hostCount);
  const attachSwitches: number[] = [];
  const repHost: number[] = [];
  for (let h = 0; h < hostCount; h++) {
    const s = hostSwitch[h];
    if (attachIndex[s] < 0) {
      attachIndex[s] = attachSwitches.length;
      attachSwitches.push(s);
      repHost.push(h);
    }
    hostAttach[h] = attachIndex[s];
  }
  return {
    hostSwitch,
    hostSwitchPort,
    hostNicPort,
    attachIndex,
    hostAttach,
    attachSwitches,
    repHost,
    byNode,
    peerNode,
  };
}

/**
 * Every switch's distinct next-hop lists, each stored once: list 0 of every switch is the empty
 * list (no route), so a fresh table means "no route".
 */
class ListStore {
  readonly ports: number[] = [];
  /** Per switch: its lists' [offset, count]. */
  readonly perSwitch: number[][][];
  /** Per switch: hash of a list's ports → the numbers of the lists with that hash. */
  private readonly byHash: Map<number, number[]>[];

  constructor(nSwitch: number) {
    this.perSwitch = Array.from({ length: nSwitch }, () => [[0, 0]]);
    this.byHash = Array.from({ length: nSwitch }, () => new Map());
  }

  /** The number of list `hops` at switch s (index s − hostCount), added if new. */
  id(s: number, hops: number[], n: number): number {
    if (n === 0) return 0;
    let h = n;
    for (let i = 0; i < n; i++) h = (Math.imul(h, 0x9e3779b1) ^ hops[i]) | 0;
    const lists = this.perSwitch[s];
    const same = this.byHash[s].get(h);
    if (same !== undefined) {
      for (const id of same) {
        const [off, cnt] = lists[id];
        if (cnt !== n) continue;
        let i = 0;
        while (i < n && this.ports[off + i] === hops[i]) i++;
        if (i === n) return id;
      }
    }
    const id = lists.length;
    if (id > 0xffff) throw new Error(`topology: switch ${s} has more than 65535 distinct next-hop sets`);
    lists.push([this.ports.length, n]);
    for (let i = 0; i < n; i++) this.ports.push(hops[i]);
    if (same !== undefined) same.push(id);
    else this.byHash[s].set(h, [id]);
    return id;
  }

  /** Append a list without looking for an equal one (rules number their lists by position). */
  push(s: number, hops: number[]): void {
    this.perSwitch[s].push([this.ports.length, hops.length]);
    for (const p of hops) this.ports.push(p);
  }

  finish(): { listBase: Int32Array; lists: Int32Array; nhPorts: Int32Array } {
    const nSwitch = this.perSwitch.length;
    const listBase = new Int32Array(nSwitch);
    let n = 0;
    for (let s = 0; s < nSwitch; s++) {
      listBase[s] = n;
      n += this.perSwitch[s].length;
    }
    const lists = new Int32Array(2 * n);
    for (let s = 0; s < nSwitch; s++) {
      const ls = this.perSwitch[s];
      for (let id = 0; id < ls.length; id++) {
        lists[2 * (listBase[s] + id)] = ls[id][0];
        lists[2 * (listBase[s] + id) + 1] = ls[id][1];
      }
    }
    return { listBase, lists, nhPorts: Int32Array.from(this.ports) };
  }
}

/**
 * `linkUp` (faults): links for which it returns false carry no route (routing converged around
 * them); routes over dead links are always tables. Fat trees and leaf-spines otherwise get rules
 * (`computeTableRoutes` forces tables, for comparison).
 */
export function computeRoutes(graph: TopologyGraph, linkUp?: (link: number) => boolean): RouteTable {
  const at = attachments(graph);
  if (linkUp === undefined && graph.forcedNextNode === undefined && CLOS_KINDS.has(graph.kind)) {
    const r = closRoutes(graph, at);
    if (r !== null) return r;
  }
  return tableRoutes(graph, at, linkUp);
}

/** Routes as tables per (switch, ToR), whatever the topology. */
export function computeTableRoutes(graph: TopologyGraph, linkUp?: (link: number) => boolean): RouteTable {
  return tableRoutes(graph, attachments(graph), linkUp);
}

const CLOS_KINDS = new Set(['fatTree', 'leafSpine']);

function common(at: Attachments, attachCount: number) {
  return {
    hostSwitch: at.hostSwitch,
    hostSwitchPort: at.hostSwitchPort,
    hostNicPort: at.hostNicPort,
    attachIndex: at.attachIndex,
    hostAttach: at.hostAttach,
    attachCount,
  };
}

/**
 * Breadth-first search over switches from ToR `target`: dist per node (−1: unreachable), and
 * each switch's equal-cost next hops towards it passed to `each(s, hops, n)` in port order.
 */
function bfsFrom(
  graph: TopologyGraph,
  at: Attachments,
  target: number,
  dist: Int32Array,
  queue: Int32Array,
  hops: number[],
  linkUp: ((link: number) => boolean) | undefined,
  each: (s: number, hops: number[], n: number) => void,
): void {
  const { hostCount, nodeCount } = graph;
  const { byNode, peerNode } = at;
  dist.fill(-1);
  let head = 0;
  let tail = 0;
  dist[target] = 0;
  queue[tail++] = target;
  while (head < tail) {
    const u = queue[head++];
    const ps = byNode[u];
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      const v = peerNode[p];
      if (v < hostCount || dist[v] >= 0 || (linkUp !== undefined && !linkUp(p >> 1))) continue;
      dist[v] = dist[u] + 1;
      queue[tail++] = v;
    }
  }
  for (let s = hostCount; s < nodeCount; s++) {
    if (s === target || dist[s] < 0) continue;
    const ps = byNode[s];
    const want = dist[s] - 1;
    let n = 0;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i];
      const v = peerNode[p];
      if (v >= hostCount && dist[v] === want && (linkUp === undefined || linkUp(p >> 1))) hops[n++] = p;
    }
    each(s, hops, n);
  }
}

function tableRoutes(graph: TopologyGraph, at: Attachments, linkUp?: (link: number) => boolean): RouteTable {
  const { hostCount, nodeCount } = graph;
  const { attachSwitches, repHost, byNode, peerNode } = at;
  const attachCount = attachSwitches.length;
  const nSwitch = nodeCount - hostCount;
  const nhList = new Uint16Array(nSwitch * attachCount);
  const store = new ListStore(nSwitch);
  const dist = new Int32Array(nodeCount);
  const queue = new Int32Array(nodeCount);
  const hops: number[] = [];
  for (let ai = 0; ai < attachCount; ai++) {
    const target = attachSwitches[ai];
    if (graph.forcedNextNode) {
      const h = repHost[ai];
      for (let s = hostCount; s < nodeCount; s++) {
        if (s === target) continue;
        const next = graph.forcedNextNode(s, h);
        const p = byNode[s].find((q) => peerNode[q] === next);
        if (p === undefined)
          throw new Error(`topology: forced route from ${graph.nodeNames[s]} to ${graph.nodeNames[next]} has no link`);
        nhList[(s - hostCount) * attachCount + ai] = store.id(s - hostCount, [p], 1);
      }
      continue;
    }
    bfsFrom(graph, at, target, dist, queue, hops, linkUp, (s, hs, n) => {
      nhList[(s - hostCount) * attachCount + ai] = store.id(s - hostCount, hs, n);
    });
  }
  return { ...common(at, attachCount), rule: null, nhList, ...store.finish() };
}

/**
 * Rules for a layered Clos (RouteTable.rule), or null when the graph is not one: every
 * switch-to-switch link joins adjacent tiers, hosts attach to tier 1 only, every tier-1 switch has
 * hosts, and the ToRs below each higher switch form a contiguous block split evenly among its
 * children (each child's block aligned and of one width). Then a destination below a switch is
 * reached only downwards (any other path climbs first and is two hops longer), through the
 * children whose block holds it; any other reachable destination over every uplink. Checked
 * against breadth-first search from three ToRs before it is used (tests/routingRules.test.ts
 * compares whole tables).
 */
function closRoutes(graph: TopologyGraph, at: Attachments): RouteTable | null {
  const { hostCount, nodeCount, nodeTier } = graph;
  const { attachIndex, attachSwitches, byNode, peerNode } = at;
  const attachCount = attachSwitches.length;
  const nSwitch = nodeCount - hostCount;
  const inLo = new Int32Array(nodeCount);
  const inHi = new Int32Array(nodeCount);
  const outLo = new Int32Array(nodeCount).fill(-1);
  const outHi = new Int32Array(nodeCount);
  let maxTier = 1;
  for (let s = hostCount; s < nodeCount; s++) {
    const t = nodeTier[s];
    if (t < 1) return null;
    maxTier = Math.max(maxTier, t);
    for (const p of byNode[s]) {
      const v = peerNode[p];
      if (v < hostCount ? t !== 1 : Math.abs(nodeTier[v] - t) !== 1) return null;
    }
    if (t === 1) {
      if (attachIndex[s] < 0) return null;
      inLo[s] = attachIndex[s];
      inHi[s] = attachIndex[s] + 1;
    }
  }
  const rule = new Int32Array(nSwitch << RULE.SHIFT);
  const store = new ListStore(nSwitch);
  const down: number[][] = [];
  const up: number[] = [];
  // Bottom-up: each switch's block from its children's.
  for (let t = 2; t <= maxTier; t++) {
    for (let s = hostCount; s < nodeCount; s++) {
      if (nodeTier[s] !== t) continue;
      let lo = Infinity;
      let hi = -1;
      let w = -1;
      for (const p of byNode[s]) {
        const v = peerNode[p];
        if (nodeTier[v] !== t - 1) continue;
        if (w < 0) w = inHi[v] - inLo[v];
        else if (inHi[v] - inLo[v] !== w) return null;
        lo = Math.min(lo, inLo[v]);
        hi = Math.max(hi, inHi[v]);
      }
      if (w <= 0) return null;
      inLo[s] = lo;
      inHi[s] = hi;
    }
  }
  // Top-down: the ToRs a switch reaches at all are those its parents reach (all the same).
  for (let t = maxTier; t >= 1; t--) {
    for (let s = hostCount; s < nodeCount; s++) {
      if (nodeTier[s] !== t) continue;
      for (const p of byNode[s]) {
        const v = peerNode[p];
        if (v < hostCount || nodeTier[v] !== t + 1) continue;
        if (outLo[s] < 0) {
          outLo[s] = outLo[v];
          outHi[s] = outHi[v];
        } else if (outLo[s] !== outLo[v] || outHi[s] !== outHi[v]) return null;
      }
      if (outLo[s] < 0) {
        outLo[s] = inLo[s];
        outHi[s] = inHi[s];
      }
    }
  }
  for (let s = hostCount; s < nodeCount; s++) {
    const t = nodeTier[s];
    const si = s - hostCount;
    const r = si << RULE.SHIFT;
    up.length = 0;
    for (const p of byNode[s]) if (peerNode[p] >= hostCount && nodeTier[peerNode[p]] === t + 1) up.push(p);
    store.push(si, up);
    rule[r + RULE.OUT_LO] = outLo[s];
    rule[r + RULE.OUT_SPAN] = outHi[s] - outLo[s];
    rule[r + RULE.IN_LO] = inLo[s];
    rule[r + RULE.IN_SPAN] = inHi[s] - inLo[s];
    if (t === 1) {
      // The destination's own ToR: the fabric goes to the host port before asking (no list).
      rule[r + RULE.WIDTH] = 1;
      store.push(si, []);
      continue;
    }
    let w = 0;
    for (const p of byNode[s]) if (nodeTier[peerNode[p]] === t - 1) w = inHi[peerNode[p]] - inLo[peerNode[p]];
    const groups = (inHi[s] - inLo[s]) / w;
    if (!Number.isInteger(groups)) return null;
    down.length = 0;
    for (let g = 0; g < groups; g++) down.push([]);
    for (const p of byNode[s]) {
      const v = peerNode[p];
      if (nodeTier[v] !== t - 1) continue;
      const x = inLo[v] - inLo[s];
      if (x % w !== 0) return null;
      down[x / w].push(p);
    }
    for (const d of down) {
      if (d.length === 0) return null;
      store.push(si, d);
    }
    rule[r + RULE.WIDTH] = w;
  }
  const rt: RouteTable = { ...common(at, attachCount), rule, nhList: new Uint16Array(0), ...store.finish() };
  return matchesSearch(graph, at, rt) ? rt : null;
}

/** Whether rules give what breadth-first search gives towards the first, middle and last ToR. */
function matchesSearch(graph: TopologyGraph, at: Attachments, rt: RouteTable): boolean {
  const { hostCount, nodeCount } = graph;
  const dist = new Int32Array(nodeCount);
  const queue = new Int32Array(nodeCount);
  const hops: number[] = [];
  const n = at.attachSwitches.length;
  for (const ai of new Set([0, n >> 1, n - 1])) {
    const target = at.attachSwitches[ai];
    const dst = at.repHost[ai];
    let ok = true;
    const seen = new Uint8Array(nodeCount);
    bfsFrom(graph, at, target, dist, queue, hops, undefined, (s, hs, cnt) => {
      seen[s] = 1;
      const e = nextHopList(rt, hostCount, s, dst);
      if (rt.lists[e + 1] !== cnt) ok = false;
      for (let i = 0; ok && i < cnt; i++) if (rt.nhPorts[rt.lists[e] + i] !== hs[i]) ok = false;
    });
    // Switches the search does not reach (another plane) must have no route either.
    for (let s = hostCount; ok && s < nodeCount; s++)
      if (seen[s] === 0 && s !== target && rt.lists[nextHopList(rt, hostCount, s, dst) + 1] !== 0) ok = false;
    if (!ok) return false;
  }
  return true;
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
