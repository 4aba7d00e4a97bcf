/**
 * `npm run bench`: a benchmark, not a test. Runs a fixed set of scenarios several times, each
 * in a fresh Node process, and prints per scenario the median and spread of wall time,
 * events, events/s, peak RSS, and memory per in-flight packet, divided by the peak number of
 * live packets: "heap B/pkt" is the JS heap plus typed-array stores grown by building and running
 * (runOne.ts), "RSS B/pkt" the peak RSS over the RSS before building; `--json` prints JSON.
 * Scenarios with a recorded distribution baseline (the 1024-host runs) are also checked against
 * it, as `ethersim check` would (sim/regression/baseline.ts): a speed-up must not change the
 * physics (column "vs baseline"); and every run of a scenario must give the same FCTs (the runs
 * are deterministic).
 * Also: the event-queue hold benchmark (calendar queue vs typed-array heap vs js-sdsl's
 * PriorityQueue; heap vs fixed-delay lanes when delays recur) with the machine-speed line it
 * gives, the memory line (memoryLatency.ts), and the cost of the congestion analysis on
 * permutation-roce.
 *
 *   npm run bench [-- --runs N] [--large] [--only NAME] [--json] [--no-queue] [--no-analysis] [--sweep] [--tsx] [--profile] [--help]
 * (benchArgs.ts parses them: an unknown option or a bad value is refused before anything runs)
 *
 * `--profile` adds an instruction profile of the 1024-host runs (those `--only` selects, one
 * thread): instructions per event and the most expensive functions, under callgrind
 * (instructionProfile.ts), which do not depend on the VM's speed of the day.
 * `--sweep` also runs tools/bench/sweepBench.ts (8 sweep variants on 2 worker threads against
 * the same run one after another).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { PriorityQueue } from 'js-sdsl';
import { CalendarQueue } from '../../sim/engine/calendarQueue.ts';
import { EventQueue } from '../../sim/engine/eventQueue.ts';
import { memoryLatency } from './memoryLatency.ts';
import { median } from './median.ts';
import { LaneQueue } from '../../sim/engine/laneQueue.ts';
import { RandomStreams } from '../../sim/engine/random.ts';
import { readFileSync } from 'node:fs';
import { bundleToTempFile } from '../../sim/run/workerBundle.ts';
import { compareToBaseline, fctSampleOfSeeds, parseBaseline, type CheckReport } from '../../sim/regression/baseline.ts';
import { hasValgrind, profileRun, type InstructionProfile } from './instructionProfile.ts';
import { BENCH_USAGE, parseBenchArgs, type BenchArgs } from './benchArgs.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** threaded: a partitioned run with a thread per partition (sim/run/parallel/threads.ts). */
interface Case {
  name: string;
  file: string;
  sets?: string[];
  large?: boolean;
  /** In the --huge set only (65,536 hosts: minutes each). */
  huge?: boolean;
  /** A smaller run of the same traffic whose FCT tail over ideal (p99 slowdown) this one's must
   *  match within 10 %: scale must not change the physics (issue: 65,536 against 8,192 hosts). */
  shapeOf?: string;
  baseline?: string;
  threaded?: boolean;
}
const CASES: Case[] = [
  { name: 'incast 32→1 RoCE+PFC 400G', file: 'scenarios/incast-roce.yaml' },
  { name: 'perm 128 2MB 400G RoCE/ECMP', file: 'scenarios/permutation-roce.yaml' },
  { name: 'perm 128 2MB 400G UET/spray', file: 'scenarios/permutation-uet.yaml' },
  {
    name: 'perm 1024 2MB 400G RoCE/ECMP',
    file: 'scenarios/bench/permutation-1024-roce.yaml',
    baseline: 'scenarios/bench/baselines/permutation-1024-roce.json',
  },
  {
    name: 'perm 1024 2MB 400G UET/spray',
    file: 'scenarios/bench/permutation-1024-uet.yaml',
    baseline: 'scenarios/bench/baselines/permutation-1024-uet.json',
  },
  { name: 'perm 8192 2MB 100G UET/spray', file: 'scenarios/bench/permutation-8192-uet.yaml', large: true },
  // k = 64 fat trees, routed by rules (sim/net/routing.ts): --huge only.
  {
    name: 'perm 65536 2MB 400G UET/spray',
    file: 'scenarios/bench/permutation-65536-uet.yaml',
    huge: true,
    shapeOf: 'scenarios/bench/permutation-8192-uet.yaml',
  },
  { name: 'perm 65536 2MB 400G RoCE/ECMP', file: 'scenarios/bench/permutation-65536-roce.yaml', huge: true },
  // HPCC on the RoCE permutation: the cost of INT (a side-table record per switch hop, echoed in
  // every ACK) and the per-ACK rate update, beside the cc: none row above (docs/reference/cc-family.md §1.1).
  {
    name: 'perm 1024 2MB 400G RoCE/HPCC',
    file: 'scenarios/bench/permutation-1024-roce.yaml',
    sets: ['transport.cc=hpcc'],
  },
  // The same runs cut in two partitions, a thread each (engine.partitions, sim/run/parallel/), checked
  // against the unpartitioned runs' baselines (the hash leaves `engine` out).
  {
    name: 'perm 1024 UET/spray, 2 threads',
    file: 'scenarios/bench/permutation-1024-uet.yaml',
    sets: ['engine.partitions=2'],
    threaded: true,
    baseline: 'scenarios/bench/baselines/permutation-1024-uet.json',
  },
  {
    name: 'perm 1024 RoCE/ECMP, 2 threads',
    file: 'scenarios/bench/permutation-1024-roce.yaml',
    sets: ['engine.partitions=2'],
    threaded: true,
    baseline: 'scenarios/bench/baselines/permutation-1024-roce.json',
  },
  {
    name: 'perm 8192 UET/spray, 2 threads',
    file: 'scenarios/bench/permutation-8192-uet.yaml',
    sets: ['engine.partitions=2'],
    threaded: true,
    large: true,
  },
  {
    name: 'perm 65536 RoCE/ECMP, 2 threads',
    file: 'scenarios/bench/permutation-65536-roce.yaml',
    sets: ['engine.partitions=2'],
    threaded: true,
    huge: true,
  },
];

