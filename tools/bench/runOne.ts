/**
 * One benchmark run in a fresh process: parse the scenario, run it, print one JSON line with
 * wall time, events and memory. Wall-clock reads are the point of a benchmark (allowed here).
 */
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../sim/scenario/load.ts';
import { buildSimulation, collectResult, runSimulation } from '../../sim/run/run.ts';
import { runRecord } from './runRecord.ts';

const [file, ...sets] = process.argv.slice(2);
const s = parseScenario(readFileSync(file, 'utf8'), file, sets);
const m0 = process.memoryUsage();
const rss0 = m0.rss;
const t0 = performance.now(); // wall clock: benchmark timing
const sim = buildSimulation(s);
const tBuilt = performance.now(); // wall clock: benchmark timing
const reason = runSimulation(sim);
const tRun = performance.now(); // wall clock: benchmark timing
// JS heap plus memory outside it (typed-array backing stores, and the WebAssembly pages that hold
// the line-aligned records, engine/alignedBuffer.ts — counted in `external`, not `arrayBuffers`),
// grown by building and running, measured while the simulation is alive: its pools only grow, so
// this is their peak size.
const m1 = process.memoryUsage();
const heapGrownBytes = m1.heapUsed + m1.external - (m0.heapUsed + m0.external);
const r = collectResult(sim, reason);
process.stdout.write(
  runRecord(r, {
    buildMs: tBuilt - t0,
    runMs: tRun - tBuilt,
    peakPackets: sim.fabric.pool.highWater,
    heapGrownBytes,
    rss0,
  }),
);
