import type { Rng } from '../engine/random.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { TopologyGraph } from '../topology/graph.ts';
import { InputError } from '../scenario/inputError.ts';

/**
 * Faults on a schedule (the scenario's `faults:` block; docs/faults.md,
 * docs/reference/fabric-realism.md §4): which links each fault touches, and the timed actions
 * it takes on them. Resolved once from the scenario and the topology (a seeded selector draws
 * its links from the stream 'faults/select'), then applied by the fabric as FAULT events.
 */

/** What one timed action does to the fault's links (both directions). */
export const enum FAULT_ACTION {
  DOWN = 0,
  UP = 1,
  /** Serialisation at `value` × the nominal rate. */
  DEGRADE = 2,
  RESTORE_RATE = 3,
  /** Independent loss of each packet with probability `value`, after serialisation. */
  LOSS = 4,
  LOSS_OFF = 5,
}

export interface FaultAction {
  atPs: number;
  fault: number;
  action: FAULT_ACTION;
  value: number;
}

export interface ResolvedFault {
  kind: string;
  /** Link indices (graph.links). */
  links: number[];
  /** The links as "a->b" names, both directions as in results. */
  linkNames: string[];
  atPs: number;
  /** When the fault ends (its last action), or -1 if it lasts the whole run. */
  untilPs: number;
}

export interface FaultPlan {
  faults: ResolvedFault[];
  /** Every action of every fault, sorted by time (ties in the order written). */
  actions: FaultAction[];
}

export type FaultSpec = NonNullable<Scenario['faults']>[number];
type LinkRef = Extract<FaultSpec, { link: unknown }>['link'];

/** One fault's entry in the result (result.faults[]). */
export interface FaultResult {
  kind: string;
  links: string[];
  atPs: number;
  untilPs: number;
  /** Packets of every kind (data, ACKs, NAKs, PFC) lost to this fault. */
  packetsLost: number;
  /** Data packets among them (also counted in counters.drops). */
  dataPacketsLost: number;
  /** Flows that lost at least one data packet to it. */
  flowsAffected: number;
  /** From the fault to the moment the last data packet it destroyed was delivered again (its
   *  flow's recovery); 0 when it destroyed none, -1 when some never were. */
  recoveryPs: number;
  /** The longest time from one loss to its data's delivery (a lossy link's per-loss cost). */
  maxLossRecoveryPs: number;
}

/** A link direction's failed state over a time span (result.congestion.failedLinks, for drawing). */
export interface FailedLink {
  /** "a->b", as in results. */
  link: string;
  /** Index into result.faults. */
  fault: number;
  state: 'down' | 'degraded' | 'lossy';
  fromPs: number;
  /** -1: until the end of the run. */
  toPs: number;
  /** Rate fraction (degraded) or loss probability (lossy); 0 when down. */
  value: number;
}

const us = (x: number) => Math.round(x * 1e6);

/** The link tiers a selector chooses from: host links, switch–switch links, the top tier's. */
function tierLinks(graph: TopologyGraph, tier: 'host' | 'fabric' | 'core'): number[] {
  const hosts = graph.hostCount;
  const out: number[] = [];
  let top = 0;
  for (let n = hosts; n < graph.nodeCount; n++) top = Math.max(top, graph.nodeTier[n]);
  graph.links.forEach((l, i) => {
    const isHost = l.a < hosts || l.b < hosts;
    if (tier === 'host' ? isHost : !isHost) {
      if (tier !== 'core' || Math.max(graph.nodeTier[l.a], graph.nodeTier[l.b]) === top) out.push(i);
    }
  });
  return out;
}

