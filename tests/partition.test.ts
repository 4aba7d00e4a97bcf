import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildPartitions, collectPartitioned, runScenario, stallPsOf, stopLimits } from '../sim/run/run.ts';
import { runScenarioAsync } from '../sim/run/runAsync.ts';
import { runPartitionedThreaded } from '../sim/run/parallel/threads.ts';
import { PartitionTurns } from '../sim/run/parallel/sequential.ts';
import { outboxCapacity, planPartitions, windowFor } from '../sim/net/partition.ts';
import { Outbox } from '../sim/net/outbox.ts';
import { buildTopology } from '../sim/topology/index.ts';
import { buildPortTiming } from '../sim/net/portTiming.ts';
import { ksCriticalValue, ksStatistic } from '../sim/regression/ks.ts';
import type { Result } from '../sim/metrics/result.ts';
import { bundled, scenario } from './helpers/scenario.ts';
import type { ScenarioInput } from '../sim/scenario/schema.ts';

/** Every field but the wall time. */
const digest = (r: Result) => JSON.stringify({ ...r, meta: { ...r.meta, wallMs: 0 } });

function expectConservation(r: Result) {
  const c = r.counters as Result['counters'] & { inFlight: number };
  expect(c.packetsSent).toBe(c.packetsDelivered + c.drops + c.discards);
  expect(c.inFlight).toBe(0);
}

function plan(input: ScenarioInput, n: number) {
  const s = scenario(input);
  const g = buildTopology(s.topology, s.links);
  return { g, p: planPartitions(g, buildPortTiming(g, Math.round(s.switch.latencyNs * 1000)), n) };
}

const fatTree4: ScenarioInput = {
  topology: { kind: 'fatTree', k: 4 },
  links: { host: { rateGbps: 400, delayNs: 1000 } },
  transport: { kind: 'roce' },
  workload: { kind: 'flows', flows: [{ src: 0, dst: 15, sizeBytes: 2_000_000 }] },
};

describe('the cut (net/partition.ts)', () => {
  it("keeps fat-tree pods whole, hosts with their ToR, spreads the cores, and takes the cut links' delay as lookahead", () => {
    const { g, p } = plan({ ...fatTree4, switch: { latencyNs: 250 } }, 2);
    expect(p.hostsPerLp).toEqual([8, 8]);
    for (let n = 0; n < g.nodeCount; n++) {
      const name = g.nodeNames[n];
      const pod = /^(edge|agg)(\d+)\./.exec(name);
      if (pod) expect(p.nodeLp[n]).toBe(Number(pod[2]) < 2 ? 0 : 1);
      if (n < g.hostCount) expect(p.nodeLp[n]).toBe(n < 8 ? 0 : 1);
    }
    expect([...g.nodeNames.keys()].filter((n) => g.nodeTier[n] === 3).map((n) => p.nodeLp[n])).toEqual([0, 0, 1, 1]);
    // 1 µs propagation: a PFC frame crossing the cut is not delayed by the 250 ns switch latency
    // (only forwarded frames are), so the propagation delay alone bounds how far a partition may run ahead.
    expect(p.lookaheadPs).toBe(1_000_000);
    // Each core links to one agg per pod: half of its 4 links cross (2 × 4 cores, both directions).
    expect(p.cutPorts).toBe(16);
  });

  it('windows: the lookahead, or the longest window whose outboxes stay within the budget', () => {
    const s = scenario(fatTree4);
    const g = buildTopology(s.topology, s.links);
    const timing = buildPortTiming(g, 0);
    const p = planPartitions(g, timing, 2);
    const wire = 64 + 20;
    // 8 cut ports each way at 400 G: a 64 B frame every 1,680 ps, 1 µs of lookahead.
    expect(outboxCapacity(p, timing, wire, 0, 1, 1e6)).toBe(8 * (Math.floor(1e6 / 1680) + 2));
    expect(windowFor(p, timing, wire)).toBe(1e6);
    const w = windowFor(p, timing, wire, 1000);
    expect(outboxCapacity(p, timing, wire, 0, 1, w)).toBeLessThanOrEqual(1000);
    expect(outboxCapacity(p, timing, wire, 0, 1, w + 1)).toBeGreaterThan(1000);
  });

  it('refuses what it cannot cut, naming the field', () => {
    expect(() => plan({ ...fatTree4, topology: { kind: 'star', hosts: 4 } }, 2)).toThrow(
      /engine.partitions: expected at most 1/,
    );
    expect(() => plan({ ...fatTree4, links: { host: { rateGbps: 400, delayNs: 0 } } }, 2)).toThrow(
      /propagation delay > 0/,
    );
    expect(() =>
      runScenario(
        scenario({
          ...fatTree4,
          workload: { kind: 'ringAllReduce', sizeBytes: 1_000_000, hosts: [0, 15] },
          engine: { partitions: 2 },
        }),
      ),
    ).toThrow(/flows that do not wait on others/);
  });
});

