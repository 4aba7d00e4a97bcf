import { describe, expect, it } from 'vitest';
import { buildFlows } from '../sim/workload/index.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { runScenario } from '../sim/run/run.ts';
import { bundled, scenario } from './helpers/scenario.ts';

describe('ring all-reduce', () => {
  it('generates 2(n−1) steps of n chunk transfers, each step waiting on the previous rank', () => {
    const s = scenario({
      topology: { kind: 'star', hosts: 4 },
      transport: { kind: 'roce' },
      workload: [
        { kind: 'permutation', sizeBytes: 1000, startNs: 5 },
        { kind: 'ringAllReduce', sizeBytes: 4000, hosts: [3, 1, 0, 2] },
      ],
    });
    const flows = buildFlows(s.workload, 4, 400e9, new RandomStreams(1));
    const ring = flows.filter((f) => f.sizeBytes === 1000 && (f.after !== undefined || f.startPs === 0));
    expect(ring).toHaveLength(2 * 3 * 4);
    // Step 0 has no predecessor; every later flow waits on the flow into its sender.
    for (const f of flows) {
      if (f.after === undefined) continue;
      expect(flows[f.after].dst).toBe(f.src);
    }
    const order = [3, 1, 0, 2];
    for (const f of ring) expect(f.dst).toBe(order[(order.indexOf(f.src) + 1) % 4]);
  });

  it('runs the steps back to back: the collective takes the sum of its step FCTs along a chain', {
    tags: ['slow'],
  }, () => {
    const r = runScenario(bundled('allreduce-roce.yaml'));
    const n = 16;
    expect(r.summary.flowsDone).toBe(2 * (n - 1) * n);
    // no flow starts before its predecessor finished (and all later steps do start)
    expect(r.flows.every((f) => f.startPs >= 0)).toBe(true);
    const firstStep = r.flows.filter((f) => f.startPs === 0);
    expect(firstStep).toHaveLength(n);
    // The chain of 30 dependent steps: total time ≈ 30 × a step's ideal FCT (uncongested ring).
    const stepIdeal = r.flows[0].idealFctPs;
    const total = r.meta.simTimePs;
    expect(total).toBeGreaterThanOrEqual(2 * (n - 1) * stepIdeal * 0.99);
    expect(total).toBeLessThan(2 * (n - 1) * stepIdeal * 1.15);
    console.log(
      `all-reduce ${(total / 1e6).toFixed(0)} µs for ${2 * (n - 1)} steps of ideal ${(stepIdeal / 1e6).toFixed(1)} µs`,
    );
  });
});
