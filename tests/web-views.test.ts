/**
 * The pure parts of the page's fault and job views (web/src/faultsView.ts, web/src/jobsView.ts)
 * on a real run: a flapping link and a degraded one, and the two-jobs scenario.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenario, scenarioVariants } from '../sim/scenario/load.ts';
import { runScenario } from '../sim/run/run.ts';
import { failedAt, faultMarks, plannedSpans, spansOf } from '../web/src/faultsView.ts';
import { buildTopology } from '../sim/topology/index.ts';
import { flowJobLabel, jobFlows, jobNames, slowdownColor } from '../web/src/jobsView.ts';

const FLAP = `
name: flap-marks
seed: 1
topology: { kind: leafSpine, leaves: 2, spines: 2, hostsPerLeaf: 2 }
links: { host: { rateGbps: 100, delayNs: 1000 } }
transport: { kind: uet, cc: nscc, loadBalancing: mixed }
switch: { pfc: { enabled: false }, trimming: { enabled: true } }
workload: { kind: permutation, sizeBytes: 500000 }
faults:
  - { kind: flap, link: "leaf0->spine1", atUs: 5, downUs: 5, upUs: 10, count: 2 }
  - { kind: degrade, link: "leaf1->spine0", rateFraction: 0.25, atUs: 8 }
`;

describe('fault views', () => {
  const scenario = loadScenario(FLAP, 'flap').scenario;
  const result = runScenario(scenario);
  const spans = spansOf(result);
  const names = ['leaf0->spine1', 'spine1->leaf0', 'leaf1->spine0', 'spine0->leaf1'];
  const port = (n: string) => names.indexOf(n);

  it('marks each failure and recovery once per link (not per direction), in time order', () => {
    // The flap: down 5–10 µs and 20–25 µs; the degrade from 8 µs to the end.
    expect(faultMarks(spans).map((m) => [m.tPs / 1e6, m.kind])).toEqual([
      [5, 'fail'],
      [8, 'fail'],
      [10, 'restore'],
      [20, 'fail'],
      [25, 'restore'],
    ]);
    expect(faultMarks(spans)[1].label).toBe('8.0 µs: leaf1–spine0 degraded to 25 %');
  });

  it('before the run, the scenario’s schedule gives the spans the run records', () => {
    // The run outlives every action (194 µs > 25 µs), so the whole plan happened.
    expect(result.meta.simTimePs).toBeGreaterThan(25e6);
    expect(plannedSpans(scenario, buildTopology(scenario.topology, scenario.links))).toEqual(spans);
    expect(spans).toHaveLength(6);
  });

  it('the failed directions at a time: from ≤ t < to', () => {
    const at = (us: number) =>
      failedAt(spans, us * 1e6, port)
        .map((f) => `${names[f.port]} ${f.state}`)
        .sort();
    expect(at(4.999)).toEqual([]);
    expect(at(5)).toEqual(['leaf0->spine1 down', 'spine1->leaf0 down']);
    expect(at(9)).toEqual([
      'leaf0->spine1 down',
      'leaf1->spine0 degraded',
      'spine0->leaf1 degraded',
      'spine1->leaf0 down',
    ]);
    expect(at(10)).toEqual(['leaf1->spine0 degraded', 'spine0->leaf1 degraded']);
    expect(at(22)).toHaveLength(4);
    expect(at(1e6)).toEqual(['leaf1->spine0 degraded', 'spine0->leaf1 degraded']);
  });
});

describe('job views', () => {
  it('job names across variants and one job’s flows', () => {
    // two-jobs.yaml made small: one iteration of 1 MB each.
    const text = readFileSync(resolve(import.meta.dirname, '../scenarios/two-jobs.yaml'), 'utf8')
      .replaceAll('iterations: 3', 'iterations: 1')
      .replace('sizeBytes: 16777216', 'sizeBytes: 1048576')
      .replace('sizeBytes: 8388608', 'sizeBytes: 1048576');
    const [v] = scenarioVariants(loadScenario(text, 'two-jobs'));
    const r = runScenario(v.scenario);
    const run = { name: v.name, color: '#000', result: r };
    expect(jobNames([run, run])).toEqual(['dp-allreduce', 'ep-alltoall']);
    const j1 = jobFlows(r, 1);
    expect(j1.length).toBeGreaterThan(0);
    expect(j1.every((f) => f.job === 1)).toBe(true);
    expect(jobFlows(r, 0).length + j1.length).toBe(r.flows.length);
    expect(jobFlows(r, null)).toBe(r.flows);
    // The flow pickers' label: job, collective and iteration, step.
    const f = j1[0];
    const c = r.jobs![1].collectives[f.op!];
    expect(flowJobLabel(r, f.id)).toBe(` · ep-alltoall ${c.name}#${c.iteration} step ${f.step}`);
    expect(c.name).toBe('dispatch');
  });

  it('slowdown colours: 1 and below the palest, 4 and above the darkest, monotone between', () => {
    expect(slowdownColor(0.9)).toBe(slowdownColor(1));
    expect(slowdownColor(8)).toBe(slowdownColor(4));
    expect(slowdownColor(2)).not.toBe(slowdownColor(1));
  });
});
