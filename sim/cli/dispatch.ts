import { readFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import type { Scenario } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';
import { scenarioJsonSchema, scenarioHash, ScenarioError } from '../scenario/load.ts';
import { commandHelp, overviewHelp, parseCommandLine } from './args.ts';
import { formatResultTable, flowsCsv, progressLine, fmtPs, type NamedResult, type ProgressInfo } from './report.ts';
import { writeViewerFiles } from './viewerFiles.ts';
import { PhaseClock, TIMING_SAMPLE_EVENTS } from './timing.ts';
import {
  EXIT_OK,
  EXIT_RUN_FAILED,
  EXIT_INVALID,
  PACKAGE_ROOT,
  UsageError,
  loadFromArgs,
  makeReadText,
  isInputError,
  capLines,
  checkDirNames,
  clampLine,
  printRunNotes,
  safeDirName,
  type CliIO,
  type RunArgs,
  type RunScenarioFn,
} from './io.ts';

/**
 * The command line: `ethersim run|validate|schema|help`. `main` never throws and never exits the
 * process; it returns the exit code (0 ok, 1 run failure, 2 invalid input).
 * It is the one place (with tools/bench*.ts) allowed to read the wall clock.
 */

/** When this module and everything it imports statically had loaded (`run --timing`). */
const loadedMs = performance.now();

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Once: a reader that stops early (`ethersim run … --json | head`) ends the output, not with a stack trace. */
let pipeWatched = false;
function endQuietlyOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

export async function dispatch(argv: string[], ioIn: Partial<CliIO> = {}): Promise<number> {
  if (ioIn.stdout === undefined) endQuietlyOnClosedPipe();
  const io: CliIO = {
    stdout: (s) => {
      process.stdout.write(s);
    },
    stderr: (s) => {
      process.stderr.write(s);
    },
    stderrIsTTY: !!process.stderr.isTTY,
    env: process.env,
    cwd: process.cwd(),
    ...ioIn,
  };
  const fail = (line: string) => io.stderr(`${clampLine(`ethersim: ${line}`)}\n`);
  if (argv[0] === 'verify') {
    // Its options are its own (sim/cli/verify.ts parses them), like bench's.
    try {
      return await (await import('./verify.ts')).verifyCommand(argv.slice(1), io);
    } catch (e) {
      if (e instanceof UsageError) {
        fail(e.message);
        return EXIT_INVALID;
      }
      fail(`internal error: ${(e as Error)?.message ?? String(e)}`);
      return EXIT_RUN_FAILED;
    }
  }
  if (argv[0] === 'bench') {
    // The benchmark runs its scenarios in fresh processes; its options are its own (see tools/bench/bench.ts).
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../..', import.meta.url));
    return (
      spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench/bench.ts', ...argv.slice(1)], {
        stdio: 'inherit',
        cwd: root,
      }).status ?? 1
    );
  }
  try {
    const args = parseCommandLine(argv);
    switch (args.command) {
      case 'help':
        io.stdout(args.file ? commandHelp(args.file) : overviewHelp());
        return EXIT_OK;
      case 'version':
        io.stdout(`ethersim ${packageVersion()}\n`);
        return EXIT_OK;
      case 'schema':
        io.stdout(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
        return EXIT_OK;
      case 'validate':
        return await validateCommand(args, io);
      case 'run':
        return await runCommand(args, io);
      case 'compare':
      case 'sweep':
      case 'merge':
      case 'baseline':
      case 'check': {
        const cmds = await import('./commands.ts');
        return await cmds.commands[args.command](args, io);
      }
      case '':
        io.stderr(overviewHelp());
        return EXIT_INVALID;
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      fail(e.message);
      return EXIT_INVALID;
    }
    if (e instanceof ScenarioError) {
      for (const l of capLines(e.lines)) fail(l);
      return EXIT_INVALID;
    }
    if (isInputError(e)) {
      fail(e.message);
      return EXIT_INVALID;
    }
    fail(`internal error: ${(e as Error)?.message ?? String(e)}`);
    if (io.env.ETHERSIM_DEBUG === '1') io.stderr(`${String((e as Error)?.stack ?? e)}\n`);
    return EXIT_RUN_FAILED;
  }
}

