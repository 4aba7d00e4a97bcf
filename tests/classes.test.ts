// Traffic classes sharing a fabric (docs/fabric-shapes.md "Traffic classes"; fabric-realism §7):
// several transports, each in its own priority, under a per-class scheduler.
import { describe, expect, it } from 'vitest';
import { runScenario, buildSimulation } from '../sim/run/run.ts';
import { validateScenario } from '../sim/scenario/load.ts';
import type { ScenarioInput } from '../sim/scenario/schema.ts';
import { bundled, scenario } from './helpers/scenario.ts';

describe('traffic classes: the per-class scheduler on a saturated link', () => {
  // Host 0 sends in class 3, host 1 in class 1, both to host 2 on one 100 G switch: both classes
  // stay backlogged at the port to host 2 (RoCE, no CC, both classes lossless: PFC holds the
  // excess upstream, nothing is dropped). Shares measured as payload delivered by 500 µs.
  const T_US = 500;
  const shares = (scheduler: unknown) => {
    const r = runScenario(
      scenario({
        topology: { kind: 'star', hosts: 3 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { pfc: { enabled: true, priorities: [1, 3] }, ecn: { enabled: false }, scheduler },
        transport: { kind: 'roce', cc: 'none', priority: 3 },
        workload: { kind: 'flows', flows: [{ src: 0, dst: 2, sizeBytes: 100_000_000 }] },
        classes: [
          {
            name: 'b',
            transport: { kind: 'roce', cc: 'none', priority: 1 },
            workload: { kind: 'flows', flows: [{ src: 1, dst: 2, sizeBytes: 100_000_000 }] },
          },
        ],
        stop: { timeUs: T_US, allFlowsDone: false },
        metrics: { latency: false },
      } as ScenarioInput),
    );
    expect(r.counters.drops).toBe(0);
    const [a, b] = r.flows.map((f) => f.deliveredBytes);
    return { a, b, r };
  };

  it('DWRR with weights 3:1: the two classes share the link 3:1 within 5 %', () => {
    const { a, b } = shares({ kind: 'dwrr', weights: { '3': 3, '1': 1 } });
    console.log(
      `DWRR 3:1: class 3 ${((a * 8) / T_US / 1e3).toFixed(2)} G, class 1 ${((b * 8) / T_US / 1e3).toFixed(2)} G, ratio ${(a / b).toFixed(3)}`,
    );
    expect(Math.abs(a / b / 3 - 1)).toBeLessThan(0.05);
    // Work-conserving: together they fill the link (payload 4096/4178 of 100 G, less start-up).
    expect(((a + b) * 8) / (T_US * 1e-6) / 100e9).toBeGreaterThan(0.95 * (4096 / 4178));
  });

  it('round-robin (the default) shares 1:1; strict priority gives class 3 everything', () => {
    const rr = shares(undefined);
    expect(Math.abs(rr.a / rr.b - 1)).toBeLessThan(0.01);
    const strict = shares({ kind: 'strict' });
    expect(strict.b).toBe(0);
    // Class 1 is held back by PFC (its queue fills behind class 3): its pauses show per class.
    expect(strict.r.classes![1].pauses).toBeGreaterThan(0);
  });
});

describe('traffic classes: mixed-classes.yaml (RoCE storage lossless in class 3, UET training lossy in class 1)', () => {
  it('every flow finishes; the lossless class drops nothing while the lossy class trims', () => {
    const r = runScenario(bundled('mixed-classes.yaml'));
    const [storage, training] = r.classes!;
    console.log(
      `mixed-classes: storage ${storage.flowsDone} flows, p99 ${storage.fctUs.p99.toFixed(1)} µs, drops ${storage.drops}, pauses ${storage.pauses}; ` +
        `training ${training.flowsDone} flows, p99 ${training.fctUs.p99.toFixed(1)} µs, drops ${training.drops}, trims ${training.trims}`,
    );
    expect(storage.transport).toBe('roce');
    expect(storage.priority).toBe(3);
    expect(training.transport).toBe('uet');
    expect(training.priority).toBe(1);
    expect(storage.flowsDone).toBe(12);
    expect(training.flowsDone).toBe(16);
    expect(storage.drops).toBe(0);
    expect(storage.trims).toBe(0);
    expect(training.drops + training.trims).toBeGreaterThan(0);
    // The run's totals are the classes' sums.
    expect(storage.drops + training.drops).toBe(r.counters.drops);
    expect(storage.trims + training.trims).toBe(r.counters.trims);
    // Each flow carries its class; FCTs per class come from them.
    expect(r.flows.filter((f) => f.class === 1).length).toBe(16);
  });

  it('is deterministic: the same scenario and seed give identical results', () => {
    const a = runScenario(bundled('mixed-classes.yaml', ['workload.sizeBytes=200000']));
    const b = runScenario(bundled('mixed-classes.yaml', ['workload.sizeBytes=200000']));
    a.meta.wallMs = b.meta.wallMs = 0;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('refuses two classes on one priority, and classes with planes, naming the field', () => {
    const base = {
      topology: { kind: 'leafSpine', leaves: 2, spines: 2, hostsPerLeaf: 2 },
      transport: { kind: 'roce', priority: 3 },
      workload: { kind: 'permutation', sizeBytes: 1000 },
    };
    const cls = (priority: number) => [
      { name: 'x', transport: { kind: 'uet', priority }, workload: { kind: 'permutation', sizeBytes: 1000 } },
    ];
    expect(() => buildSimulation(validateScenario({ ...base, classes: cls(3) }))).toThrow(
      /classes\[0\]\.transport\.priority: 3 is already another class's/,
    );
    expect(() =>
      buildSimulation(validateScenario({ ...base, topology: { ...base.topology, planes: 2 }, classes: cls(1) })),
    ).toThrow(/classes: traffic classes run on one plane/);
    expect(() => validateScenario({ ...base, switch: { scheduler: { kind: 'dwrr', weights: { '7': 1 } } } })).toThrow(
      /switch\.scheduler\.weights/,
    );
  });
});
