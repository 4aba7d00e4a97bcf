import type { Scenario, WorkloadItem } from './schema.ts';
import { BUNDLED_CDF_NAMES, cdfMean } from '../workload/index.ts';
import { resolveFatTree, resolveLeafSpine } from '../topology/oversubscribe.ts';

/** What a scenario will need, estimated from its numbers before anything is allocated. */
export interface SizeEstimate {
  hosts: number;
  switches: number;
  links: number;
  flows: number;
  /** Upper bound on packets alive at once (all data, or what the buffers and links can hold). */
  packets: number;
  bytes: number;
}

/** Default ceiling: a third of this machine class's 24 GiB, leaving room for the OS and a second run. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 8 * 1024 ** 3;

/** Thrown when a scenario's estimate is over the limit; reported as invalid input (exit 2). */
export class ScenarioTooLarge extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

function topologyCounts(s: Scenario): { hosts: number; switches: number; links: number; maxDegree: number } {
  const t = s.topology;
  switch (t.kind) {
    case 'star':
      return { hosts: t.hosts, switches: 1, links: t.hosts, maxDegree: t.hosts };
    case 'dumbbell':
      return { hosts: 2 * t.hostsPerSide, switches: 2, links: 2 * t.hostsPerSide + 1, maxDegree: t.hostsPerSide + 1 };
    case 'leafSpine': {
      const { spines } = resolveLeafSpine(t, s.links).topology;
      return {
        hosts: t.leaves * t.hostsPerLeaf,
        switches: t.leaves + spines,
        links: t.leaves * (t.hostsPerLeaf + spines),
        maxDegree: Math.max(t.hostsPerLeaf + spines, t.leaves),
      };
    }
    case 'fatTree': {
      const half = t.k / 2;
      const perEdge = resolveFatTree(t, s.links).topology.hostsPerEdge;
      const hosts = t.k * half * perEdge;
      return {
        hosts,
        switches: t.k * t.k + half * half,
        links: hosts + 2 * t.k * half * half,
        maxDegree: Math.max(t.k, perEdge + half),
      };
    }
    case 'ring':
      return {
        hosts: t.switches * t.hostsPerSwitch,
        switches: t.switches,
        links: t.switches * (t.hostsPerSwitch + 1),
        maxDegree: t.hostsPerSwitch + 2,
      };
  }
}

function flowStats(item: WorkloadItem, hosts: number, hostRateBps: number): { flows: number; bytes: number } {
  switch (item.kind) {
    case 'incast': {
      const n = typeof item.senders === 'number' ? item.senders : item.senders.length;
      return { flows: n, bytes: n * item.sizeBytes };
    }
    case 'permutation':
      return { flows: hosts, bytes: hosts * item.sizeBytes };
    case 'allToAll': {
      const m = item.hosts?.length ?? hosts;
      return { flows: m * (m - 1), bytes: m * (m - 1) * item.sizeBytes };
    }
    case 'flows':
      return { flows: item.flows.length, bytes: item.flows.reduce((a, f) => a + f.sizeBytes, 0) };
    case 'ringAllReduce': {
      const m = item.hosts?.length ?? hosts;
      return { flows: 2 * (m - 1) * m, bytes: 2 * (m - 1) * item.sizeBytes };
    }
    case 'collective':
    case 'job': {
      // At most n(n−1) transfers a replica (all-to-all; a ring all-reduce has 2n(n−1)/n·n), each
      // rank moving at most 2S.
      const m = item.hosts?.length ?? item.ranks ?? hosts;
      const ops = item.kind === 'job' ? item.ops : [item];
      let flows = 0;
      let bytes = 0;
      for (const o of ops) {
        if (o.op === 'compute') continue;
        flows += 2 * m * (m - 1) * (o.channels ?? 2) * o.chunks;
        bytes += 2 * m * o.sizeBytes;
      }
      return { flows: flows * item.iterations, bytes: bytes * item.iterations };
    }
    case 'chakra':
      // The trace is not read here; its ranks' hosts stand in, a few transfers each.
      return { flows: 64 * (item.hosts?.length ?? item.ranks ?? hosts), bytes: 0 };
    case 'poisson': {
      const m = item.hosts?.length ?? hosts;
      // A CDF given by path is not read here; 100 KB stands in for its mean.
      const mean = BUNDLED_CDF_NAMES.includes(item.cdf) ? cdfMean(item.cdf) : 100_000;
      const bytes = m * ((hostRateBps * item.load) / 8) * (item.durationUs / 1e6);
      return { flows: Math.ceil(bytes / mean), bytes };
    }
  }
}