interface One {
  scenarioHash: string;
  seed: number;
  fctUs: number[];
  heapGrownBytes: number;
  wallMs: number;
  runMs: number;
  events: number;
  maxRssMB: number;
  grownBytes: number;
  peakPackets: number;
  fctP99Us: number;
  slowdownP99: number;
  flowsDone: number;
  flows: number;
}

/**
 * runOne.ts bundled once (as the CLI and the worker pool run the core: from one bundle; through
 * tsx's loader module by module the core is 10–25 % slower). --tsx measures the loader path.
 */
let runOneArgs: string[] | undefined;
/** runOneThreaded.ts, and the partition threads' entry (bundled as well unless --tsx). */
let runThreadedArgs: string[] | undefined;
async function prepareRunOne(viaTsx: boolean): Promise<void> {
  const entry = join(root, 'tools/bench/runOne.ts');
  runOneArgs = viaTsx ? ['--import', 'tsx', entry] : [await bundleToTempFile(pathToFileURL(entry))];
  const threaded = join(root, 'tools/bench/runOneThreaded.ts');
  const worker = viaTsx
    ? join(root, 'sim/run/parallel/partitionWorkerTsx.mjs')
    : await bundleToTempFile(pathToFileURL(join(root, 'sim/run/parallel/partitionWorker.ts')));
  runThreadedArgs = viaTsx
    ? ['--import', 'tsx', threaded, '--worker', worker]
    : [await bundleToTempFile(pathToFileURL(threaded)), '--worker', worker];
}

