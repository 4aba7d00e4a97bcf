#!/usr/bin/env node
// The ethersim command: runs the CLI from dist/node/, the bundles scripts/build.mjs builds
// (npm's `prepare` step builds them after `npm ci`; the published package ships them).
//
// In a checkout (sim/ is here) a build older than any source is rebuilt first (~0.1–0.5 s,
// once), so an edited source never runs as old code; a checkout without esbuild, or
// ETHERSIM_NO_BUNDLE=1, runs the sources module by module through tsx instead (same results,
// slower: the core runs 10–25 % slower from separate modules, `npm run bench`).
//
// The CLI is dist/node/cli.cjs, one script compiled with a V8 code cache beside it (see
// loadWithCodeCache); dist/node/cli.mjs, the same as an ES module, when it is missing.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${ROOT}dist/node/`;
const SCRIPT = `${DIST}cli.cjs`;
const MODULE = `${DIST}cli.mjs`;

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
  return existsSync(SCRIPT) ? SCRIPT : existsSync(MODULE) ? MODULE : null;
}

/**
 * Compile cli.cjs with the V8 code cache of its last run, so that its functions need not be
 * parsed and compiled again (Node 20 caches no ES module code; docs/performance.md, "Start-up
 * and warm-up"). The cache is named for the script's size and mtime: V8 checks only the
 * source's length, its own version and its flags, so a rebuilt script must not find an old
 * cache. Without a usable cache the script compiles as usual, and `save()` writes one after the
 * command has run (then it holds every function the command compiled). Nothing is written
 * where dist/ is read-only.
 */
function loadWithCodeCache(file) {
  const st = statSync(file);
  const cacheFile = `${file}.${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, 'latin1'); // ASCII by construction (scripts/build.mjs)
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    // The script's import() of what it does not bundle (tsx, esbuild): Node's own loader.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ?? ((s) => import(s)),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, DIST);
  const save = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile); // atomic: a concurrent process reads the old cache or the new one
      for (const f of readdirSync(DIST))
        if (f.startsWith('cli.cjs.') && f.endsWith('.v8cache') && `${DIST}${f}` !== cacheFile)
          rmSync(`${DIST}${f}`, { force: true });
    } catch {
      /* a read-only install: run without a cache */
    }
  };
  return { main: module.exports.main, save };
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
if (file === SCRIPT) ({ main, save } = loadWithCodeCache(file));
else if (file !== null) ({ main } = await import(pathToFileURL(file).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../sim/cli/main.ts'));
}
process.exitCode = await main(argv);
save();
