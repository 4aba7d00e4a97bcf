/**
 * A topology is plain data: nodes and the links between them. Builders in this folder produce
 * it; sim/net turns it into ports and routing tables.
 *
 * Conventions (relied on by sim/net):
 * - hosts are nodes 0 .. hostCount-1, switches hostCount .. nodeCount-1;
 * - every host has exactly one link, to the switch it attaches to;
 * - link i creates port 2i at node `a` and port 2i+1 at node `b` (so a port's peer is port ^ 1).
 */
export interface LinkSpec {
  a: number;
  b: number;
  rateBps: number;
  delayPs: number;
}

export interface TopologyGraph {
  kind: string;
  hostCount: number;
  nodeCount: number;
  /** 0 = host, 1 = ToR/leaf/edge, 2 = spine/aggregation, 3 = core. */
  nodeTier: Int8Array;
  /** Human names: "h12", "tor3", "agg1.2", "core5", "spine0", "sw2". */
  nodeNames: string[];
  /** Layout hint for drawing layered Clos views: position within its tier. */
  nodeColumn: Int32Array;
  links: LinkSpec[];
  /** The first switch tier's downlink / uplink capacity (4 = 4:1; 1 when non-blocking or flat):
   *  set by buildTopology (topology/oversubscribe.ts), for the page and the docs. */
  oversubscription?: number;
  /** Parallel planes (topology/planes.ts): absent or 1 for one plane. With P planes, host nodes
   *  are NIC ports: host h's port on plane p is node h + p × hostsPerPlane. */
  planes?: number;
  /** Hosts per plane (the workload's host count); hostCount = planes × hostsPerPlane. */
  hostsPerPlane?: number;
  /** Per node: its plane (absent with one plane). */
  nodePlane?: Int8Array;
  /** Optional routing override: the next switch on a flow's path is chosen by this rule instead
   *  of all shortest-path next hops (ring topology `clockwise`). Maps (switch, dstHost) → next node. */
  forcedNextNode?: (switchNode: number, dstHost: number) => number;
}
