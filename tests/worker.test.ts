import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runScenario } from '../sim/run/run.ts';
import { runScenarioAsync } from '../sim/run/runAsync.ts';
import { spawnSimWorker, proxy, type SimWorker } from '../sim/run/workerClient.ts';
import { simWorkerApi } from '../sim/run/worker.ts';
import { workerBundleEntry } from '../sim/run/workerBundle.ts';
import type { Result } from '../sim/metrics/result.ts';
import { bundled } from './helpers/scenario.ts';

/** Result JSON without the one non-deterministic field. */
function canon(r: Result): string {
  return JSON.stringify({ ...r, meta: { ...r.meta, wallMs: 0 } });
}

const workers: SimWorker[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

// dcqcn-fairness shortened: DCQCN, ECN, flow traces and queue series all end up in the result.
const FAIR_SETS = ['stop.timeUs=300'];

describe('sliced (async) run', () => {
  it('is byte-identical to runScenario whatever the slice size, with snapshots taken', { tags: ['slow'] }, async () => {
    const s = bundled('incast-roce.yaml');
    const ref = canon(runScenario(s));
    for (const sliceEvents of [1, 997, 65536]) {
      if (sliceEvents === 1) {
        // one event per slice on a prefix is enough to exercise every boundary case cheaply
        const short = bundled('incast-roce.yaml', ['stop.maxEvents=3000']);
        expect(canon(await runScenarioAsync(short, { sliceEvents: 1, yieldFn: async () => {} }))).toBe(
          canon(runScenario(short)),
        );
        continue;
      }
      let snaps = 0;
      const r = await runScenarioAsync(s, {
        sliceEvents,
        onSnapshot: () => {
          snaps++;
        },
        snapshotEverySlices: 3,
      });
      expect(canon(r)).toBe(ref);
      if (sliceEvents === 997) expect(snaps).toBeGreaterThan(5);
    }
    const f = bundled('dcqcn-fairness.yaml', FAIR_SETS);
    expect(canon(await runScenarioAsync(f, { sliceEvents: 4099 }))).toBe(canon(runScenario(f)));
  });
});

describe('worker face', () => {
  it('main thread and a Node worker thread (tsx entry and pre-built bundle) give byte-identical result JSON', {
    tags: ['slow'],
  }, async () => {
    const w = spawnSimWorker();
    const entry = await workerBundleEntry();
    expect(entry).toMatch(/worker\.mjs$/);
    const wb = spawnSimWorker(entry);
    workers.push(w, wb);
    for (const [file, sets] of [
      ['incast-roce.yaml', ['seed=7']],
      ['dcqcn-fairness.yaml', FAIR_SETS],
      ['incast-roce.yaml', ['engine.partitions=2']],
    ] as const) {
      const text = readFileSync(`scenarios/${file}`, 'utf8');
      const main = runScenario(bundled(file, [...sets]));
      let progress = 0;
      const viaWorker = await w.call((api) =>
        api.run(
          text,
          { sets: [...sets], progressEveryMs: 0 },
          proxy(() => {
            progress++;
          }),
        ),
      );
      // Progress reports are fire-and-forget on the callback's own port: they may land after the result.
      await expect.poll(() => progress).toBeGreaterThan(0);
      expect(viaWorker.meta.wallMs).toBeGreaterThan(0);
      expect(canon(viaWorker)).toBe(canon(main));
      expect(canon(await wb.call((api) => api.run(text, { sets: [...sets] })))).toBe(canon(main));
      // and the in-process face (what a browser worker runs) agrees as well, from a raw object
      const raw = bundled(file, [...sets]);
      expect(canon(await simWorkerApi.run(raw))).toBe(canon(main));
    }
  });

  it('an invalid scenario rejects with a ScenarioError naming the path', { tags: ['slow'] }, async () => {
    const w = spawnSimWorker();
    workers.push(w);
    const err = await w.api
      .run(
        'topology: { kind: fatTree, k: 3 }\ntransport: { kind: roce }\nworkload: { kind: permutation, sizeBytes: 1 }\n',
      )
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.name).toBe('ScenarioError');
    expect(err?.message).toMatch(/topology\.k: expected an even integer/);
  });

  // A liveness check, not a speed measurement: uncancelled, this run (2 GB flows) would go on for
  // minutes; the cancel must end it within seconds, and the worker must stay usable. (On an idle
  // machine it takes well under 200 ms; the bound leaves room for a machine shared with other jobs.)
  it('cancel from the worker face stops a long run promptly', { tags: ['slow'] }, async () => {
    const w = spawnSimWorker();
    workers.push(w);
    await w.call((api) => api.version());
    const text = readFileSync('scenarios/permutation-roce.yaml', 'utf8');
    let resolveStarted!: () => void;
    const started = new Promise<void>((r) => {
      resolveStarted = r;
    });
    let events = 0;
    const run = w.api.run(
      text,
      { progressEveryMs: 0, sets: ['workload.sizeBytes=2000000000'] },
      proxy((p: { events: number }) => {
        events = p.events;
        resolveStarted();
      }),
    );
    await Promise.race([started, w.dead]);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await w.api.cancel();
    const r = await run;
    const ms = performance.now() - t0;
    expect(r.meta.stopReason).toBe('cancelled');
    expect(r.summary.flowsDone).toBeLessThan(r.summary.flowsTotal);
    expect(events).toBeGreaterThan(0);
    expect(ms).toBeLessThan(10_000);
    // the worker is still usable after a cancel
    expect((await w.api.run(readFileSync('scenarios/dumbbell.yaml', 'utf8'))).meta.stopReason).toBe('allFlowsDone');
  });
});

describe('runners (sim/run/pool.ts)', () => {
  it('the in-process runner (--jobs 1) reports the wall time as the worker pool does, and the same result otherwise', async () => {
    const { inProcessRunner } = await import('../sim/run/pool.ts');
    const runner = inProcessRunner();
    const s = bundled('dumbbell.yaml');
    const d = await runner.run(s);
    await runner.close();
    // It was 0, so compare and sweep printed "wall time 0.0 ms" with one job.
    expect(d.result.meta.wallMs).toBeGreaterThan(0);
    const want = runScenario(s);
    expect(JSON.stringify({ ...d.result, meta: { ...d.result.meta, wallMs: 0 } })).toBe(JSON.stringify(want));
  });
});
