/**
 * One benchmark run of a partitioned scenario with a thread per partition (sim/run/parallel/), in a
 * fresh process: prints the same JSON line as runOne.ts. Wall-clock reads are the point of a
 * benchmark (allowed here).
 */
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../sim/scenario/load.ts';
import { runPartitionedThreaded } from '../../sim/run/parallel/threads.ts';
import { runRecord } from './runRecord.ts';

// argv: --worker ENTRY FILE [path=value]... (the bench passes the partition threads' entry, bundled).
const argv = process.argv.slice(2);
const entry = argv[0] === '--worker' ? argv[1] : undefined;
const [file, ...sets] = entry !== undefined ? argv.slice(2) : argv;
const s = parseScenario(readFileSync(file, 'utf8'), file, sets);
const m0 = process.memoryUsage();
const rss0 = m0.rss;
const t0 = performance.now(); // wall clock: benchmark timing
let tBuilt = 0;
let tRun = 0;
// From all partitions built to the last window's end (the merge is not timed, as collectResult is not in runOne).
const run = await runPartitionedThreaded(s, {
  workerEntry: entry,
  onBuilt: () => {
    tBuilt = performance.now();
  }, // wall clock: benchmark timing
  onRunEnd: () => {
    tRun = performance.now();
  }, // wall clock: benchmark timing
});
// The other threads' heaps are not visible here: their memory shows in the peak RSS (all threads).
process.stdout.write(
  runRecord(run.result, {
    buildMs: tBuilt - t0,
    runMs: tRun - tBuilt,
    peakPackets: run.peakPackets,
    heapGrownBytes: 0,
    rss0,
  }),
);
