import { parseArgs as parseNodeArgs } from 'node:util';
import { UsageError } from './exitCodes.ts';
import type { RunArgs } from './io.ts';

/**
 * The command line's grammar: every command with the options it takes, parsed strictly by
 * node:util's parseArgs. An option a command does not take is an error naming the option and the
 * command (exit 2), and `ethersim COMMAND --help` prints that command's options alone.
 */

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help, e.g. N or DIR. */
  value?: string;
  help: string;
}

/** Every option any command takes, described once. */
const OPTIONS = {
  seed: { type: 'string', value: 'N', help: "Use seed N (an integer ≥ 0) instead of the scenario's seed." },
  set: {
    type: 'string',
    short: 's',
    multiple: true,
    value: 'path=value',
    help:
      'Override a field, e.g. --set transport.kind=uet, --set switch.pfc.enabled=false,\n' +
      '--set topology.k=8, --set workload.0.sizeBytes=65536 (repeatable; the value is read as\n' +
      'YAML). A path the schema does not have is an error.',
  },
  json: { type: 'boolean', help: 'Print the result as one JSON document on stdout and nothing else.' },
  out: { type: 'string', short: 'o', value: 'DIR', help: 'Write the results to DIR.' },
  quiet: { type: 'boolean', short: 'q', help: 'No table and no progress (errors still go to stderr).' },
  progress: { type: 'boolean', help: 'Show progress on stderr even when it is not a terminal.' },
  timing: {
    type: 'boolean',
    help:
      "Print on stderr where the process's wall time went: Node's start, loading the modules,\n" +
      'reading the scenario, building, running (events/s over the first and second half of the\n' +
      'events) and the report. Results are unchanged.',
  },
  jobs: { type: 'string', short: 'j', value: 'N', help: 'Worker threads (default: one per core).' },
  shard: {
    type: 'string',
    value: 'I/N',
    help: 'Run only every N-th variant, starting at the I-th (1-based): for job arrays.',
  },
  force: {
    type: 'boolean',
    help: 'An --out folder that holds another sweep is cleared first (without --force: refused).',
  },
  baseline: { type: 'string', value: 'FILE', help: 'The baseline JSON written by `ethersim baseline`.' },
  seeds: { type: 'string', value: 'N', help: 'Number of seeds to run (default 4).' },
  alpha: { type: 'string', value: 'A', help: "The KS test's significance level, in (0, 1) (default 0.01)." },
  tol: {
    type: 'string',
    value: 'LIST',
    help: 'Per-quantile tolerances, e.g. p50=0.05,p99=0.1,p999=0.15 (or p50=5%).',
  },
  'latency-n': {
    type: 'string',
    value: 'N',
    help: 'Effective sample size of the per-packet latency, per side (default 1000).',
  },
  explain: {
    type: 'boolean',
    help: "Print each variant's congestion control with every parameter as it will run (defaults filled in).",
  },
  help: { type: 'boolean', short: 'h', help: "Print this command's options." },
} satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;

interface CommandSpec {
  /** What follows the command name in the usage line, e.g. 'FILE' or 'DIR...'. */
  operands: string;
  minOperands: number;
  maxOperands: number;
  summary: string;
  options: OptionName[];
  /** Help text particular to the command's options (overrides OPTIONS[name].help). */
  optionHelp?: Partial<Record<OptionName, string>>;
}

const RUN_OPTS: OptionName[] = ['seed', 'set', 'json', 'out', 'quiet', 'progress', 'jobs'];

