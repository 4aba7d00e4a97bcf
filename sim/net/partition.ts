import type { TopologyGraph } from '../topology/graph.ts';
import type { PortTiming } from './portTiming.ts';

/**
 * How a fabric is cut into logical processes (LPs) for a partitioned run (sim/run/parallel/): every
 * node belongs to one LP, each LP simulates its own nodes, and a packet that crosses a cut link
 * is handed to the LP at the far end at the next window boundary (sim/net/outbox.ts).
 *
 * Why this is exact for a conservative run (Chandy–Misra–Bryant; ns-3's distributed simulator
 * and OMNeT++'s parallel simulation use the same rule): a packet started on a cut link at time t
 * arrives at t + serialisation + propagation (+ switch latency) > t + lookahead, where the
 * lookahead is the smallest propagation delay of any cut link (a PFC frame is not delayed by
 * the switch's latency, portTiming.ts). So if every LP handles
 * the events of [T, T + lookahead) on its own, nothing it receives in that window can be due
 * before T + lookahead — no LP ever needs to see the future or roll back.
 *
 * The cut follows the tiers: ToRs (tier 1) go to LPs in contiguous blocks balanced by host
 * count, hosts go with their ToR (a host link is never cut: host, NIC and ToR stay together), a
 * switch above whose lower neighbours all sit in one LP joins it (a fat-tree pod stays whole),
 * and the rest (cores, spines) are spread in contiguous blocks by column. In a k = 16 fat-tree cut
 * in two, that keeps pods whole and cuts half of the aggregation–core links, the least any cut
 * of the cores can do (every core links to every pod).
 */
export interface PartitionPlan {
  /** Number of LPs. */
  count: number;
  /** Per node: its LP. */
  nodeLp: Int32Array;
  /** Smallest propagation delay over cut links (ps): the longest safe window (a PFC frame is not
   *  delayed by the switch latency). */
  lookaheadPs: number;
  /** The window length used (ps): the lookahead, or less where that keeps every outbox within
   *  OUTBOX_BUDGET_MESSAGES (windowFor); set when the run is built. */
  windowPs: number;
  /** Ports (directions) whose link is cut. */
  cutPorts: number;
  /** Hosts per LP. */
  hostsPerLp: number[];
}

export class PartitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export function planPartitions(graph: TopologyGraph, timing: PortTiming, count: number): PartitionPlan {
  const n = graph.nodeCount;
  const nodeLp = new Int32Array(n).fill(-1);
  if (count === 1) {
    nodeLp.fill(0);
    return { count, nodeLp, lookaheadPs: Infinity, windowPs: Infinity, cutPorts: 0, hostsPerLp: [graph.hostCount] };
  }
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (const l of graph.links) {
    neighbours[l.a].push(l.b);
    neighbours[l.b].push(l.a);
  }
  // ToRs: the switches hosts attach to, in node order, cut into blocks of about equal host count.
  const tors: number[] = [];
  const torHosts = new Int32Array(n);
  for (let h = 0; h < graph.hostCount; h++) {
    const s = timing.routes.hostSwitch[h];
    if (torHosts[s]++ === 0) tors.push(s);
  }
  tors.sort((a, b) => a - b);
  if (tors.length < count) {
    throw new PartitionError(
      `engine.partitions: expected at most ${tors.length} (the switches hosts attach to: a cut never separates a host from its switch), got ${count}`,
    );
  }
  let seen = 0;
  for (const s of tors) {
    // The LP whose share of hosts this ToR's first host falls in (blocks of hostCount / count).
    nodeLp[s] = Math.min(count - 1, Math.floor((seen * count) / graph.hostCount));
    seen += torHosts[s];
  }
  for (let h = 0; h < graph.hostCount; h++) nodeLp[h] = nodeLp[timing.routes.hostSwitch[h]];
  // Upper tiers, lowest first.
  const maxTier = Math.max(...graph.nodeTier);
  for (let tier = 1; tier <= maxTier; tier++) {
    const spread: number[] = [];
    for (let v = graph.hostCount; v < n; v++) {
      if (graph.nodeTier[v] !== tier || nodeLp[v] >= 0) continue;
      let lp = -2;
      for (const u of neighbours[v]) {
        if (graph.nodeTier[u] >= tier || nodeLp[u] < 0) continue;
        if (lp === -2) lp = nodeLp[u];
        else if (lp !== nodeLp[u]) {
          lp = -1;
          break;
        }
      }
      if (lp >= 0) nodeLp[v] = lp;
      else spread.push(v);
    }
    spread.forEach((v, i) => {
      nodeLp[v] = Math.floor((i * count) / spread.length);
    });
  }
  let lookaheadPs = Infinity;
  let cutPorts = 0;
  for (let p = 0; p < timing.portCount; p++) {
    if (nodeLp[timing.portNode[p]] === nodeLp[timing.portNode[p ^ 1]]) continue;
    cutPorts++;
    // The propagation delay alone: a PFC frame crossing the cut skips the forwarding latency (portTiming.ts).
    if (timing.linkDelayPs[p] < lookaheadPs) lookaheadPs = timing.linkDelayPs[p];
  }
  const hostsPerLp = new Array<number>(count).fill(0);
  for (let h = 0; h < graph.hostCount; h++) hostsPerLp[nodeLp[h]]++;
  if (hostsPerLp.some((c) => c === 0)) {
    throw new PartitionError(
      `engine.partitions: ${count} partitions of this topology leave one without hosts; use at most ${hostsPerLp.filter((c) => c > 0).length}`,
    );
  }
  if (!(lookaheadPs > 0)) {
    throw new PartitionError(
      'engine.partitions: a partitioned run needs links with a propagation delay > 0 between partitions (links.*.delayNs), so that a partition can run ahead of the others by that much',
    );
  }
  return { count, nodeLp, lookaheadPs, windowPs: lookaheadPs, cutPorts, hostsPerLp };
}