function resolveLinks(graph: TopologyGraph, ref: LinkRef, where: string, rng: Rng): number[] {
  if (typeof ref === 'string') {
    const m = /^\s*([^\s<>-][^\s<>]*?)\s*(?:<->|->|-)\s*([^\s<>-][^\s<>]*)\s*$/.exec(ref);
    if (m === null)
      throw new InputError(`${where}: expected a link as "a->b" (node names as in results), got "${ref}"`);
    const a = graph.nodeNames.indexOf(m[1]);
    const b = graph.nodeNames.indexOf(m[2]);
    for (const [name, n] of [
      [m[1], a],
      [m[2], b],
    ] as const) {
      if (n < 0)
        throw new InputError(
          `${where}: no node "${name}" in this topology (names as in results: h0, leaf0, spine1, edge0.1, agg0.1, core3 …)`,
        );
    }
    const i = graph.links.findIndex((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));
    if (i < 0) throw new InputError(`${where}: ${m[1]} and ${m[2]} are not linked in this topology`);
    return [i];
  }
  const pool = tierLinks(graph, ref.random);
  if (pool.length === 0) throw new InputError(`${where}.random: this topology has no ${ref.random} links`);
  const count =
    ref.percent !== undefined ? Math.max(1, Math.round((ref.percent / 100) * pool.length)) : (ref.count ?? 1);
  if (count > pool.length)
    throw new InputError(
      `${where}.count: ${count} is more than the ${pool.length} ${ref.random} links of this topology`,
    );
  // A partial Fisher–Yates shuffle from the seeded stream: the first `count` of a random order.
  const a = pool.slice();
  for (let k = 0; k < count; k++) {
    const j = k + rng.int(a.length - k);
    [a[k], a[j]] = [a[j], a[k]];
  }
  return a.slice(0, count).sort((x, y) => x - y);
}

/** Resolve the scenario's faults against its topology (throws InputError naming the field). */
export function resolveFaults(specs: FaultSpec[], graph: TopologyGraph, rng: Rng): FaultPlan {
  const faults: ResolvedFault[] = [];
  const actions: FaultAction[] = [];
  const names = graph.nodeNames;
  specs.forEach((f, i) => {
    const where = `faults.${i}`;
    let links: number[];
    if (f.kind === 'switchDown') {
      const n = names.indexOf(f.switch);
      if (n < graph.hostCount)
        throw new InputError(
          `${where}.switch: no switch "${f.switch}" in this topology (names as in results: leaf0, spine1, edge0.1, agg0.1, core3 …)`,
        );
      links = [];
      graph.links.forEach((l, j) => {
        if (l.a === n || l.b === n) links.push(j);
      });
    } else links = resolveLinks(graph, f.link, `${where}.link`, rng);
    const at = us(f.atUs);
    const add = (atPs: number, action: FAULT_ACTION, value = 0) => actions.push({ atPs, fault: i, action, value });
    let until = -1;
    switch (f.kind) {
      case 'linkDown':
      case 'switchDown':
        add(at, FAULT_ACTION.DOWN);
        if (f.upAtUs !== undefined) {
          if (f.upAtUs <= f.atUs) throw new InputError(`${where}.upAtUs: ${f.upAtUs} is not after atUs ${f.atUs}`);
          until = us(f.upAtUs);
          add(until, FAULT_ACTION.UP);
        }
        break;
      case 'flap': {
        // count cycles of downUs down then upUs up, from atUs.
        let t = f.atUs;
        for (let c = 0; c < f.count; c++) {
          add(us(t), FAULT_ACTION.DOWN);
          t += f.downUs;
          add(us(t), FAULT_ACTION.UP);
          until = us(t);
          t += f.upUs;
        }
        break;
      }
      case 'degrade':
        add(at, FAULT_ACTION.DEGRADE, f.rateFraction);
        if (f.untilUs !== undefined) {
          if (f.untilUs <= f.atUs) throw new InputError(`${where}.untilUs: ${f.untilUs} is not after atUs ${f.atUs}`);
          until = us(f.untilUs);
          add(until, FAULT_ACTION.RESTORE_RATE);
        }
        break;
      case 'loss':
        add(at, FAULT_ACTION.LOSS, f.rate);
        if (f.untilUs !== undefined) {
          if (f.untilUs <= f.atUs) throw new InputError(`${where}.untilUs: ${f.untilUs} is not after atUs ${f.atUs}`);
          until = us(f.untilUs);
          add(until, FAULT_ACTION.LOSS_OFF);
        }
        break;
    }
    const linkNames: string[] = [];
    for (const j of links) {
      const l = graph.links[j];
      linkNames.push(`${names[l.a]}->${names[l.b]}`, `${names[l.b]}->${names[l.a]}`);
    }
    faults.push({ kind: f.kind, links, linkNames, atPs: at, untilPs: until });
  });
  // Stable: equal times keep the order written.
  const order = actions.map((a, k) => [a, k] as const).sort((x, y) => x[0].atPs - y[0].atPs || x[1] - y[1]);
  return { faults, actions: order.map((x) => x[0]) };
}