describe('partitioned runs (sim/run/parallel/)', () => {
  it('one flow across the cut: the same FCT as the unpartitioned run, to the picosecond', () => {
    const one = runScenario(scenario(fatTree4));
    const two = runScenario(scenario({ ...fatTree4, engine: { partitions: 2 } }));
    expect(two.flows[0].fctPs).toBe(one.flows[0].fctPs);
    // One event fewer: the unpartitioned run's stall watchdog fires once at stop.stallUs and
    // finds every flow done; a partitioned run checks for stalls at window ends instead.
    expect(two.meta.events).toBe(one.meta.events - 1);
    expect(two.counters).toEqual(one.counters);
    expectConservation(two);
  });

  it('packets handed over in a batch larger than the pool keep their lanes and time order after it grows', () => {
    const parts = buildPartitions(scenario({ ...fatTree4, engine: { partitions: 2 } }));
    const [a, b] = parts;
    const nodeLp = a.plan!.nodeLp;
    let port = -1;
    for (let p = 0; p < a.fabric.portCount && port < 0; p++)
      if (nodeLp[a.fabric.portNode[p]] === 0 && nodeLp[a.fabric.portNode[p ^ 1]] === 1) port = p;
    expect(port).toBeGreaterThanOrEqual(0);
    // Two frame sizes, so two serialisation delays: each arrival rides the FIFO lane of its
    // delay (laneQueue.ts pushLane), in which times must never decrease. Alternate them so that
    // the batch is out of time order overall and in order per lane.
    const big = a.fabric.pool.alloc(0, 0, 0, 15, 4000, 3);
    const small = a.fabric.pool.alloc(0, 0, 0, 15, 100, 3);
    // More messages than b's pool holds: it grows while the batch is taken in.
    const n = 2 * (b.fabric.pool.capacity + 100);
    const box = new Outbox(new ArrayBuffer(Outbox.bytesFor(n)));
    for (let m = 0; m < n; m += 2) {
      box.put(1_000_000 + 10 * m + 5, port, a.fabric.pool.i32, big);
      box.put(1_000_000 + 10 * m, port, a.fabric.pool.i32, small);
    }
    const q = b.sim.queue;
    while (q.size > 0) q.pop(); // the flow's start
    const lanes = () => (q as unknown as { lanes: unknown[] }).lanes.length;
    const lanesBefore = lanes();
    b.fabric.receiveHandOvers(0, box);
    expect(b.fabric.pool.capacity).toBeGreaterThanOrEqual(n);
    // One lane per delay: a delay computed from a stale view of the grown pool (NaN) would
    // make a lane per packet instead, until the lanes run out.
    expect(lanes() - lanesBefore).toBe(2);
    let popped = 0;
    let last = -1;
    let misordered = 0;
    while (q.size > 0) {
      q.pop();
      if (q.popTime < last) misordered++;
      last = q.popTime;
      popped++;
    }
    expect(popped).toBe(n);
    expect(misordered).toBe(0);
  });

  it('any window up to the lookahead is exact: a third of it gives the same single-flow FCT', () => {
    const one = runScenario(scenario(fatTree4));
    const parts = buildPartitions(scenario({ ...fatTree4, engine: { partitions: 2 } }));
    for (const p of parts) p.plan!.windowPs = Math.floor(p.plan!.lookaheadPs / 3);
    const turns = new PartitionTurns(parts, stopLimits(parts[0]), stallPsOf(parts[0]));
    while (turns.step() === null);
    const r = collectPartitioned(parts, turns.reason!);
    expect(r.flows[0].fctPs).toBe(one.flows[0].fctPs);
    expectConservation(r);
  });

  it('threads or turns in one thread: byte-identical results (UET spraying with trimming)', {
    tags: ['slow'],
    timeout: 60_000,
  }, async () => {
    const s = bundled('permutation-uet.yaml', [
      'engine.partitions=2',
      'metrics.queueSampleNs=20000',
      'metrics.flowTraceNs=20000',
    ]);
    const turns = runScenario(s);
    const threaded = await runPartitionedThreaded(s);
    expect(digest(threaded.result)).toBe(digest(turns));
    expect(digest(await runScenarioAsync(s, { sliceEvents: 5000 }))).toBe(digest(turns));
    expect(digest(runScenario(s))).toBe(digest(turns));
    // Each partition's series are there: every switch port's queue, every traced flow.
    expect(turns.series.filter((x) => x.name.startsWith('queue:')).length).toBe(
      runScenario(bundled('permutation-uet.yaml', ['metrics.queueSampleNs=20000'])).series.length,
    );
    expect(turns.series.filter((x) => x.name.endsWith(':deliveredBytes')).length).toBe(16);
    expectConservation(turns);
    // RoCE with PFC pauses across the cut and the congestion analysis replayed from both threads' logs.
    const incast = bundled('incast-roce.yaml', ['engine.partitions=2']);
    const r = runScenario(incast);
    expect(r.counters.pauseFrames).toBeGreaterThan(0);
    expect(digest((await runPartitionedThreaded(incast)).result)).toBe(digest(r));
  });

  it("a threaded run reports progress over all partitions after each window (the CLI's --progress)", {
    tags: ['slow'],
    timeout: 60_000,
  }, async () => {
    const seen: Array<{ simTimePs: number; events: number; flowsDone: number; flowsTotal: number }> = [];
    const run = await runPartitionedThreaded(bundled('permutation-uet.yaml', ['engine.partitions=2']), {
      onProgress: (p) => seen.push({ ...p }),
    });
    expect(seen.length).toBeGreaterThan(10);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i].simTimePs).toBeGreaterThan(seen[i - 1].simTimePs);
      expect(seen[i].events).toBeGreaterThanOrEqual(seen[i - 1].events);
      expect(seen[i].flowsDone).toBeGreaterThanOrEqual(seen[i - 1].flowsDone);
    }
    const last = seen[seen.length - 1];
    expect(last.flowsTotal).toBe(128);
    expect(last.flowsDone).toBe(128);
    expect(last.events).toBe(run.result.meta.events);
  });

  it('the same FCT distribution as the unpartitioned run (128-host UET permutation, KS at α = 0.01)', {
    tags: ['slow'],
  }, () => {
    const fct = (r: Result) => r.flows.map((f) => f.fctPs);
    const one = runScenario(bundled('permutation-uet.yaml'));
    const two = runScenario(bundled('permutation-uet.yaml', ['engine.partitions=2']));
    const four = runScenario(bundled('permutation-uet.yaml', ['engine.partitions=4']));
    for (const r of [two, four]) {
      expect(r.summary.flowsDone).toBe(128);
      expectConservation(r);
      expect(ksStatistic(fct(one), fct(r))).toBeLessThan(ksCriticalValue(0.01, 128, 128));
      // The FCTs are set by the fabric's line rate: within a few per cent of the unpartitioned ones.
      expect(Math.abs(r.summary.fctUs.p99 / one.summary.fctUs.p99 - 1)).toBeLessThan(0.03);
    }
    // The run's totals are summed over partitions: bytes delivered are exactly the workload's.
    expect(two.counters.bytesDelivered).toBe(one.counters.bytesDelivered);
  });

  it('PFC across the cut: a lossless incast with correct headroom drops nothing, and the pauses cross partitions', () => {
    const input: ScenarioInput = {
      topology: { kind: 'leafSpine', leaves: 2, spines: 2, hostsPerLeaf: 8 },
      links: { host: { rateGbps: 100, delayNs: 1000 } },
      switch: { bufferBytes: 1_000_000 },
      transport: { kind: 'roce' },
      workload: { kind: 'incast', senders: [8, 9, 10, 11, 12, 13, 14, 15, 1, 2], receiver: 0, sizeBytes: 500_000 },
    };
    const one = runScenario(scenario(input));
    const two = runScenario(scenario({ ...input, engine: { partitions: 2 } }));
    expect(two.counters.drops).toBe(0);
    expect(two.counters.pauseFrames).toBeGreaterThan(0);
    // Some pause crossed the cut: a port whose node and peer are in different partitions was paused.
    const { g, p } = plan(input, 2);
    const timing = buildPortTiming(g, 0);
    expect(two.pfc.some((x) => p.nodeLp[timing.portNode[x.port]] !== p.nodeLp[timing.portNode[x.port ^ 1]])).toBe(true);
    expect(two.summary.flowsDone).toBe(10);
    // An incast is bound by the receiver's link: the last flow ends when 5 MB have crossed it.
    expect(Math.abs(two.meta.simTimePs / one.meta.simTimePs - 1)).toBeLessThan(0.02);
    expectConservation(two);
  });

  it("congestion analysis from the partitions' pause logs: the incast tree, the victim, as the live analysis finds them", {
    tags: ['slow'],
  }, () => {
    for (const name of ['incast-roce.yaml', 'victim-flow.yaml']) {
      const one = runScenario(bundled(name)).congestion!;
      const two = runScenario(bundled(name, ['engine.partitions=2'])).congestion!;
      // incast-roce.yaml: 32 → 1 behind leaf0; the tree's root is the receiver's link, three links deep.
      expect(two.roots.find((r) => r.root === 'leaf0->h0')).toBeDefined();
      expect(two.summary.largestDepth).toBe(one.summary.largestDepth);
      expect(two.summary.largestBreadth).toBe(one.summary.largestBreadth);
      expect(two.summary.victims).toBe(one.summary.victims);
      expect(two.victims.map((v) => v.flow)).toEqual(one.victims.map((v) => v.flow));
      for (let i = 0; i < one.victims.length; i++)
        expect(Math.abs(two.victims[i].blockedPs / one.victims[i].blockedPs - 1)).toBeLessThan(0.05);
      // Pauses cross the cut (spine ↔ leaf links), and every one is an interval with a cause.
      expect(Math.abs(two.pauseIntervals.length / one.pauseIntervals.length - 1)).toBeLessThan(0.1);
      expect(two.pauseIntervals.every((iv) => iv.causePort >= 0)).toBe(true);
    }
  });

  it('a PFC deadlock across the cut: found in the replayed logs; the run ends at the stall watchdog', () => {
    const one = runScenario(bundled('pfc-deadlock.yaml'));
    const two = runScenario(bundled('pfc-deadlock.yaml', ['engine.partitions=2', 'stop.stallUs=50000']));
    expect(one.meta.stopReason).toBe('deadlock');
    expect(two.meta.stopReason).toBe('stalled');
    expect(two.congestion!.deadlocks.map((d) => d.cycle)).toEqual(one.congestion!.deadlocks.map((d) => d.cycle));
    expect(two.congestion!.deadlocks[0].formedPs).toBe(one.congestion!.deadlocks[0].formedPs);
  });

  it('a fabric stuck in a PFC deadlock stops as stalled (the watchdog runs at window ends over all partitions)', () => {
    const r = runScenario(
      bundled('pfc-deadlock.yaml', ['metrics.congestion=false', 'stop.stallUs=50000', 'engine.partitions=2']),
    );
    expect(r.meta.stopReason).toBe('stalled');
    expect(r.summary.flowsDone).toBe(0);
  });

  it('time limits stop every partition at the limit; event budgets at the first window end past them', {
    tags: ['slow'],
  }, () => {
    const s = bundled('permutation-uet.yaml', ['engine.partitions=2', 'stop.timeUs=20']);
    const r = runScenario(s);
    expect(r.meta.stopReason).toBe('timeLimit');
    expect(r.meta.simTimePs).toBe(20e6);
    expect(r.summary.flowsDone).toBe(0);
    const b = runScenario(bundled('permutation-uet.yaml', ['engine.partitions=2', 'stop.maxEvents=100000']));
    expect(b.meta.stopReason).toBe('eventBudget');
    expect(b.meta.events).toBeGreaterThanOrEqual(100_000);
    expect(b.meta.events).toBeLessThan(200_000);
  });

  it('a partition thread that dies ends the run with an error naming it, instead of leaving the others waiting', {
    tags: ['slow'],
    timeout: 30_000,
  }, async () => {
    const entry = fileURLToPath(new URL('./helpers/dyingPartitionWorker.mjs', import.meta.url));
    await expect(
      runPartitionedThreaded(bundled('incast-uet.yaml', ['engine.partitions=2']), { workerEntry: entry }),
    ).rejects.toThrow(/partition 1 thread exited \(code 9\)/);
  });

  it('the CLI runs a partitioned scenario on a thread per partition, with the result of turns in one thread', {
    tags: ['slow'],
    timeout: 60_000,
  }, () => {
    const run = (threads: number) => {
      const p = spawnSync(
        process.execPath,
        [
          'bin/ethersim.mjs',
          'run',
          'scenarios/incast-uet.yaml',
          '--json',
          '--set',
          'engine.partitions=2',
          '--set',
          `engine.threads=${threads}`,
        ],
        { encoding: 'utf8' },
      );
      expect(p.status).toBe(0);
      return JSON.parse(p.stdout) as Result;
    };
    const threaded = run(2);
    expect(digest(threaded)).toBe(digest(run(1)));
    expect(digest(threaded)).toBe(digest(runScenario(bundled('incast-uet.yaml', ['engine.partitions=2']))));
  });

  it("window by window the run is runScenario's; progress comes between windows, and a cancel there stops it", () => {
    const s = bundled('incast-uet.yaml', ['engine.partitions=2']);
    const parts = buildPartitions(s);
    const turns = new PartitionTurns(parts, stopLimits(parts[0]), stallPsOf(parts[0]));
    let windows = 0;
    while (turns.step() === null) windows++;
    expect(windows).toBeGreaterThan(100);
    expect(digest(collectPartitioned(parts, turns.reason!))).toBe(digest(runScenario(s)));
    let reports = 0;
    const cancelled = runScenario(s, {
      onProgress: () => {
        reports++;
      },
      isCancelled: () => reports >= 10,
    });
    expect(cancelled.meta.stopReason).toBe('cancelled');
    expect(reports).toBe(10);
    expect(cancelled.summary.flowsDone).toBeLessThan(cancelled.summary.flowsTotal);
  });
});
