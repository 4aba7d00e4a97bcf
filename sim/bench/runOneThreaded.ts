/**
 * One benchmark run of a partitioned scenario with a thread per partition (sim/parallel/), in a
 * fresh process: prints the same JSON line as runOne.ts. Wall-clock reads are the point of a
 * benchmark (allowed here).
 */
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/load.ts';
import { runPartitionedThreaded } from '../parallel/threads.ts';

// argv: --worker ENTRY FILE [path=value]... (the bench passes the partition threads' entry, bundled).
const argv = process.argv.slice(2);
const entry = argv[0] === '--worker' ? argv[1] : undefined;
const [file, ...sets] = entry !== undefined ? argv.slice(2) : argv;
const s = parseScenario(readFileSync(file, 'utf8'), file, sets);
const m0 = process.memoryUsage();
const rss0 = m0.rss;
const run = await runPartitionedThreaded(s, { workerEntry: entry });
const r = run.result;
const fcts = r.flows.filter((f) => f.fctPs >= 0).map((f) => f.fctPs / 1e6).sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  scenarioHash: r.meta.scenarioHash,
  seed: r.meta.seed,
  buildMs: run.buildMs,
  runMs: run.runMs,
  wallMs: run.buildMs + run.runMs,
  events: r.meta.events,
  flowsDone: r.summary.flowsDone,
  flows: r.summary.flowsTotal,
  stopReason: r.meta.stopReason,
  fctP50Us: r.summary.fctUs.p50,
  fctP99Us: r.summary.fctUs.p99,
  fctMaxUs: r.summary.fctUs.max,
  fctUs: fcts,
  peakPackets: run.peakPackets,
  // The other threads' heaps are not visible here: memory is reported as peak RSS (all threads).
  heapGrownBytes: 0,
  grownBytes: process.resourceUsage().maxRSS * 1024 - rss0,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
}) + '\n');
