/**
 * `npm run bench`'s command line. A benchmark takes minutes, so a mistyped flag is refused at
 * once with one line (`--rusn 5` used to run the default three runs, silently), and `--help`
 * prints the usage instead of starting the runs.
 */
export interface BenchArgs {
  runs: number;
  large: boolean;
  /** Run only the 65,536-host cases (minutes each, several GB). */
  huge: boolean;
  /** Run only the cases whose name or file contains this. */
  only?: string;
  json: boolean;
  noQueue: boolean;
  noAnalysis: boolean;
  sweep: boolean;
  tsx: boolean;
  profile: boolean;
  help: boolean;
}

export const BENCH_USAGE = `usage: npm run bench [-- OPTIONS]
  --runs N        runs per scenario, each in a fresh process (default 3; --large cases run once)
  --large         add the 8192-host cases
  --huge          run only the 65,536-host cases (k = 64 fat tree; minutes and GBs each)
  --only TEXT     only the cases whose name or file contains TEXT
  --json          print JSON instead of tables
  --profile       add an instruction profile (callgrind) of the 1024-host one-thread runs
  --no-queue      skip the event-queue hold benchmark and the memory line
  --no-analysis   skip the congestion-analysis overhead measurement
  --sweep         also run the sweep benchmark (8 variants on 2 worker threads)
  --tsx           run the core through tsx's loader instead of one bundle
  --help          print this`;

const FLAGS: Record<string, keyof BenchArgs> = {
  '--large': 'large',
  '--huge': 'huge',
  '--json': 'json',
  '--no-queue': 'noQueue',
  '--no-analysis': 'noAnalysis',
  '--sweep': 'sweep',
  '--tsx': 'tsx',
  '--profile': 'profile',
  '--help': 'help',
  '-h': 'help',
};

/** Parse the bench's arguments; throws an Error whose message is the one line to print. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = {
    runs: 3,
    large: false,
    huge: false,
    json: false,
    noQueue: false,
    noAnalysis: false,
    sweep: false,
    tsx: false,
    profile: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') {
      const v = argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < 1 || n > 100)
        throw new Error(
          `--runs needs a whole number from 1 to 100, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
        );
      a.runs = n;
    } else if (arg === '--only') {
      const v = argv[++i];
      if (v === undefined || v === '' || v.startsWith('--'))
        throw new Error('--only needs the text of a case name or file (e.g. --only 1024)');
      a.only = v;
    } else if (arg in FLAGS) {
      (a as unknown as Record<string, boolean>)[FLAGS[arg]] = true;
    } else {
      throw new Error(
        `unknown option ${JSON.stringify(arg)} (allowed: --runs N, --only TEXT, ${Object.keys(FLAGS)
          .filter((f) => f !== '-h')
          .join(', ')})`,
      );
    }
  }
  return a;
}
