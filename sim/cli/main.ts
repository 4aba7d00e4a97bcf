import { commandHelp, overviewHelp, parseCommandLine } from './args.ts';
import type { CliIO, RunArgs, RunScenarioFn } from './io.ts';

export { EXIT_OK, EXIT_RUN_FAILED, EXIT_INVALID, EXIT_REGRESSION, UsageError } from './exitCodes.ts';
export type { CliIO, RunArgs, RunScenarioFn };

/**
 * The command line: `main` never throws and never exits the process; it returns the exit code
 * (0 ok, 1 run failure, 2 invalid input, 3 regression). Help is answered from the grammar alone
 * (args.ts); every other command loads the scenario layer (zod, YAML) and the simulator first
 * (dispatch.ts), so `ethersim help` starts in the time Node itself takes.
 */
export async function main(argv: string[], ioIn: Partial<CliIO> = {}): Promise<number> {
  const passThrough = argv[0] === 'bench' || argv[0] === 'verify'; // they parse their own options
  if (!passThrough && argv.some((a) => a === 'help' || a === '--help' || a === '-h')) {
    let args: RunArgs | null = null;
    try {
      args = parseCommandLine(argv);
    } catch {
      // a bad command line: dispatch reports it as every other command does
    }
    if (args?.command === 'help') {
      const text = args.file ? commandHelp(args.file) : overviewHelp();
      if (ioIn.stdout) ioIn.stdout(text);
      else process.stdout.write(text);
      return 0;
    }
  }
  const { dispatch } = await import('./dispatch.ts');
  return dispatch(argv, ioIn);
}