/**
 * What the faults did, as the run goes: packets lost to each, the flows they hit, and when the
 * last packet each destroyed got through again. A lost data packet is remembered by (flow, PSN)
 * until a packet of that flow and PSN is delivered (cold: the map is empty when nothing is lost).
 */
export class FaultLog {
  readonly packetsLost: Float64Array;
  readonly dataLost: Float64Array;
  private readonly affected: Set<number>[];
  private readonly lastRecoveryPs: Float64Array;
  private readonly maxLossRecoveryPs: Float64Array;
  /** (flow × 2^24 + PSN) → the fault that destroyed its last copy, and when. */
  private readonly pending = new Map<number, { fault: number; atPs: number }>();

  constructor(readonly plan: FaultPlan) {
    const n = plan.faults.length;
    this.packetsLost = new Float64Array(n);
    this.dataLost = new Float64Array(n);
    this.affected = Array.from({ length: n }, () => new Set<number>());
    this.lastRecoveryPs = new Float64Array(n);
    this.maxLossRecoveryPs = new Float64Array(n);
  }

  /** A packet was lost to fault `fault`; `flow` ≥ 0 and `psn` for a data packet, else flow = -1.
   *  awaitRecovery: its receiver does not have that PSN yet, so the flow must recover it. */
  lost(fault: number, flow: number, psn: number, awaitRecovery: boolean, nowPs: number): void {
    this.packetsLost[fault]++;
    if (flow < 0) return;
    this.dataLost[fault]++;
    this.affected[fault].add(flow);
    if (awaitRecovery) this.pending.set(flow * 16777216 + psn, { fault, atPs: nowPs });
  }

  /** A data packet of `flow` with `psn` reached its receiver (new data or not). */
  delivered(flow: number, psn: number, nowPs: number): void {
    if (this.pending.size === 0) return;
    const key = flow * 16777216 + psn;
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    const d = nowPs - this.plan.faults[p.fault].atPs;
    if (d > this.lastRecoveryPs[p.fault]) this.lastRecoveryPs[p.fault] = d;
    const dl = nowPs - p.atPs;
    if (dl > this.maxLossRecoveryPs[p.fault]) this.maxLossRecoveryPs[p.fault] = dl;
  }

  /** When each fault held its links down, degraded or lossy, up to `endPs` (actions after it did not happen). */
  failedLinks(endPs: number): FailedLink[] {
    const out: FailedLink[] = [];
    const open = new Map<string, FailedLink[]>();
    const kindOf = (a: FAULT_ACTION): FailedLink['state'] | null =>
      a === FAULT_ACTION.DOWN
        ? 'down'
        : a === FAULT_ACTION.DEGRADE
          ? 'degraded'
          : a === FAULT_ACTION.LOSS
            ? 'lossy'
            : null;
    const endOf = (a: FAULT_ACTION): FailedLink['state'] | null =>
      a === FAULT_ACTION.UP
        ? 'down'
        : a === FAULT_ACTION.RESTORE_RATE
          ? 'degraded'
          : a === FAULT_ACTION.LOSS_OFF
            ? 'lossy'
            : null;
    for (const act of this.plan.actions) {
      if (act.atPs > endPs) break;
      const f = this.plan.faults[act.fault];
      const start = kindOf(act.action);
      const stop = endOf(act.action);
      const key = `${act.fault}/${start ?? stop}`;
      if (start !== null) {
        const recs = f.linkNames.map((link) => ({
          link,
          fault: act.fault,
          state: start,
          fromPs: act.atPs,
          toPs: -1,
          value: act.value,
        }));
        open.set(key, recs);
        out.push(...recs);
      } else if (stop !== null) {
        for (const r of open.get(key) ?? []) r.toPs = act.atPs;
        open.delete(key);
      }
    }
    return out;
  }

  results(): FaultResult[] {
    const unrecovered = new Set([...this.pending.values()].map((p) => p.fault));
    return this.plan.faults.map((f, i) => ({
      kind: f.kind,
      links: f.linkNames,
      atPs: f.atPs,
      untilPs: f.untilPs,
      packetsLost: this.packetsLost[i],
      dataPacketsLost: this.dataLost[i],
      flowsAffected: this.affected[i].size,
      recoveryPs: unrecovered.has(i) ? -1 : this.lastRecoveryPs[i],
      maxLossRecoveryPs: unrecovered.has(i) ? -1 : this.maxLossRecoveryPs[i],
    }));
  }
}
