import type { PortTiming } from '../net/portTiming.ts';
import { nextHopList } from '../net/routing.ts';

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
  /** Wire bytes per frame beyond the frame: preamble/SFD and IFG (20, or 0 with wire.preambleIfg: false). */
  overheadBytes: number;
}

/**
 * The FCT of a flow alone on an empty path (HPCC's "standalone FCT", physics.md §5.1): the
 * packets go back to back through the path's store-and-forward hops, then the final ACK
 * returns.
 *
 * Equal full packets through a tandem of store-and-forward hops leave hop h at
 * D(k, h) = Σ_{i ≤ h} (S_i + d_i) − d_h + k × max_{i ≤ h} S_i (packet k from 0, S_i its
 * serialisation at hop i, d_i the delay after hop i): every hop after the slowest one so far
 * keeps pace with it. The last packet, shorter when the size is not a multiple of the MTU,
 * leaves hop h at max(its arrival, D(n − 2, h)) + its serialisation: it waits at a hop where the
 * full packet ahead of it is still being sent. (Counting it store-and-forward alone after the
 * bottleneck, as before, made the ideal 59 ns short for a 2 MB flow over two 400 G hops, and a
 * lone 4,097-byte flow's slowdown 1.075.)
 */
export function idealFctPs(fabric: PortTiming, path: number[], sizeBytes: number, f: FramingSizes): number {
  const npk = Math.max(1, Math.ceil(sizeBytes / f.mtuBytes));
  const fullWire = f.mtuBytes + f.headerBytes + f.overheadBytes;
  const lastPayload = Math.max(1, sizeBytes - (npk - 1) * f.mtuBytes);
  const lastWire = lastPayload + f.headerBytes + f.overheadBytes;
  const ackWire = f.ackBytes + f.overheadBytes;
  // prefix: when the first full packet leaves hop h; slowest: the largest full-packet
  // serialisation up to h; last: when the last packet leaves hop h.
  let prefix = 0;
  let slowest = 0;
  let last = 0;
  for (let h = 0; h < path.length; h++) {
    const psb = fabric.psPerByte[path[h]];
    const fullPs = Math.round(fullWire * psb);
    const arrive = h === 0 ? 0 : last + fabric.arrivalDelayPs[path[h - 1]];
    prefix += fullPs + (h === 0 ? 0 : fabric.arrivalDelayPs[path[h - 1]]);
    slowest = Math.max(slowest, fullPs);
    // The full packet ahead of the last one (none when the flow is one packet).
    const ahead = npk >= 2 ? prefix + (npk - 2) * slowest : 0;
    last = Math.max(arrive, ahead) + Math.round(lastWire * psb);
  }
  let t = last + fabric.arrivalDelayPs[path[path.length - 1]];
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