function runOnce(c: Case, extraSets: string[] = []): One {
  const args = c.threaded ? runThreadedArgs! : runOneArgs!;
  const p = spawnSync(process.execPath, [...args, join(root, c.file), ...(c.sets ?? []), ...extraSets], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (p.status !== 0) throw new Error(`${c.name}: ${p.stderr.trim().split('\n').pop()}`);
  return JSON.parse(p.stdout);
}

/**
 * The scenario's FCTs under the baseline's own seeds (the timed run's seed plus untimed runs of
 * the others) against the recorded baseline: FCT quantiles and KS, as `ethersim check --seed`
 * would. Same seeds, because one seed's flows are a correlated cluster (docs/regression.md#the-design-effect): a single seed against a pool of three differs by more than the KS test allows
 * for independent draws, whatever the code.
 */
function checkAgainstBaseline(c: Case, timed: One): CheckReport {
  const base = parseBaseline(readFileSync(join(root, c.baseline!), 'utf8'), c.baseline);
  const runs = base.seeds.map((seed) => (seed === timed.seed ? timed : runOnce(c, [`seed=${seed}`])));
  const perSeed = runs.map((r) => [...r.fctUs, ...Array<number>(r.flows - r.flowsDone).fill(Infinity)]);
  return compareToBaseline(base, {
    name: c.name,
    scenarioHash: timed.scenarioHash,
    seeds: runs.map((r) => r.seed),
    ...fctSampleOfSeeds(perSeed),
    latencySeedQuantiles: [],
    latencyBuckets: [],
    hasLatencyBuckets: false,
  });
}

function baselineVerdict(r: CheckReport): string {
  if (!r.hashMatch) return 'hash mismatch';
  const ks = r.rows.find((x) => x.distribution === 'fct' && x.test === 'KS')!;
  return `${r.ok ? 'ok' : `MOVED: ${r.moved.join(', ')}`} (KS D ${ks.change.toFixed(3)} ≤ ${ks.limit.toFixed(3)})`;
}

const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

function queueBench(): Array<{ queue: string; pending: number; mHoldsPerSec: number }> {
  const out: Array<{ queue: string; pending: number; mHoldsPerSec: number }> = [];
  const holds = 2_000_000;
  for (const n of [1e3, 1e4, 1e5]) {
    for (const name of ['calendar', 'heap', 'js-sdsl'] as const) {
      const rng = new RandomStreams(1).stream('hold');
      let ms: number;
      if (name === 'js-sdsl') {
        // Events as objects ordered by (time, seq): the FIFO-tie comparator a simulator needs.
        const q = new PriorityQueue<{ t: number; s: number }>([], (a, b) => a.t - b.t || a.s - b.s);
        let seq = 0;
        for (let i = 0; i < n; i++) q.push({ t: rng.exp(1e6), s: seq++ });
        const t0 = performance.now(); // wall clock: benchmark timing
        for (let i = 0; i < holds; i++) {
          const e = q.pop()!;
          q.push({ t: e.t + Math.floor(rng.exp(1e6)), s: seq++ });
        }
        ms = performance.now() - t0; // wall clock: benchmark timing
      } else {
        const q = name === 'calendar' ? new CalendarQueue(1024) : new EventQueue(1024);
        for (let i = 0; i < n; i++) q.push(Math.floor(rng.exp(1e6)), 0, i, 0);
        const t0 = performance.now(); // wall clock: benchmark timing
        for (let i = 0; i < holds; i++) {
          q.pop();
          q.push(q.popTime + Math.floor(rng.exp(1e6)), 0, i, 0);
        }
        ms = performance.now() - t0; // wall clock: benchmark timing
      }
      out.push({ queue: name, pending: n, mHoldsPerSec: holds / ms / 1000 });
    }
    // A network's delays recur (serialisation and flight times of a few packet sizes and link
    // classes): the hold again with 8 distinct delays, through the heap and through the lanes.
    const delays = [83_840, 84_160, 1_083_840, 1_084_160, 1_520, 1_001_520, 2_083_840, 41_920];
    for (const name of ['heap/8 delays', 'lanes/8 delays'] as const) {
      const rng = new RandomStreams(1).stream('hold');
      const pick = () => delays[Math.floor(rng.next() * delays.length)];
      let ms: number;
      if (name === 'heap/8 delays') {
        const q = new EventQueue(1024);
        for (let i = 0; i < n; i++) q.push(Math.floor(rng.exp(1e6)), 0, i, 0);
        const t0 = performance.now(); // wall clock: benchmark timing
        for (let i = 0; i < holds; i++) {
          q.pop();
          q.push(q.popTime + pick(), 0, i, 0);
        }
        ms = performance.now() - t0; // wall clock: benchmark timing
      } else {
        const q = new LaneQueue(1024);
        for (let i = 0; i < n; i++) q.push(Math.floor(rng.exp(1e6)), 0, i, 0);
        const t0 = performance.now(); // wall clock: benchmark timing
        for (let i = 0; i < holds; i++) {
          q.pop();
          q.pushAfter(q.popTime, pick(), 0, i, 0);
        }
        ms = performance.now() - t0; // wall clock: benchmark timing
      }
      out.push({ queue: name, pending: n, mHoldsPerSec: holds / ms / 1000 });
    }
  }
  return out;
}

async function main(args: BenchArgs) {
  const { json, large, runs, only } = args;
  const selected = (c: Case) => only === undefined || c.name.includes(only) || c.file.includes(only);
  await prepareRunOne(args.tsx);
  const rows = [];
  for (const c of CASES) {
    if (c.large && !large) continue;
    if ((c.huge === true) !== args.huge) continue;
    if (!selected(c)) continue;
    const rs: One[] = [];
    const n = c.large || c.huge ? 1 : runs;
    for (let i = 0; i < n; i++) {
      rs.push(runOnce(c));
      if (!json) process.stderr.write('.');
    }
    const evps = rs.map((r) => r.events / (r.runMs / 1000));
    const fcts = JSON.stringify(rs[0].fctUs);
    const deterministic = rs.every((r) => r.events === rs[0].events && JSON.stringify(r.fctUs) === fcts);
    const check = c.baseline ? checkAgainstBaseline(c, rs[0]) : undefined;
    let shape: { of: string; ratio: number; ok: boolean } | undefined;
    if (c.shapeOf !== undefined) {
      const small = runOnce({ name: c.shapeOf, file: c.shapeOf });
      const ratio = rs[0].slowdownP99 / small.slowdownP99;
      shape = { of: c.shapeOf, ratio, ok: Math.abs(ratio - 1) <= 0.1 };
      if (!shape.ok) process.exitCode = 1;
    }
    rows.push({
      scenario: c.name,
      file: c.file,
      sets: c.sets ?? [],
      runs: n,
      threaded: c.threaded === true,
      wallMs: median(rs.map((r) => r.wallMs)),
      wallSpreadMs: spread(rs.map((r) => r.wallMs)),
      runMs: median(rs.map((r) => r.runMs)),
      events: median(rs.map((r) => r.events)),
      eventsPerSec: median(evps),
      eventsPerSecSpread: spread(evps),
      peakRssMB: median(rs.map((r) => r.maxRssMB)),
      peakPackets: median(rs.map((r) => r.peakPackets)),
      bytesPerPacket: median(rs.map((r) => r.grownBytes / Math.max(1, r.peakPackets))),
      // Not measurable with partition threads (their heaps are not visible from here): null.
      heapBytesPerPacket: c.threaded ? null : median(rs.map((r) => r.heapGrownBytes / Math.max(1, r.peakPackets))),
      fctP99Us: median(rs.map((r) => r.fctP99Us)),
      flowsDone: `${rs[0].flowsDone}/${rs[0].flows}`,
      deterministic,
      vsBaseline: check
        ? { file: c.baseline, ok: check.ok, moved: check.moved, verdict: baselineVerdict(check) }
        : shape
          ? {
              file: shape.of,
              ok: shape.ok,
              moved: shape.ok ? [] : ['slowdown p99'],
              verdict: `${shape.ok ? 'ok' : 'MOVED'}: p99 slowdown ${shape.ratio.toFixed(3)}× the smaller run's (±10 %)`,
            }
          : undefined,
    });
    if (!deterministic || (check && !check.ok)) process.exitCode = 1;
  }
  const queue = args.noQueue ? [] : queueBench();
  const machineSpeed = machineSpeedOf(queue);
  const memory = args.noQueue ? null : memoryLatency();
  const profiles: Array<{ scenario: string } & InstructionProfile> = [];
  if (args.profile) {
    if (!hasValgrind()) throw new Error('--profile needs valgrind (Debian package valgrind)');
    const bundle = await bundleToTempFile(pathToFileURL(join(root, 'tools/bench/runOne.ts')));
    for (const c of CASES) {
      if (c.large || c.huge || c.threaded || !c.file.includes('1024') || !selected(c)) continue;
      profiles.push({ scenario: c.name, ...profileRun(bundle, [join(root, c.file), ...(c.sets ?? [])], root) });
      if (!json) process.stderr.write('.');
    }
  }
  let analysisOverhead: number | undefined;
  if (!args.noAnalysis) {
    const entry = join(root, 'tools/bench/analysisOverhead.ts');
    const entryArgs = args.tsx ? ['--import', 'tsx', entry] : [await bundleToTempFile(pathToFileURL(entry))];
    const p = spawnSync(process.execPath, entryArgs, { cwd: root, encoding: 'utf8' });
    if (p.status === 0) analysisOverhead = JSON.parse(p.stdout).overhead;
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          scenarios: rows,
          queue,
          analysisOverhead,
          machineSpeedVsReference: machineSpeed,
          memoryLatencyNs: memory?.nsPerRead ?? null,
          profiles,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  process.stderr.write('\n');
  const head = [
    'scenario',
    'wall ms (±)',
    'events',
    'M ev/s (±)',
    'RSS MB',
    'peak pkts',
    'heap B/pkt',
    'RSS B/pkt',
    'FCT p99 µs',
    'flows',
    'vs baseline',
  ];
  const table = rows.map((r) => [
    r.scenario,
    `${r.wallMs.toFixed(0)} (${r.wallSpreadMs.toFixed(0)})`,
    String(r.events),
    `${(r.eventsPerSec / 1e6).toFixed(2)} (${(r.eventsPerSecSpread / 1e6).toFixed(2)})`,
    r.peakRssMB.toFixed(0),
    String(r.peakPackets),
    r.heapBytesPerPacket === null ? '—' : r.heapBytesPerPacket.toFixed(0),
    r.bytesPerPacket.toFixed(0),
    r.fctP99Us.toFixed(1),
    r.flowsDone,
    (r.deterministic ? '' : 'RUNS DIFFER; ') + (r.vsBaseline?.verdict ?? '—'),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i])))
      .join('  ')
      .trimEnd();
  console.log(line(head));
  for (const t of table) console.log(line(t));
  if (analysisOverhead !== undefined)
    console.log(
      `\ncongestion analysis overhead (permutation-roce with 8 MB flows, CPU time, interleaved in one process): ${(analysisOverhead * 100).toFixed(1)} %`,
    );
  if (queue.length > 0) {
    console.log('\nevent queue hold benchmark (M holds/s):');
    for (const n of [1e3, 1e4, 1e5]) {
      console.log(
        `  ${String(n).padStart(6)} pending: ` +
          queue
            .filter((q) => q.pending === n)
            .map((q) => `${q.queue} ${q.mHoldsPerSec.toFixed(1)}`)
            .join(', '),
      );
    }
    if (machineSpeed !== null) {
      console.log(
        `machine speed: js-sdsl held ${machineSpeed.toFixed(2)}× the rates performance.md gives for this machine class ` +
          `(${Object.values(REFERENCE_JS_SDSL_HOLDS).join(', ')} M holds/s at 10^3, 10^4, 10^5 pending; geometric mean)`,
      );
    }
  }
  if (memory !== null)
    console.log(
      `memory: ${memory.nsPerRead.toFixed(0)} ns per dependent read of a random line in ${memory.mib} MiB ` +
        '(what runs of 8,192 hosts and more wait on; the machine-speed line does not see it)',
    );
  if (profiles.length > 0) {
    console.log(
      '\ninstruction profile (callgrind, node --single-threaded: the same code gives the same hot-function counts, totals within 0.1 %):',
    );
    for (const pr of profiles) {
      console.log(
        `  ${pr.scenario}: ${(pr.instructions / 1e9).toFixed(2)} G instructions, ${(pr.instructions / pr.events).toFixed(0)} per event`,
      );
      for (const f of pr.top)
        console.log(`    ${((100 * f.instructions) / pr.instructions).toFixed(1).padStart(5)} %  ${f.name}`);
    }
  }
}

