import type { Fabric, HostTransport } from '../net/fabric.ts';
import type { Simulator } from '../engine/simulator.ts';
import { EV } from '../net/fabric.ts';
import { P, REC } from '../net/packets.ts';

/**
 * Several transports on one fabric, one per traffic class (docs/fabric-shapes.md "Traffic
 * classes"): RoCE storage in lossless class 3 beside UET training in lossy class 1, say. Built
 * only when a scenario has `classes`; a run with one transport hands the fabric that transport
 * itself, so its calls stay monomorphic and nothing here is on its path.
 *
 * Each class's transport sees the fabric through a view of its own (classView): the same
 * fabric, except that
 * - its events are offset by CLASS_EVENT_SPAN × class (kinds ≥ EV.TRANSPORT), so that two
 *   transports' event kinds never meet, and this dispatcher sends each back to its owner;
 * - every packet it sends carries its class in the packet's flags (bits CLASS_SHIFT…), so that
 *   a packet arriving at a host goes to the transport that sent it. Flow ids are per class.
 * The NIC pulls from the classes in turn, skipping a class paused at that NIC (the fabric's own
 * check is off: its dataPrio is set to the control class, which is never paused).
 */
export const CLASS_EVENT_SPAN = 64;
/** Packet flag bits 8–9: the class index (F.* use bits 0–7). */
const CLASS_SHIFT = 8;
const CLASS_MASK = 3;
export const MAX_CLASSES = 4;

/** The fabric as class `index`'s transport sees it. */
export function classView(fabric: Fabric, index: number): Fabric {
  const offset = index * CLASS_EVENT_SPAN;
  const tag = index << CLASS_SHIFT;
  const sim = Object.create(fabric.sim) as Simulator;
  sim.at = (t, kind, a, b) => fabric.sim.at(t, kind >= EV.TRANSPORT ? kind + offset : kind, a, b);
  sim.after = (d, kind, a, b) => fabric.sim.after(d, kind >= EV.TRANSPORT ? kind + offset : kind, a, b);
  const view = Object.create(fabric) as Fabric;
  Object.defineProperty(view, 'sim', { value: sim });
  view.kickHost = (host) => fabric.kickHost(host);
  view.sendFromHost = (host, pkt) => {
    fabric.pool.i32[(pkt << REC.SHIFT) + P.FLAGS] |= tag;
    fabric.sendFromHost(host, pkt);
  };
  return view;
}

export class MixedTransport implements HostTransport {
  /** Per host: the class the NIC pulls from first next time. */
  private readonly rr: Int32Array;
  private readonly prioBit: Int32Array;

  constructor(
    private readonly fabric: Fabric,
    readonly classes: HostTransport[],
    priorities: number[],
  ) {
    if (classes.length > MAX_CLASSES) throw new Error(`at most ${MAX_CLASSES} traffic classes`);
    this.rr = new Int32Array(fabric.hostCount);
    this.prioBit = Int32Array.from(priorities, (p) => 1 << p);
    // The NIC's pause check is the dispatcher's (pull): class by class.
    fabric.dataPrio = 7;
  }

  pull(host: number): number {
    const n = this.classes.length;
    const paused = this.fabric.pausedBits(this.fabric.routes.hostNicPort[host]);
    const first = this.rr[host];
    for (let k = 0, c = first; k < n; k++, c = c + 1 === n ? 0 : c + 1) {
      if ((paused & this.prioBit[c]) !== 0) continue;
      const pkt = this.classes[c].pull(host);
      if (pkt < 0) continue;
      this.fabric.pool.i32[(pkt << REC.SHIFT) + P.FLAGS] |= c << CLASS_SHIFT;
      this.rr[host] = c + 1 === n ? 0 : c + 1;
      return pkt;
    }
    return -1;
  }

  receive(host: number, pkt: number): void {
    const c = (this.fabric.pool.i32[(pkt << REC.SHIFT) + P.FLAGS] >> CLASS_SHIFT) & CLASS_MASK;
    this.classes[c].receive(host, pkt);
  }

  onEvent(kind: number, a: number, b: number): void {
    const c = ((kind - EV.TRANSPORT) / CLASS_EVENT_SPAN) | 0;
    this.classes[c].onEvent(kind - c * CLASS_EVENT_SPAN, a, b);
  }
}