async function validateCommand(args: RunArgs, io: CliIO): Promise<number> {
  const { path, loaded, variants } = loadFromArgs(args, io);
  const s = loaded.scenario;
  // Valid by the schema is not enough: a host index past the topology, an unknown CDF or a buffer
  // smaller than PFC's reservation fail when the run is built, so build what can fail (not the run).
  const readText = makeReadText(path, io.cwd);
  const { checkScenario } = await import('../run/run.ts');
  for (const v of variants) {
    try {
      checkScenario(v.scenario, { readText });
    } catch (e) {
      if (isInputError(e) && variants.length > 1) e.message = `variant "${v.name}": ${e.message}`;
      throw e;
    }
  }
  // The sweep: grid's points too (as `sweep` would expand it), each checked like a variant.
  const sweepPoints =
    s.sweep && Object.keys(s.sweep).length > 0 ? (await import('../run/sweep.ts')).expandSweep(loaded) : [];
  for (const v of sweepPoints) {
    try {
      checkScenario(v.scenario, { readText });
    } catch (e) {
      if (isInputError(e)) e.message = `sweep "${v.name}": ${e.message}`;
      throw e;
    }
  }
  if (args.explain) {
    // Effective congestion-control parameters (docs/congestion-control.md), one line per variant.
    const { explainCc } = await import('../run/explain.ts');
    for (const v of variants) {
      const e = explainCc(v.scenario, { readText });
      const kv = Object.entries(e.params)
        .map(([k, x]) => `${k}=${x}`)
        .join(' ');
      io.stdout(`${variants.length > 1 ? `variant "${v.name}": ` : ''}cc ${e.cc}: ${kv}\n`);
    }
  }
  if (args.quiet) return EXIT_OK;
  io.stdout(
    `${args.file}: ok — "${s.name}", topology ${s.topology.kind}, transport ${s.transport.kind}, seed ${s.seed}, hash ${scenarioHash(s)}\n`,
  );
  if (sweepPoints.length > 0)
    io.stdout(`  sweep: ${sweepPoints.length} variants ok (${Object.keys(s.sweep!).join(' × ')})\n`);
  if (s.compare?.length) {
    for (const v of variants)
      io.stdout(
        `  variant "${v.name}": ok — transport ${v.scenario.transport.kind}, hash ${scenarioHash(v.scenario)}\n`,
      );
  }
  return EXIT_OK;
}

/**
 * Threads for a run: a partitioned scenario gets one per partition when engine.threads allows
 * it (0: when the machine has that many cores); otherwise its partitions take turns in one
 * thread. Never changes the result.
 */
function threadsFor(s: Scenario): number {
  const n = s.engine.partitions;
  if (n <= 1) return 1;
  const allowed = s.engine.threads === 0 ? availableParallelism() : s.engine.threads;
  return allowed >= n ? n : 1;
}

