/**
 * Sweep speed-up: 8 variants on 2 worker threads against the same 8 run one after another on
 * one worker thread (the same bundled code and the same start-up costs on both sides; running
 * them in this thread instead would compare the bundle against tsx's slower module-by-module
 * loading). Target (issue #6): parallel ≤ 0.65 × sequential.
 *
 *   npx tsx tools/bench/sweepBench.ts [--jobs 2] [--variants 8] [--size BYTES] [--repeats 5]
 *
 * The variants are the bundled 128-host fat-tree permutation under 8 seeds (each seed its own
 * ECMP placement). Parallel wall time includes starting the worker threads (the worker bundle
 * is built once per process, before the first round).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { parseScenario } from '../../sim/scenario/load.ts';
import { workerPoolRunner } from '../../sim/run/pool.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const jobs = arg('--jobs', 2);
const n = arg('--variants', 8);
// 8 MB flows: each variant runs ~1 s on one warm worker, a realistic sweep point. Fixed costs
// weigh on the ratio: each worker's JIT warm-up (its first variant takes ~1.6 s instead of
// ~0.8 s) and two busy threads slowing each other on this VM (~10–30 %). Measured best of 5:
// 0.63 (single rounds scatter by ±30 % on this VM, hence the alternating rounds).
const size = arg('--size', 8_000_000);
const file = 'scenarios/permutation-roce.yaml';
const text = readFileSync(file, 'utf8');
const variants = Array.from({ length: n }, (_, i) =>
  parseScenario(text, file, [`seed=${i + 1}`, `workload.sizeBytes=${size}`]),
);

const repeats = arg('--repeats', 5);
// Sequential and parallel rounds alternate; the best of each is reported, so a burst of load
// from other processes on a shared machine hits one round rather than one side.
let sequentialMs = Infinity,
  parallelMs = Infinity;
type Out = Awaited<ReturnType<ReturnType<typeof workerPoolRunner>['run']>>;
let seq: Out[] = [];
let par: Out[] = [];
for (let round = 0; round < repeats; round++) {
  const one = workerPoolRunner(1);
  const t0 = performance.now(); // wall clock: benchmark
  seq = [];
  for (const s of variants) seq.push(await one.run(s));
  const ms = performance.now() - t0; // wall clock: benchmark
  await one.close();
  sequentialMs = Math.min(sequentialMs, ms);
  const pool = workerPoolRunner(jobs); // a fresh pool each round: thread start-up is counted
  const t1 = performance.now(); // wall clock: benchmark
  par = await Promise.all(variants.map((s) => pool.run(s)));
  const pms = performance.now() - t1; // wall clock: benchmark
  parallelMs = Math.min(parallelMs, pms);
  await pool.close();
  console.log(`  round ${round + 1}: sequential ${(ms / 1000).toFixed(2)} s, parallel ${(pms / 1000).toFixed(2)} s`);
}

const canon = (o: Out) => JSON.stringify({ ...o.result, meta: { ...o.result.meta, wallMs: 0 } });
const same = par.every((p, i) => canon(p) === canon(seq[i]));
const ratio = parallelMs / sequentialMs;
console.log(`sweep bench: ${n} variants (${file}, sizeBytes ${size}), ${availableParallelism()} cores`);
console.log(`  1 worker thread:          ${(sequentialMs / 1000).toFixed(2)} s`);
console.log(
  `  ${jobs} worker threads:       ${(parallelMs / 1000).toFixed(2)} s  (ratio ${ratio.toFixed(3)}, target ≤ 0.65: ${ratio <= 0.65 ? 'met' : 'NOT met'})`,
);
console.log(`  results identical: ${same}`);
process.exitCode = same ? 0 : 1;
