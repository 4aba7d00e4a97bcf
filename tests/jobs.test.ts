import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/run/run.ts';
import { flowsCsv, formatResultTable } from '../sim/cli/report.ts';
import { variantMetrics } from '../sim/run/sweep.ts';
import { scenario } from './helpers/scenario.ts';

// Two leaves of 4 hosts; one spine, so every leaf-to-leaf flow shares the two leaf uplinks.
const fabric = {
  topology: { kind: 'leafSpine' as const, leaves: 2, spines: 1, hostsPerLeaf: 4 },
  links: { host: { rateGbps: 100, delayNs: 1000 } },
  transport: { kind: 'roce' as const },
};
const ring = (name: string, hosts: number[]) => ({
  kind: 'job' as const,
  name,
  hosts,
  iterations: 2,
  ops: [
    { op: 'allReduce' as const, sizeBytes: 2_000_000 },
    { op: 'compute' as const, timeUs: 10 },
  ],
});
const a2a = (name: string, hosts: number[]) => ({
  kind: 'job' as const,
  name,
  hosts,
  ops: [{ op: 'allToAll' as const, sizeBytes: 1_000_000 }],
});

describe('jobs sharing a fabric', () => {
  it('two jobs that share no link finish exactly as each alone (to the picosecond)', () => {
    const both = runScenario(
      scenario({ ...fabric, workload: [ring('train', [0, 1, 2, 3]), a2a('moe', [4, 5, 6, 7])] }),
    );
    const train = runScenario(scenario({ ...fabric, workload: ring('train', [0, 1, 2, 3]) }));
    const moe = runScenario(scenario({ ...fabric, workload: a2a('moe', [4, 5, 6, 7]) }));
    const [t, m] = both.jobs!;
    expect(t.completionPs).toBeGreaterThan(0);
    expect(t.collectives.map((c) => [c.startPs, c.endPs])).toEqual(
      train.jobs![0].collectives.map((c) => [c.startPs, c.endPs]),
    );
    expect(m.collectives.map((c) => [c.startPs, c.endPs])).toEqual(
      moe.jobs![0].collectives.map((c) => [c.startPs, c.endPs]),
    );
    // the run did its own alone runs, with the same answer
    expect(t.alone!.completionPs).toBe(train.jobs![0].completionPs);
    expect(t.slowdownVsAlone).toBe(1);
    expect(m.slowdownVsAlone).toBe(1);
  });

  it('two jobs across the same uplinks slow each other, and the result says by how much', () => {
    // Each ring alternates leaves (0 → 4 → 1 → 5 → 0): every step crosses the shared uplink.
    const r = runScenario(scenario({ ...fabric, workload: [ring('a', [0, 4, 1, 5]), ring('b', [2, 6, 3, 7])] }));
    for (const j of r.jobs!) {
      expect(j.alone!.completionPs).toBeGreaterThan(0);
      expect(j.slowdownVsAlone).toBeCloseTo(j.completionPs / j.alone!.completionPs, 12);
      // two rings on one 100 G uplink each way: about half the rate each
      expect(j.slowdownVsAlone!).toBeGreaterThan(1.5);
      expect(j.slowdownVsAlone!).toBeLessThan(2.3);
    }
    const table = formatResultTable([{ name: 'x', result: r }]);
    expect(table).toMatch(/job a: slowdown vs alone\s+\d/);
    expect(table).toMatch(/job b: iteration p50\/p99 \(µs\)/);
    const metrics = new Map(variantMetrics(r));
    expect(metrics.get('job_a_slowdown_vs_alone')).toBe(r.jobs![0].slowdownVsAlone);
    const csv = flowsCsv(r.flows, r.jobs).split('\n');
    expect(csv[0]).toMatch(/,job,collective,step$/);
    expect(csv[1]).toMatch(/,a,0,0$/);
  });

  it('iterations: a collective starts when its ranks are done with the previous one plus the compute gap', () => {
    const r = runScenario(scenario({ ...fabric, workload: ring('solo', [0, 1, 2, 3]) }));
    const j = r.jobs![0];
    const [c0, c1] = j.collectives;
    expect(c0.iteration).toBe(0);
    expect(c1.iteration).toBe(1);
    // alone on an idle fabric: ranks finish together within a transfer, so the second collective
    // is issued ≥ 10 µs after the first ended on its first rank, and no later than its end + 10 µs
    expect(c1.startPs).toBeLessThanOrEqual(c0.endPs + 10e6);
    expect(c1.startPs).toBeGreaterThan(c0.endPs - c0.timePs / 6 + 10e6);
    // every transfer of the second iteration starts after every transfer of its sender's first
    const byJobOp = (op: number) => r.flows.filter((f) => f.op === op);
    for (const f of byJobOp(1)) {
      const prev = byJobOp(0).filter((g) => g.src === f.src || g.dst === f.src);
      for (const g of prev) expect(f.startPs).toBeGreaterThanOrEqual(g.startPs + g.fctPs + 10e6);
    }
    // identical iterations on an idle fabric; the second ends with its compute gap
    expect(j.iterationPs).toHaveLength(2);
    expect(j.iterationUs.count).toBe(2);
    expect(j.completionPs).toBe(j.iterationPs[0] + j.iterationPs[1]);
    expect(j.slowdownVsAlone).toBeUndefined();
    expect(c0.slowdown).toBeGreaterThan(1);
    expect(c0.slowdown).toBeLessThan(1.1);
  });
});

describe('ethersim check on job completion times', () => {
  it('a baseline holds each job’s collective times across seeds; a slower job is caught', async () => {
    const { runScenarioWithHistogramAsync } = await import('../sim/run/runAsync.ts');
    const { poolRuns, makeBaseline, compareToBaseline } = await import('../sim/regression/baseline.ts');
    const run = (seed: number) =>
      runScenarioWithHistogramAsync(
        scenario({ ...fabric, seed, workload: { ...ring('a', [0, 4, 1, 5]), iterations: 4 } }),
      );
    const base = makeBaseline(poolRuns([await run(1), await run(2)]));
    expect(base.jobs!.a.samples).toHaveLength(8);
    const same = poolRuns([await run(1), await run(2)]);
    const ok = compareToBaseline(base, same);
    expect(ok.rows.filter((r) => r.distribution === 'job a').map((r) => r.test)).toEqual(['p50', 'p99', 'p99.9', 'KS']);
    expect(ok.ok).toBe(true);
    // the same runs with the job 50 % slower
    const slow = { ...same, jobSeeds: { a: same.jobSeeds!.a.map((xs) => xs.map((x) => x * 1.5)) } };
    const moved = compareToBaseline(base, slow);
    expect(moved.ok).toBe(false);
    expect(moved.moved).toContain('job a p50');
    expect(moved.moved.every((m) => m.startsWith('job a'))).toBe(true);
  });
});
