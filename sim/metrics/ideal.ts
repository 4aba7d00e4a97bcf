import type { PortTiming } from '../net/portTiming.ts';
import { nextHopList } from '../net/routing.ts';
import { WIRE } from '../net/packets.ts';

/** Ports a packet from src to dst crosses on an empty network (first equal-cost choice). */
export function pathPorts(fabric: PortTiming, src: number, dst: number): number[] {
  const rt = fabric.routes;
  const ports = [rt.hostNicPort[src]];
  let node = rt.hostSwitch[src];
  for (let guard = 0; guard < fabric.nodeCount; guard++) {
    if (rt.hostSwitch[dst] === node) {
      ports.push(rt.hostSwitchPort[dst]);
      return ports;
    }
    const e = nextHopList(rt, fabric.hostCount, node, dst);
    if (rt.lists[e + 1] === 0) break;
    const p = rt.nhPorts[rt.lists[e]];
    ports.push(p);
    node = fabric.portNode[p ^ 1];
  }
  throw new Error(`no route from host ${src} to host ${dst}`);
}

export interface FramingSizes {
  /** Payload bytes per full packet. */
  mtuBytes: number;
  /** Header bytes per data packet. */
  headerBytes: number;
  /** Bytes of the acknowledgement that completes the flow. */
  ackBytes: number;
}

/**
 * The FCT of a flow alone on an empty path (HPCC's "standalone FCT", physics.md §5.1):
 * every packet serialised at the bottleneck, the first packet store-and-forwarded on the
 * hops before it and the last packet on the hops after it, one-way propagation and switch
 * latency, then the final ACK's trip back.
 */
export function idealFctPs(fabric: PortTiming, path: number[], sizeBytes: number, f: FramingSizes): number {
  const npk = Math.max(1, Math.ceil(sizeBytes / f.mtuBytes));
  const fullWire = f.mtuBytes + f.headerBytes + WIRE.OVERHEAD_BYTES;
  const lastPayload = Math.max(1, sizeBytes - (npk - 1) * f.mtuBytes);
  const lastWire = lastPayload + f.headerBytes + WIRE.OVERHEAD_BYTES;
  const firstWire = npk === 1 ? lastWire : fullWire;
  const ackWire = f.ackBytes + WIRE.OVERHEAD_BYTES;
  let b = 0;
  for (let h = 1; h < path.length; h++) if (fabric.rateBps[path[h]] < fabric.rateBps[path[b]]) b = h;
  let t = 0;
  for (let h = 0; h < path.length; h++) {
    const psb = fabric.psPerByte[path[h]];
    if (h < b) t += Math.round(firstWire * psb);
    else if (h === b) t += (npk - 1) * Math.round(fullWire * psb) + Math.round(lastWire * psb);
    else t += Math.round(lastWire * psb);
    t += fabric.arrivalDelayPs[path[h]];
  }
  // The ACK returns over the reverse ports of the same path.
  for (let h = path.length - 1; h >= 0; h--) {
    const back = path[h] ^ 1;
    t += Math.round(ackWire * fabric.psPerByte[back]) + fabric.arrivalDelayPs[back];
  }
  return t;
}

/** Base RTT of one MTU packet and its ACK on a path (NSCC config_base_rtt, §4.7). */
export function baseRttPs(fabric: PortTiming, path: number[], f: FramingSizes): number {
  return idealFctPs(fabric, path, f.mtuBytes, f);
}
