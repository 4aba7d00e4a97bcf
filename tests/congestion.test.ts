import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { runScenario } from '../sim/run/run.ts';
import { bundled, scenario } from './helpers/scenario.ts';

describe('congestion trees on hand-checkable topologies', () => {
  it('dumbbell 2 → 1: the only tree has depth 1, rooted at the port towards the receiver', () => {
    const r = runScenario(
      scenario({
        topology: { kind: 'dumbbell', hostsPerSide: 2 },
        links: { host: { rateGbps: 100, delayNs: 1000 } },
        switch: { bufferBytes: 4_000_000 },
        transport: { kind: 'roce' },
        workload: {
          kind: 'flows',
          flows: [
            { src: 0, dst: 2, sizeBytes: 4_000_000 },
            { src: 1, dst: 2, sizeBytes: 4_000_000 },
          ],
        },
      }),
    );
    const c = r.congestion!;
    expect(r.counters.pauseFrames).toBeGreaterThan(0);
    expect(c.trees.length).toBeGreaterThan(0);
    const roots = new Set(c.trees.map((t) => t.root));
    expect([...roots]).toEqual(['L->R']);
    expect(c.summary.largestDepth).toBe(1);
    expect(c.summary.largestBreadth).toBe(2); // both senders' NICs
    expect(c.trees.every((t) => t.hostsReached.every((h) => h === 'h0' || h === 'h1'))).toBe(true);
    expect(c.victims).toEqual([]);
  });

  it("two-tier leaf-spine incast: the tree rooted at leaf0->h0 reaches the senders' leaves through the spines", {
    tags: ['slow'],
  }, () => {
    const r = runScenario(bundled('incast-roce.yaml'));
    const c = r.congestion!;
    const trees = c.trees.filter((t) => t.root === 'leaf0->h0');
    expect(trees.length).toBeGreaterThan(0);
    const big = trees.reduce((a, b) => (b.maxBreadth > a.maxBreadth ? b : a));
    // host → leafN → spine → leaf0: three paused links deep.
    expect(big.maxDepth).toBe(3);
    const remote = big.hostsReached.filter((h) => Number(h.slice(1)) >= 9); // hosts of leaves 1–3
    expect(remote.length).toBeGreaterThan(0);
    // The paused spine → leaf0 links point at leaf0->h0.
    const spineEdges = c.pauseIntervals.filter((p) => p.node.startsWith('spine') && p.peer === 'leaf0');
    expect(spineEdges.length).toBeGreaterThan(0);
    expect(spineEdges.some((p) => p.rootPort === big.rootPort)).toBe(true);
    expect(c.deadlocks).toEqual([]); // heavy but acyclic PFC is not a deadlock
  });
});

describe('head-of-line blocking', () => {
  it('victim-flow.yaml with PFC only: the victim is blocked by the incast root; the incast flows are not victims', {
    tags: ['slow'],
  }, () => {
    const r = runScenario(bundled('victim-flow.yaml', ['transport.cc=none']));
    const c = r.congestion!;
    const victim = r.flows.find((f) => f.src === 12 && f.dst === 17)!;
    const v = c.victims.find((x) => x.flow === victim.id);
    expect(v).toBeDefined();
    expect(v!.blockedPs).toBeGreaterThan(0);
    expect(v!.blockedPs).toBeLessThanOrEqual(victim.fctPs);
    expect(v!.roots).toContain('leaf0->h0');
    console.log(
      `victim blocked ${(v!.blockedPs / 1e6).toFixed(0)} µs = ${(v!.fctShare * 100).toFixed(1)} % of its FCT; roots ${v!.roots.join(', ')}`,
    );
    const incastIds = new Set(r.flows.filter((f) => f.dst === 0).map((f) => f.id));
    expect(c.victims.some((x) => incastIds.has(x.flow))).toBe(false);
    const root = c.roots.find((x) => x.root === 'leaf0->h0')!;
    expect(root.victims).toContain(victim.id);
  });

  it('the same traffic over UET on a lossy fabric: no trees, no victims', { tags: ['slow'] }, () => {
    const r = runScenario(
      bundled('victim-flow.yaml', ['transport.kind=uet', 'switch.pfc.enabled=false', 'switch.trimming.enabled=true']),
    );
    expect(r.summary.flowsDone).toBe(r.summary.flowsTotal);
    expect(r.counters.pauseFrames).toBe(0);
    expect(r.congestion!.trees).toEqual([]);
    expect(r.congestion!.victims).toEqual([]);
  });
});

describe('PFC deadlock', () => {
  it('pfc-deadlock.yaml: the exact cycle is detected and the run stops', () => {
    const r = runScenario(bundled('pfc-deadlock.yaml'));
    expect(r.meta.stopReason).toBe('deadlock');
    const d = r.congestion!.deadlocks;
    expect(d).toHaveLength(1);
    expect([...d[0].cycle].sort()).toEqual(['sw0->sw1', 'sw1->sw2', 'sw2->sw3', 'sw3->sw0']);
    expect(d[0].detectedPs - d[0].formedPs).toBe(10_000e6); // held 10 ms without a RESUME
  });

  it('the same scenario over UET on a lossy class does not deadlock', { tags: ['slow'] }, () => {
    const r = runScenario(bundled('pfc-deadlock.yaml', ['transport.kind=uet', 'switch.trimming.enabled=true']));
    expect(r.meta.stopReason).toBe('allFlowsDone');
    expect(r.summary.flowsDone).toBe(4);
    expect(r.congestion!.deadlocks).toEqual([]);
    expect(r.counters.pauseFrames).toBe(0);
  });

  it('the CLI reports the cycle and exits 1', { tags: ['slow'] }, () => {
    const p = spawnSync(process.execPath, ['bin/ethersim.mjs', 'run', 'scenarios/pfc-deadlock.yaml', '--quiet'], {
      encoding: 'utf8',
    });
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/PFC deadlock detected .*cycle sw\d->sw\d → /);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('stall watchdog', () => {
  it('a deadlocked fabric with the analysis off stops as stalled instead of retrying forever (CLI exit 1)', {
    tags: ['slow'],
  }, () => {
    const r = runScenario(bundled('pfc-deadlock.yaml', ['metrics.congestion=false', 'stop.stallUs=50000']));
    expect(r.meta.stopReason).toBe('stalled');
    expect(r.summary.flowsDone).toBeLessThan(4);
    // the watchdog fires on simulated time: a whole number of 50 ms periods
    expect(r.meta.simTimePs % 50e9).toBe(0);
    const p = spawnSync(
      process.execPath,
      [
        'bin/ethersim.mjs',
        'run',
        'scenarios/pfc-deadlock.yaml',
        '--quiet',
        '--set',
        'metrics.congestion=false',
        '--set',
        'stop.stallUs=50000',
      ],
      { encoding: 'utf8' },
    );
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/the run stalled at .*: nothing delivered for stop.stallUs while 4 flows were unfinished/);
  });

  it('does not fire while flows wait for their start time', () => {
    const r = runScenario(
      scenario({
        topology: { kind: 'star', hosts: 2 },
        transport: { kind: 'roce' },
        stop: { stallUs: 100 },
        workload: {
          kind: 'flows',
          flows: [
            { src: 0, dst: 1, sizeBytes: 100_000 },
            { src: 0, dst: 1, sizeBytes: 100_000, startNs: 2_000_000 },
          ],
        },
      }),
    );
    expect(r.meta.stopReason).toBe('allFlowsDone');
    expect(r.summary.flowsDone).toBe(2);
  });
});