/**
 * Memory needed by a run, from the scenario's numbers alone (no topology is built). Per-item
 * costs are those of the data structures: ~610 B per port (8 priority queues with PFC and
 * pause accounting, a 16-byte ingress record per queue), routes (switches × ToRs × next hops,
 * except where rules route: fat trees and leaf-spines), ~700 B per flow plus 12 B per
 * packet of a flow (UET per-PSN state), 160 B per live packet (record + events), and
 * time series; all but packets and series once per partition of a partitioned run.
 */
export function estimateSize(s: Scenario): SizeEstimate {
  const one = topologyCounts(s);
  // Planes copy the switches and every link, hosts included (one NIC port per plane).
  const planes = 'planes' in s.topology ? (s.topology.planes ?? 1) : 1;
  const { hosts, maxDegree } = one;
  const switches = planes * one.switches;
  const links = planes * one.links;
  const hostRateBps = s.links.host.rateGbps * 1e9;
  const items = Array.isArray(s.workload) ? s.workload : [s.workload];
  let flows = 0;
  let dataBytes = 0;
  for (const it of items) {
    const f = flowStats(it, hosts, hostRateBps);
    flows += f.flows;
    dataBytes += f.bytes;
  }
  const mtu = s.transport.mtuBytes;
  const ports = 2 * links;
  const tors = Math.min(hosts, switches);
  const bufferPackets = (switches * s.switch.bufferBytes) / mtu;
  const wirePackets = (ports * s.links.host.rateGbps * 1e9 * (s.links.host.delayNs * 1e-9 + 1e-6)) / 8 / mtu;
  const packets = Math.ceil(Math.min(dataBytes / mtu + flows, bufferPackets + wirePackets + 4 * flows));
  const sampled = s.metrics.queueSampleNs !== undefined ? ports * s.metrics.maxSamples * 16 : 0;
  // A partitioned run builds the whole fabric and flow table once per partition (each in its own
  // thread and heap, sim/run/parallel/), while its packets and samples are split among them.
  const replicas = s.engine.partitions;
  const ruled = s.topology.kind === 'fatTree' || s.topology.kind === 'leafSpine';
  const bytes =
    replicas *
      (80e6 + // Node, the code, the scenario
        ports * 610 +
        // Fat trees and leaf-spines are routed by rules (a few numbers and next-hop lists per
        // switch, sim/net/routing.ts); other topologies by a table per (switch, ToR).
        (ruled ? 0 : switches * tors * (8 + 4 * Math.max(1, maxDegree / 2))) +
        switches * maxDegree * maxDegree * 8 +
        flows * 700 +
        (dataBytes / mtu) * 12) +
    packets * 160 +
    sampled;
  return { hosts, switches, links, flows, packets, bytes };
}

const fmt = (b: number) => (b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GiB` : `${(b / 1024 ** 2).toFixed(0)} MiB`);

/** Refuse, with the estimate, a scenario that would not fit in `limitBytes`. */
export function checkSize(s: Scenario, limitBytes: number): SizeEstimate {
  const e = estimateSize(s);
  if (e.bytes > limitBytes) {
    throw new ScenarioTooLarge(
      `scenario too large: estimated ${fmt(e.bytes)} (${e.hosts} hosts, ${e.switches} switches, ${e.links} links, ` +
        `${e.flows} flows, up to ${e.packets} packets alive) is over the limit of ${fmt(limitBytes)}; ` +
        `shrink it, or raise the limit with ETHERSIM_MAX_MEMORY_MB`,
    );
  }
  return e;
}