/** The commands, in the order help lists them. `bench` passes its arguments to the benchmark. */
export const COMMANDS: Record<string, CommandSpec> = {
  run: {
    operands: 'FILE',
    minOperands: 1,
    maxOperands: 1,
    summary:
      'Simulate the scenario in FILE (YAML or JSON) and print a summary table. With a compare:\n' +
      'block, runs every variant and prints them side by side. A scenario with\n' +
      'engine.partitions: N runs on N threads when there are the cores.',
    options: [...RUN_OPTS, 'timing'],
    optionHelp: {
      out: 'Write DIR/result.json, flows.csv, scenario.json and series.ndjson (a subfolder per compare variant).',
      jobs: 'Worker threads for the variants of a compare: block (default: one per core).',
    },
  },
  compare: {
    operands: 'FILE...',
    minOperands: 1,
    maxOperands: Infinity,
    summary:
      "Run the variants of FILE's compare: block, or several FILEs, in parallel worker threads and\n" +
      'print them side by side (--json: {"variants":[{"name","result"}]}).',
    options: RUN_OPTS,
    optionHelp: { out: 'Write DIR/<variant>/result.json, flows.csv, scenario.json and series.ndjson.' },
  },
  sweep: {
    operands: 'FILE',
    minOperands: 1,
    maxOperands: 1,
    summary:
      "Run the grid of FILE's sweep: block in parallel; write results.csv (one row per variant and\n" +
      'metric), variants/<id>/ (result.json, scenario.json, series.ndjson) and sweep.json to --out\n' +
      '(default out/<name>-sweep).\n' +
      'Finished variants are skipped when re-run.',
    options: ['jobs', 'shard', 'out', 'force', 'seed', 'set', 'quiet', 'progress'],
  },
  merge: {
    operands: 'DIR...',
    minOperands: 1,
    maxOperands: Infinity,
    summary: 'Join the output directories of sharded sweeps (--shard I/N) into --out.',
    options: ['out', 'quiet'],
    optionHelp: { out: 'The merged sweep directory (default out/<name>-sweep).' },
  },
  baseline: {
    operands: 'FILE',
    minOperands: 1,
    maxOperands: 1,
    summary: 'Record FCT and per-packet latency distributions over --seeds seeds (default 4).',
    options: ['out', 'seeds', 'seed', 'set', 'jobs', 'quiet', 'progress'],
    optionHelp: {
      out: 'The baseline JSON file to write (required), e.g. tests/baselines/NAME.json.',
      seed: "The first seed (default: the scenario's); the others follow it.",
    },
  },
  check: {
    operands: 'FILE',
    minOperands: 1,
    maxOperands: 1,
    summary:
      'Re-run with other seeds and compare with a baseline: KS test at --alpha and per-quantile\n' +
      'tolerances. Exit 3 if a distribution moved.',
    options: ['baseline', 'seeds', 'seed', 'alpha', 'tol', 'latency-n', 'set', 'json', 'jobs', 'quiet', 'progress'],
    optionHelp: {
      baseline: 'The baseline JSON written by `ethersim baseline` (required).',
      seed: "The first seed (default: after the baseline's seeds).",
      json: 'Print the check report as JSON.',
    },
  },
  validate: {
    operands: 'FILE',
    minOperands: 1,
    maxOperands: 1,
    summary: 'Check FILE (and its compare: and sweep: variants) against the schema, and that it can be built.',
    options: ['set', 'seed', 'quiet', 'explain'],
    optionHelp: { quiet: 'Print nothing when the scenario is valid (errors and notes still go to stderr).' },
  },
  schema: { operands: '', minOperands: 0, maxOperands: 0, summary: 'Print the scenario JSON Schema.', options: [] },
  verify: {
    operands: '[OPTIONS]',
    minOperands: 0,
    maxOperands: Infinity,
    summary:
      'Run the reference cases (published UEC thresholds, hand-computed FCTs, PFC headroom, DCQCN\n' +
      'convergence) and print each against its reference and source; exit 1 if any fails.\n' +
      'docs/validation.md is its report. `ethersim verify --help` lists its options.',
    options: [],
  },
  bench: {
    operands: '[OPTIONS]',
    minOperands: 0,
    maxOperands: Infinity,
    summary:
      'The benchmark (also `npm run bench`; in a repository checkout): scenarios in fresh processes,\n' +
      'medians and spread of wall time, events/s and memory. `ethersim bench --help` lists its options.',
    options: [],
  },
  help: { operands: '[COMMAND]', minOperands: 0, maxOperands: 1, summary: 'Print help.', options: [] },
  version: { operands: '', minOperands: 0, maxOperands: 0, summary: 'Print the version.', options: [] },
};

const commandList = (): string => Object.keys(COMMANDS).join(', ');

function optionLabel(name: OptionName): string {
  const o: OptionSpec = OPTIONS[name];
  const short = o.short ? `-${o.short}, ` : '';
  return `${short}--${name}${o.value ? ` ${o.value}` : ''}`;
}

function indent(text: string, by: number): string {
  return text.replaceAll('\n', `\n${' '.repeat(by)}`);
}

/** `ethersim COMMAND --help`: the command's usage, what it does, and its options alone. */
export function commandHelp(command: string): string {
  const c = COMMANDS[command];
  const opts = [...c.options, 'help' as const];
  const labels = opts.map(optionLabel);
  const w = Math.max(...labels.map((l) => l.length)) + 2;
  const lines = opts.map((n, i) => {
    const help = c.optionHelp?.[n] ?? OPTIONS[n].help;
    return `  ${labels[i].padEnd(w)}${indent(help, w + 2)}`;
  });
  return [
    `Usage: ethersim ${command}${c.operands ? ` ${c.operands}` : ''}${c.options.length ? ' [options]' : ''}`,
    '',
    c.summary,
    '',
    'Options:',
    ...lines,
    '',
  ].join('\n');
}

