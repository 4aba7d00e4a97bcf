import { readFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../scenario/schema.ts';
import type { Result } from '../metrics/result.ts';
import { loadScenario, scenarioVariants, scenarioNotes, ScenarioError } from '../scenario/load.ts';
import type { ProgressInfo } from './report.ts';

/** What every command shares: the IO seam, exit codes, usage errors, and reading a scenario with its overrides. */

export type RunScenarioFn = (
  scenario: Scenario,
  options?: {
    onProgress?: (p: ProgressInfo) => void;
    progressEveryEvents?: number;
    isCancelled?: () => boolean;
    readText?: (path: string) => string;
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

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_INVALID = 2;
export const EXIT_REGRESSION = 3;

/** The package's root (sim/cli/ is two levels down); bundles are written one level down too. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A bad command line: reported as one line, exit code 2. */
export class UsageError extends Error {}

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
  /** validate: print each variant's effective congestion-control parameters. */
  explain?: boolean;
}

/** Read and validate FILE with the command line's overrides; every variant it asks to run. */
export function loadFromArgs(args: RunArgs, io: CliIO) {
  if (!args.file) throw new UsageError(`${args.command}: missing scenario FILE (see \`ethersim help\`)`);
  const path = resolve(io.cwd, args.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
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
    throw new Error(`cannot read ${p}: no such file (looked in ${candidates.join(', ')})`);
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

export function safeDirName(name: string, i: number): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s || `variant-${i}`;
}
