/**
 * Scheduled faults in the views (docs/faults.md): which link directions are failed at a time
 * (result.congestion.failedLinks, drawn on the topology), and the moments links fail and come
 * back (drawn as marks on every time axis: the plots, the heatmap, the scrubber). While a run
 * goes, the same spans come from the scenario's schedule, resolved as the run resolves it.
 */
import type { Result } from '../../sim/metrics/result.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import type { TopologyGraph } from '../../sim/topology/index.ts';
import { FaultLog, resolveFaults, type FailedLink } from '../../sim/net/faults.ts';
import { RandomStreams } from '../../sim/engine/random.ts';

export type FailState = 'down' | 'degraded' | 'lossy';

export interface FailedPort {
  port: number;
  state: FailState;
  /** "leaf0->spine1 down since 5.0 µs (until 20.0 µs)". */
  label: string;
}

export interface FaultMark {
  tPs: number;
  /** A link failing (or degrading), or coming back. */
  kind: 'fail' | 'restore';
  label: string;
}

const us = (ps: number) => `${(ps / 1e6).toFixed(1)} µs`;

const stateText = (state: FailState, value: number) =>
  state === 'down'
    ? 'down'
    : state === 'degraded'
      ? `degraded to ${(value * 100).toFixed(0)} %`
      : `lossy (${value.toExponential(1)} per packet)`;

/** A finished run's failed link directions over time (what it recorded). */
export const spansOf = (result: Result): readonly FailedLink[] => result.congestion?.failedLinks ?? [];

const planned = new WeakMap<Scenario, readonly FailedLink[]>();

/**
 * The failed link directions the scenario's faults will make, before the run has recorded them:
 * the fault plan the run builds (the same seeded draw, stream 'faults/select'), whole. Equal to
 * the result's spans for the part of the schedule the run lives through.
 */
export function plannedSpans(scenario: Scenario, graph: TopologyGraph): readonly FailedLink[] {
  const faults = scenario.faults ?? [];
  if (!faults.length) return [];
  let spans = planned.get(scenario);
  if (!spans) {
    try {
      const plan = resolveFaults(faults, graph, new RandomStreams(scenario.seed).stream('faults/select'));
      spans = new FaultLog(plan).failedLinks(Number.POSITIVE_INFINITY);
    } catch {
      spans = []; // the run reports the problem
    }
    planned.set(scenario, spans);
  }
  return spans;
}

/** The link directions failed at time t (from ≤ t < to; to −1: the end of the run). */
export function failedAt(
  spans: readonly FailedLink[],
  tPs: number,
  portByName: (name: string) => number,
): FailedPort[] {
  const out: FailedPort[] = [];
  for (const f of spans) {
    if (f.fromPs > tPs || (f.toPs >= 0 && tPs >= f.toPs)) continue;
    const port = portByName(f.link);
    if (port < 0) continue;
    out.push({
      port,
      state: f.state,
      label: `${f.link} ${stateText(f.state, f.value)} since ${us(f.fromPs)}${f.toPs >= 0 ? ` (until ${us(f.toPs)})` : ''}`,
    });
  }
  return out;
}

/** The moments of a run's faults: each failure and each recovery, once per time, with what happened then. */
export function faultMarks(spans: readonly FailedLink[]): FaultMark[] {
  const at = new Map<string, { tPs: number; kind: FaultMark['kind']; what: Set<string> }>();
  const add = (tPs: number, kind: FaultMark['kind'], what: string) => {
    const key = `${kind}:${tPs}`;
    let e = at.get(key);
    if (!e) at.set(key, (e = { tPs, kind, what: new Set() }));
    e.what.add(what);
  };
  // One mark per link, not per direction: "a->b" and "b->a" fail together.
  const linkName = (l: string) => l.split('->').sort().join('–');
  for (const f of spans) {
    add(f.fromPs, 'fail', `${linkName(f.link)} ${stateText(f.state, f.value)}`);
    if (f.toPs >= 0) add(f.toPs, 'restore', `${linkName(f.link)} back up`);
  }
  return [...at.values()]
    .sort((a, b) => a.tPs - b.tPs || a.kind.localeCompare(b.kind))
    .map((e) => ({ tPs: e.tPs, kind: e.kind, label: `${us(e.tPs)}: ${[...e.what].join('; ')}` }));
}

/**
 * Marks on an HTML time axis (the heatmap, the scrubber): thin absolutely placed ticks in
 * `layer`, at their fraction of [t0, t1]. The layer must be positioned over the axis.
 */
export function drawAxisMarks(layer: HTMLElement, marks: readonly FaultMark[], t0Ps: number, t1Ps: number): void {
  const span = t1Ps - t0Ps;
  layer.replaceChildren(
    ...(span > 0 ? marks : [])
      .filter((m) => m.tPs >= t0Ps && m.tPs <= t1Ps)
      .map((m) => {
        const d = document.createElement('div');
        d.className = `axis-mark ${m.kind}`;
        d.dataset.tPs = String(m.tPs);
        d.style.left = `${(((m.tPs - t0Ps) / span) * 100).toFixed(3)}%`;
        d.title = m.label;
        return d;
      }),
  );
}
