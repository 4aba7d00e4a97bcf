#!/usr/bin/env node
// The ethersim command: runs the CLI from dist/node/cli.mjs, the bundle scripts/build.mjs builds
// (npm's `prepare` step builds it after `npm ci`; the published package ships it).
//
// In a checkout (sim/ is here) a build older than any source is rebuilt first (~0.1–0.5 s,
// once), so an edited source never runs as old code; a checkout without esbuild, or
// ETHERSIM_NO_BUNDLE=1, runs the sources module by module through tsx instead (same results,
// slower: the core runs 10–25 % slower from separate modules, `npm run bench`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = `${ROOT}dist/node/cli.mjs`;

async function builtCli() {
  if (process.env.ETHERSIM_NO_BUNDLE) return null;
  if (existsSync(`${ROOT}sim`)) {
    try {
      const { isStale, build } = await import('../scripts/build.mjs');
      if (isStale()) await build();
    } catch (e) {
      if (process.env.ETHERSIM_DEBUG) process.stderr.write(`ethersim: could not build dist/node/: ${e?.stack ?? e}\n`);
      return null;
    }
  }
  return existsSync(BUILT) ? BUILT : null;
}

const file = await builtCli();
// ETHERSIM_TRACE_ENTRY=1 names the module the CLI runs from on stderr (tests check the path taken).
if (process.env.ETHERSIM_TRACE_ENTRY) process.stderr.write(`ethersim entry: ${file ?? 'sim/cli/main.ts via tsx'}\n`);
let main;
if (file !== null) ({ main } = await import(pathToFileURL(file).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../sim/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