/** `ethersim help`: every command in one line or a few, and where the options are. */
export function overviewHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 3;
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(w)}${indent(c.summary, w + 2)}`);
  return [
    'ethersim — packet-level network simulator (RoCEv2 + PFC + DCQCN vs Ultra Ethernet)',
    '',
    'Usage: ethersim COMMAND [operands] [options]',
    '',
    'Commands:',
    ...rows,
    '',
    "`ethersim COMMAND --help` (or `ethersim help COMMAND`) lists a command's options.",
    '',
    'Exit codes: 0 ok, 1 run failure (exception, PFC deadlock, or a stalled run), 2 invalid input',
    '(including a baseline recorded for another scenario), 3 check found a distribution regression.',
    'Set ETHERSIM_DEBUG=1 to see stack traces.',
    '',
  ].join('\n');
}

function posInt(name: string, v: string, min = 1): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name}: expected an integer ≥ ${min}, got "${v}"`);
  return Number(v);
}

/** The option parser's messages, rewritten to name the command and what it takes. */
function usageErrorOf(command: string, e: unknown): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const takes = COMMANDS[command].options.map((n) => `--${n}`);
  const takesText = takes.length ? `${command} takes ${takes.join(', ')}` : `${command} takes no options`;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const opt = /'([^']+)'/.exec(msg)?.[1] ?? msg;
    return new UsageError(`${command}: unknown option ${opt}; ${takesText} (see \`ethersim ${command} --help\`)`);
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const opt = /--[\w-]+/.exec(msg)?.[0] ?? /'(-[^' ]+)/.exec(msg)?.[1] ?? '';
    if (/argument missing/.test(msg)) return new UsageError(`${command}: ${opt} needs a value`);
    if (/does not take an argument/.test(msg)) return new UsageError(`${command}: ${opt} takes no value`);
    if (/ambiguous/.test(msg))
      return new UsageError(`${command}: ${opt}'s value starts with '-'; write it as ${opt}=VALUE`);
  }
  return new UsageError(`${command}: ${msg.split('\n')[0]}`);
}

/**
 * Parse a command line into RunArgs. `help` is the command when --help/-h is given (then
 * `file` names the command asked about, if any); throws UsageError on anything the command does
 * not take.
 */
export function parseCommandLine(argv: string[]): RunArgs {
  const args: RunArgs = { command: '', files: [], sets: [], json: false, quiet: false, progress: false };
  if (argv.length === 0) return args;
  const first = argv[0];
  if (first === '--help' || first === '-h') return { ...args, command: 'help', files: argv.slice(1, 2), file: argv[1] };
  if (first === '--version' || first === '-v') return { ...args, command: 'version' };
  if (first.startsWith('-'))
    throw new UsageError(`expected a command before ${first}; commands: ${commandList()} (see \`ethersim help\`)`);
  const command = first;
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"; commands: ${commandList()}`);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const n of [...spec.options, 'help' as const]) {
    const o: OptionSpec = OPTIONS[n];
    options[n] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: argv.slice(1), options, strict: true, allowPositionals: true });
  } catch (e) {
    throw usageErrorOf(command, e);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return { ...args, command: 'help', files: [command], file: command };
  const ops = parsed.positionals;
  if (command === 'help' && ops[0] !== undefined && !COMMANDS[ops[0]])
    throw new UsageError(`help: unknown command "${ops[0]}"; commands: ${commandList()}`);
  if (ops.length < spec.minOperands)
    throw new UsageError(`${command}: missing ${spec.operands} (see \`ethersim ${command} --help\`)`);
  if (ops.length > spec.maxOperands)
    throw new UsageError(
      `${command}: unexpected argument "${ops[spec.maxOperands]}"; ${command} takes ${spec.operands || 'no operands'}`,
    );
  args.command = command;
  args.files = ops;
  args.file = ops[0];
  const str = (n: OptionName) => v[n] as string | undefined;
  args.sets = (v.set as string[] | undefined) ?? [];
  args.json = v.json === true;
  args.quiet = v.quiet === true;
  args.progress = v.progress === true;
  if (v.timing === true) args.timing = true;
  if (v.explain === true) args.explain = true;
  args.force = v.force === true;
  args.out = str('out');
  args.shard = str('shard');
  args.baseline = str('baseline');
  args.tol = str('tol');
  if (str('seed') !== undefined) {
    args.seed = str('seed');
    if (!/^\d+$/.test(args.seed!)) throw new UsageError(`--seed: expected an integer ≥ 0, got "${args.seed}"`);
  }
  if (str('jobs') !== undefined) args.jobs = posInt('jobs', str('jobs')!);
  if (str('seeds') !== undefined) args.seeds = posInt('seeds', str('seeds')!);
  if (str('latency-n') !== undefined) args.latencyN = posInt('latency-n', str('latency-n')!);
  if (str('alpha') !== undefined) {
    const a = Number(str('alpha'));
    if (!(a > 0 && a < 1))
      throw new UsageError(`--alpha: expected a significance level in (0, 1), e.g. 0.01, got "${str('alpha')}"`);
    args.alpha = a;
  }
  return args;
}
