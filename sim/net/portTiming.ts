import type { TopologyGraph } from '../topology/graph.ts';
import { computeRoutes, portNodeOf, type RouteTable } from './routing.ts';

/**
 * The static view of the network: per-port rates and delays plus routes. Built before the
 * switches are configured (their thresholds depend on base RTT and BDP, which depend on
 * this), then handed to the Fabric.
 */
export interface PortTiming {
  hostCount: number;
  nodeCount: number;
  portCount: number;
  routes: RouteTable;
  portNode: Int32Array;
  rateBps: Float64Array;
  psPerByte: Float64Array;
  /** Propagation delay plus the receiving switch's forwarding latency (a forwarded frame). */
  arrivalDelayPs: Float64Array;
  /**
   * Propagation delay alone: a PFC PAUSE/RESUME frame is a MAC control frame, consumed by the
   * receiving port's MAC and never forwarded (IEEE 802.1Qbb; HPCC's ns-3 QbbNetDevice acts on it
   * on receipt), so the switch's forwarding latency does not delay it.
   */
  linkDelayPs: Float64Array;
}

export function buildPortTiming(graph: TopologyGraph, switchLatencyPs: number): PortTiming {
  const np = graph.links.length * 2;
  const portNode = new Int32Array(np);
  const rateBps = new Float64Array(np);
  const psPerByte = new Float64Array(np);
  const arrivalDelayPs = new Float64Array(np);
  const linkDelayPs = new Float64Array(np);
  for (let p = 0; p < np; p++) {
    const l = graph.links[p >> 1];
    portNode[p] = portNodeOf(graph, p);
    rateBps[p] = l.rateBps;
    psPerByte[p] = 8e12 / l.rateBps;
  }
  for (let p = 0; p < np; p++) {
    const peer = portNode[p ^ 1];
    linkDelayPs[p] = graph.links[p >> 1].delayPs;
    arrivalDelayPs[p] = linkDelayPs[p] + (peer >= graph.hostCount ? switchLatencyPs : 0);
  }
  return {
    hostCount: graph.hostCount,
    nodeCount: graph.nodeCount,
    portCount: np,
    routes: computeRoutes(graph),
    portNode,
    rateBps,
    psPerByte,
    arrivalDelayPs,
    linkDelayPs,
  };
}
