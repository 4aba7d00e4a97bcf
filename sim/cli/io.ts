import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';
import { loadScenario, scenarioVariants, scenarioNotes, sizeProblem, ScenarioError } from '../scenario/load.ts';
import { printable, type ProgressInfo } from './report.ts';

/** What every command shares: the IO seam, exit codes, usage errors, and reading a scenario with its overrides. */

export type RunScenarioFn = (
  scenario: Scenario,
  options?: {
    onProgress?: (p: ProgressInfo) => void;
    progressEveryEvents?: number;
    isCancelled?: () => boolean;
    readText?: (path: string) => string;
    /** Receives `series.ndjson`'s lines (sim/metrics/fabricSeries.ts); a stub may ignore them. */
    onSeries?: (lines: readonly string[]) => void;
    onPhase?: (phase: 'built' | 'ran') => void;
  },
) => Result;

/** What `main` touches outside itself; tests replace parts of it. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The simulator; loaded lazily from ./run.ts when not given. When given, compare runs in-process one after another. */
  runScenario?: RunScenarioFn;
  /** Aborting it cancels runs in progress (compare, sweep, baseline, check); the binary wires SIGINT to it. */
  signal?: AbortSignal;
}

export { EXIT_OK, EXIT_RUN_FAILED, EXIT_INVALID, EXIT_REGRESSION, UsageError } from './exitCodes.ts';
import { UsageError } from './exitCodes.ts';

/** The package's root (sim/cli/ is two levels down); bundles are written one level down too. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunArgs {
  command: string;
  file?: string;
  /** Every positional argument after the command (compare and merge take several). */
  files: string[];
  jobs?: number;
  shard?: string;
  baseline?: string;
  seeds?: number;
  alpha?: number;
  tol?: string;
  latencyN?: number;
  seed?: string;
  sets: string[];
  json: boolean;
  out?: string;
  quiet: boolean;
  progress: boolean;
  /** run: print the whole process's time split on stderr (sim/cli/timing.ts). */
  timing?: boolean;
  /** validate: print each variant's effective congestion-control parameters. */
  explain?: boolean;
  /** sweep: write into an --out folder that holds another sweep, clearing its results first. */
  force?: boolean;
}

/** Read and validate FILE with the command line's overrides; every variant it asks to run. */
export function loadFromArgs(args: RunArgs, io: CliIO) {
  if (!args.file) throw new UsageError(`${args.command}: missing scenario FILE (see \`ethersim help\`)`);
  const path = resolve(io.cwd, args.file);
  let text: string;
  try {
    // Refused before it is read: a file past the limit is not a scenario (load.ts MAX_SCENARIO_BYTES).
    const tooBig = sizeProblem(args.file, statSync(path).size);
    if (tooBig) throw new UsageError(tooBig);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new UsageError(`cannot read scenario file ${args.file}: ${why}`);
  }
  const sets = [...args.sets];
  if (args.seed !== undefined) sets.push(`seed=${args.seed}`);
  const loaded = loadScenario(text, args.file, sets);
  const variants = scenarioVariants(loaded);
  const seen = new Set<string>();
  for (const v of variants) {
    for (const n of scenarioNotes(v.scenario)) {
      const line = variants.length > 1 ? `variant "${v.name}": ${n}` : n;
      if (!seen.has(n)) io.stderr(`ethersim: note: ${line}\n`);
      seen.add(n);
    }
  }
  return { path, loaded, variants };
}

/** File reads for the simulator (e.g. a Poisson workload's CDF file): relative to the scenario file, then cwd, then the package. */
export function makeReadText(scenarioPath: string, cwd: string): (p: string, encoding?: 'utf8' | 'latin1') => string {
  return (p: string, encoding: 'utf8' | 'latin1' = 'utf8') => {
    const candidates = isAbsolute(p)
      ? [p]
      : [...new Set([resolve(dirname(scenarioPath), p), resolve(cwd, p), resolve(PACKAGE_ROOT, p)])];
    for (const c of candidates) if (existsSync(c)) return readFileSync(c, encoding);
    const short = (x: string) => (x.length > 60 ? `${x.slice(0, 59)}…` : x);
    throw new Error(`cannot read ${short(p)}: no such file (looked in ${candidates.map(short).join(', ')})`);
  };
}

/**
 * An exception from the simulator that means "this scenario cannot be built" rather than "the
 * simulator failed": a ScenarioError, or any Error whose name is 'ScenarioError' (so layers that
 * may not import sim/scenario can still say so). Reported like validation errors, exit code 2.
 */
export function isInputError(e: unknown): e is Error {
  return e instanceof ScenarioError || (e instanceof Error && e.name === 'ScenarioError');
}

/**
 * Refuse variant names that map to one output folder (`a/b` and `a b` are both `a_b`): one
 * result would silently overwrite the other.
 */
export function checkDirNames(names: string[]): void {
  const seen = new Map<string, string>();
  names.forEach((n, i) => {
    const d = safeDirName(n, i);
    const other = seen.get(d);
    if (other !== undefined)
      throw new UsageError(
        `--out: variants "${other}" and "${n}" would both be written to folder ${d}; rename one (folder names keep letters, digits, '.', '_' and '-')`,
      );
    seen.set(d, n);
  });
}

export function safeDirName(name: string, i: number): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s || `variant-${i}`;
}

/** The most problem lines one error prints: a list of 1,000 bad items is one problem repeated. */
export const MAX_PROBLEM_LINES = 8;

/** A problem list cut to MAX_PROBLEM_LINES, the last line saying how many more there were. */
export function capLines(lines: readonly string[]): string[] {
  if (lines.length <= MAX_PROBLEM_LINES) return [...lines];
  return [
    ...lines.slice(0, MAX_PROBLEM_LINES - 1),
    `… and ${lines.length - MAX_PROBLEM_LINES + 1} more problems (fix the ones above first)`,
  ];
}

/** The longest line the command line prints on stderr: whatever a message echoes is cut to fit. */
export const MAX_MESSAGE_CHARS = 300;

/** One stderr line, cut to MAX_MESSAGE_CHARS (a last guard: messages clip what they echo themselves). */
export function clampLine(line: string): string {
  const one = printable(line.replace(/[\r\n]+/g, ' '));
  return one.length > MAX_MESSAGE_CHARS ? `${one.slice(0, MAX_MESSAGE_CHARS - 1)}…` : one;
}

/** The notes a run found beyond its scenario's (printed when the scenario was loaded): e.g. a lossless class that dropped. */
export function printRunNotes(io: CliIO, result: Result, scenario: Scenario, label?: string): void {
  const known = new Set(scenarioNotes(scenario));
  for (const n of result.notes ?? [])
    if (!known.has(n)) io.stderr(`${clampLine(`ethersim: note: ${label ? `variant "${label}": ` : ''}${n}`)}\n`);
}
