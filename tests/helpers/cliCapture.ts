import { main } from '../../sim/cli/main.ts';

/** Run the CLI in-process in `cwd`, capturing stdout and stderr; `lines`: stderr's non-empty lines. */
export async function runCli(args: string[], cwd: string) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    stderrIsTTY: false,
    env: {},
    cwd,
  });
  return { code, out, err, lines: err.split('\n').filter((l) => l !== '') };
}