/** Most messages one outbox may have to hold in a window (80 B each: 40 MB). */
export const OUTBOX_BUDGET_MESSAGES = 1 << 19;

/**
 * The most packets the cut ports from partition `src` to `dst` can start in a window of
 * `windowPs`: each starts at most one frame per serialisation time of the smallest frame.
 */
export function outboxCapacity(
  plan: PartitionPlan,
  timing: Pick<PortTiming, 'portCount' | 'portNode' | 'psPerByte'>,
  minWireBytes: number,
  src: number,
  dst: number,
  windowPs = plan.windowPs,
): number {
  let cap = 0;
  for (let p = 0; p < timing.portCount; p++) {
    if (plan.nodeLp[timing.portNode[p]] !== src || plan.nodeLp[timing.portNode[p ^ 1]] !== dst) continue;
    cap += Math.floor(windowPs / Math.max(1, Math.round(minWireBytes * timing.psPerByte[p]))) + 2;
  }
  return cap;
}

/**
 * The window length: the lookahead, unless so many fast cut links would then need outboxes of
 * more than OUTBOX_BUDGET_MESSAGES (long links between many ports: the bound grows with the
 * window); then the longest window within it. Any window up to the lookahead is exact; a shorter
 * one only means more window ends.
 */
export function windowFor(
  plan: PartitionPlan,
  timing: Pick<PortTiming, 'portCount' | 'portNode' | 'psPerByte'>,
  minWireBytes: number,
  budget = OUTBOX_BUDGET_MESSAGES,
): number {
  // The cut ports' smallest-frame serialisation times, per (source, destination) pair.
  const pairs = new Map<number, number[]>();
  for (let p = 0; p < timing.portCount; p++) {
    const src = plan.nodeLp[timing.portNode[p]];
    const dst = plan.nodeLp[timing.portNode[p ^ 1]];
    if (src === dst) continue;
    const k = src * plan.count + dst;
    let l = pairs.get(k);
    if (l === undefined) pairs.set(k, (l = []));
    l.push(Math.max(1, Math.round(minWireBytes * timing.psPerByte[p])));
  }
  let w = plan.lookaheadPs;
  for (const sers of pairs.values()) {
    const fits = (win: number) => sers.reduce((n, ser) => n + Math.floor(win / ser) + 2, 0) <= budget;
    if (fits(w)) continue;
    // The longest window that fits (capacity grows with the window): bisect in whole ps.
    let lo = 1;
    let hi = Math.floor(w);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    w = lo;
  }
  return w;
}