async function runCommand(args: RunArgs, io: CliIO): Promise<number> {
  const clock = args.timing ? new PhaseClock() : null;
  clock?.endAt('cli', loadedMs);
  const { path, loaded, variants } = loadFromArgs(args, io);
  clock?.end('scenario');
  // An --out that cannot be a directory is found now, not after the simulation.
  if (args.out) {
    const outDir = resolve(io.cwd, args.out);
    if (existsSync(outDir) && !statSync(outDir).isDirectory())
      throw new UsageError(`--out ${args.out}: is a file, not a directory`);
    if (variants.length > 1) checkDirNames(variants.map((v) => v.name));
  }
  if (loaded.scenario.compare?.length && !io.runScenario) {
    // Variants run in parallel worker threads (tests that stub the simulator run them in-process).
    const cmds = await import('./commands.ts');
    return cmds.compareVariants(
      args,
      io,
      path,
      variants.map((v) => ({ name: v.name, scenario: v.scenario })),
    );
  }
  // An invalid sweep: block is refused here as by validate and sweep (one rule for all three).
  if (loaded.scenario.sweep && Object.keys(loaded.scenario.sweep).length > 0)
    (await import('../run/sweep.ts')).expandSweep(loaded);
  if (loaded.scenario.sweep && !loaded.scenario.compare?.length && !args.quiet) {
    io.stderr('ethersim: note: the sweep: block is not expanded by `run`; running the base scenario\n');
  }

  let runScenario = io.runScenario;
  if (!runScenario) {
    try {
      runScenario = (await import('../run/run.ts')).runScenario as RunScenarioFn;
    } catch (e) {
      io.stderr(`ethersim: the simulator core (sim/run/run.ts) could not be loaded: ${(e as Error).message}\n`);
      if (io.env.ETHERSIM_DEBUG === '1') io.stderr(`${String((e as Error).stack)}\n`);
      return EXIT_RUN_FAILED;
    }
  }
  clock?.end('core');

  const showProgress = !args.quiet && (args.progress || io.stderrIsTTY);
  const tty = io.stderrIsTTY;
  const readText = makeReadText(path, io.cwd);
  const results: NamedResult[] = [];
  const failed: { name: string; error: string }[] = [];
  const seriesOf = new Map<string, readonly string[]>();
  let exit = EXIT_OK;

  for (const v of variants) {
    const label = variants.length > 1 ? v.name : undefined;
    const timeLimitPs = v.scenario.stop.timeUs ? v.scenario.stop.timeUs * 1e6 : undefined;
    let lastDraw = -Infinity;
    let drewSomething = false;
    const draw = showProgress
      ? (p: ProgressInfo) => {
          const now = performance.now();
          if (now - lastDraw < (tty ? 100 : 1000)) return;
          lastDraw = now;
          const line = progressLine(p, { label, timeLimitPs });
          io.stderr(tty ? `\r${line}\x1b[K` : `${line}\n`);
          drewSomething = true;
        }
      : undefined;
    const onProgress =
      clock !== null
        ? (p: ProgressInfo) => {
            clock.sample(p.events);
            draw?.(p);
          }
        : draw;

    const t0 = performance.now();
    let result: Result;
    try {
      const threads = io.runScenario ? 1 : threadsFor(v.scenario);
      if (threads > 1) {
        // A thread per partition (sim/run/parallel/threads.ts): the same result as one thread, sooner.
        const { runPartitionedThreaded } = await import('../run/parallel/threads.ts');
        const run = await runPartitionedThreaded(v.scenario, {
          baseDir: path ? dirname(path) : io.cwd,
          readText,
          onProgress,
          timing: clock !== null,
          // The merge, the result and the series' text are the report, as in one thread.
          onRunEnd: clock !== null ? () => clock.end('run') : undefined,
          // The page's heatmaps of an opened run come from this (viewerFiles.ts SERIES_FILE).
          onSeries: args.out ? (lines) => seriesOf.set(v.name, lines) : undefined,
        });
        result = run.result;
        if (clock !== null && run.timing !== undefined) {
          clock.endAt('build', t0 + run.timing.readyMs);
          clock.partitions(run.timing.partitions);
        }
      } else {
        result = runScenario(v.scenario, {
          onProgress,
          progressEveryEvents: clock !== null ? TIMING_SAMPLE_EVENTS : onProgress ? 20_000 : undefined,
          readText,
          // The page's heatmaps of an opened run come from this (viewerFiles.ts SERIES_FILE).
          onSeries: args.out ? (lines) => seriesOf.set(v.name, lines) : undefined,
          onPhase: clock !== null ? (phase) => clock.end(phase === 'built' ? 'build' : 'run') : undefined,
        });
      }
    } catch (e) {
      if (drewSomething && tty) io.stderr('\r\x1b[K');
      const where = label ? `variant "${v.name}": ` : '';
      if (isInputError(e)) {
        // The scenario is valid by the schema but not buildable (e.g. a host index past the topology).
        const lines = e instanceof ScenarioError ? e.lines : [(e as Error).message];
        for (const l of capLines(lines)) io.stderr(`${clampLine(`ethersim: ${where}${l}`)}\n`);
        failed.push({ name: v.name, error: lines.join('; ') });
        exit = Math.max(exit, EXIT_INVALID);
        continue;
      }
      const msg = (e as Error)?.message ?? String(e);
      io.stderr(`ethersim: run failed${label ? ` (variant "${v.name}")` : ''}: ${msg}\n`);
      if (io.env.ETHERSIM_DEBUG === '1') io.stderr(`${String((e as Error)?.stack ?? e)}\n`);
      // In a comparison the other variants still run and are reported.
      failed.push({ name: v.name, error: msg });
      if (exit === EXIT_OK) exit = EXIT_RUN_FAILED;
      continue;
    }
    const wallMs = performance.now() - t0;
    // A run function given through CliIO.runScenario (a test's stand-in) need not mark the
    // phases: its build and run then show as one line.
    if (clock !== null && !clock.has('run')) clock.end('run');
    if (drewSomething && tty) io.stderr('\r\x1b[K');
    result.meta.wallMs = wallMs;
    if (label !== undefined) result.meta.name = v.name;
    results.push({ name: v.name, result });
    printRunNotes(io, result, v.scenario, label);
    if (result.meta.stopReason === 'deadlock') {
      const d = result.congestion?.deadlocks[0];
      const cycle = d ? `: cycle ${d.cycle.join(' → ')} (priority ${d.priority}) formed at ${fmtPs(d.formedPs)}` : '';
      io.stderr(
        `ethersim: ${label ? `variant "${v.name}": ` : ''}PFC deadlock detected at ${fmtPs(result.meta.simTimePs)}${cycle}; the run stopped\n`,
      );
      if (exit === EXIT_OK) exit = EXIT_RUN_FAILED;
    }
    if (result.meta.stopReason === 'stalled') {
      const left = result.summary.flowsTotal - result.summary.flowsDone;
      // A partitioned run finds a deadlock in its replayed pause logs, after the run (sim/metrics/pauseLog.ts).
      const d = result.congestion?.deadlocks[0];
      const why = d
        ? `; a PFC deadlock: cycle ${d.cycle.join(' → ')} (priority ${d.priority}) formed at ${fmtPs(d.formedPs)}`
        : '';
      io.stderr(
        `ethersim: ${label ? `variant "${v.name}": ` : ''}the run stalled at ${fmtPs(result.meta.simTimePs)}: nothing delivered for stop.stallUs while ${left} flows were unfinished${why}\n`,
      );
      if (exit === EXIT_OK) exit = EXIT_RUN_FAILED;
    }
  }
  const isCompare = !!loaded.scenario.compare?.length;
  if (results.length === 0 && !(isCompare && args.json)) return exit;

  if (args.out) {
    const outDir = resolve(io.cwd, args.out);
    // Each file to a temporary name, then renamed: a kill mid-write leaves the old file whole.
    const { writeAtomic } = await import('../run/sweep.ts');
    try {
      const multi = results.length > 1;
      results.forEach((r, i) => {
        const dir = multi ? join(outDir, safeDirName(r.name, i)) : outDir;
        mkdirSync(dir, { recursive: true });
        writeAtomic(join(dir, 'result.json'), `${JSON.stringify(r.result)}\n`);
        writeAtomic(join(dir, 'flows.csv'), flowsCsv(r.result.flows, r.result.jobs));
        const v = variants.find((x) => x.name === r.name);
        if (v) writeViewerFiles(dir, v.scenario, writeAtomic, seriesOf.get(r.name));
      });
    } catch (e) {
      io.stderr(`ethersim: cannot write results to ${args.out}: ${(e as Error).message}\n`);
      return EXIT_RUN_FAILED;
    }
  }

  if (args.json) {
    const doc = isCompare
      ? {
          variants: variants.map((v) => {
            const r = results.find((x) => x.name === v.name);
            return r
              ? { name: v.name, result: r.result }
              : { name: v.name, error: failed.find((f) => f.name === v.name)?.error ?? 'failed' };
          }),
        }
      : results[0].result;
    io.stdout(`${JSON.stringify(doc)}\n`);
  } else if (!args.quiet) {
    io.stdout(formatResultTable(results));
  }
  if (clock !== null) {
    clock.end('report');
    io.stderr(clock.format(results.length === 1 ? results[0].result.meta.events : undefined));
  }
  return exit;
}