/**
 * js-sdsl's hold rates on the reference machine of this machine class (docs/reference/
 * performance.md, "Event queue", M holds/s by pending events): a third-party queue none of this
 * project's changes touch, so its rate here over these says how fast this VM ran today.
 */
const REFERENCE_JS_SDSL_HOLDS: Record<number, number> = { 1000: 6.9, 10000: 5.1, 100000: 2.1 };

function machineSpeedOf(queue: Array<{ queue: string; pending: number; mHoldsPerSec: number }>): number | null {
  const ratios = queue
    .filter((q) => q.queue === 'js-sdsl' && q.pending in REFERENCE_JS_SDSL_HOLDS)
    .map((q) => q.mHoldsPerSec / REFERENCE_JS_SDSL_HOLDS[q.pending]);
  if (ratios.length === 0) return null;
  return Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
}

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2));
  const { only, large } = args;
  if (
    only !== undefined &&
    !CASES.some(
      (c) => (c.name.includes(only) || c.file.includes(only)) && (large || !c.large) && (c.huge === true) === args.huge,
    )
  ) {
    throw new Error(
      `--only ${JSON.stringify(only)} matches no case${large ? '' : ' (without --large)'}: ${CASES.filter(
        (c) => large || !c.large,
      )
        .map((c) => JSON.stringify(c.name))
        .join(', ')}`,
    );
  }
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(2);
}
if (args.help) {
  console.log(BENCH_USAGE);
  process.exit(0);
}
try {
  await main(args);
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
}
if (args.sweep) {
  const p = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'tools/bench/sweepBench.ts')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (p.status !== 0) process.exitCode = p.status ?? 1;
}
