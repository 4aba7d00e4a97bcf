#!/usr/bin/env node
// The ethersim command: runs the CLI from dist/node/, the bundles scripts/build.mjs builds
// (npm's `prepare` step builds them after `npm ci`; the published package ships them).
//
// In a checkout (sim/ is here) a build older than any source is rebuilt first (~0.1–0.7 s,
// once), so an edited source never runs as old code. That rebuild skips the code caches'
// training runs (`npm ci` and `node scripts/build.mjs` do them, about a second): the command
// writes the cache as it ends instead. A checkout without esbuild, or ETHERSIM_NO_BUNDLE=1,
// runs the sources module by module through tsx instead (same results, slower: the core runs
// 10–25 % slower from separate modules, `npm run bench`).
//
// The CLI is dist/node/cli.cjs, one script compiled with a V8 code cache beside it (see
// codeCache.cjs); dist/node/cli.mjs, the same as an ES module, when it is missing.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Required, not imported: an ES module importing CommonJS has Node parse it for its export
// names first (about 15 M instructions on every command, counted with callgrind).
const { loadWithCodeCache } = createRequire(import.meta.url)('./codeCache.cjs');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${ROOT}dist/node/`;
const SCRIPT = `${DIST}cli.cjs`;
const MODULE = `${DIST}cli.mjs`;

async function builtCli() {
  if (process.env.ETHERSIM_NO_BUNDLE) return null;
  if (existsSync(`${ROOT}sim`)) {
    try {
      const { isStale, build } = await import('../scripts/build.mjs');
      if (isStale()) await build(undefined, { train: false });
    } catch (e) {
      if (process.env.ETHERSIM_DEBUG) process.stderr.write(`ethersim: could not build dist/node/: ${e?.stack ?? e}\n`);
      return null;
    }
  }
  return existsSync(SCRIPT) ? SCRIPT : existsSync(MODULE) ? MODULE : null;
}

const argv = process.argv.slice(2);
// Help compiles little of the CLI: the small ES module answers it sooner than the whole script
// with its cache, and a cache written after it would serve the next run poorly.
const isHelp = argv.some((a) => a === 'help' || a === '--help' || a === '-h' || a === '--version' || a === '-v');
let file = await builtCli();
if (isHelp && file === SCRIPT && existsSync(MODULE)) file = MODULE;
// ETHERSIM_TRACE_ENTRY=1 names the module the CLI runs from on stderr (tests check the path taken).
if (process.env.ETHERSIM_TRACE_ENTRY) process.stderr.write(`ethersim entry: ${file ?? 'sim/cli/main.ts via tsx'}\n`);
let main;
let save = () => {};
if (file === SCRIPT) {
  const loaded = loadWithCodeCache(file);
  main = loaded.exports.main;
  save = loaded.save;
} else if (file !== null) ({ main } = await import(pathToFileURL(file).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../sim/cli/main.ts'));
}
process.exitCode = await main(argv);
save();
