// Load a CommonJS script of dist/node/ (the CLI, cli.cjs; a partition thread,
// partitionThread.cjs) through node:vm with the V8 code cache of its last run, so that its
// functions need not be parsed and compiled again: Node 20 caches no ES module code
// (docs/performance.md, "Start-up and warm-up"). Used by bin/ethersim.mjs and by the partition
// threads of a built CLI (sim/run/workerBundle.ts); plain JavaScript, as the bin is. CommonJS,
// so that a thread can require it without starting Node's ES module loader (10–15 ms of a
// worker's start here, docs/performance.md).
const { readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

/**
 * Compile and run `file` with its cache: `exports` is what the script exported. The cache is
 * named for the script's size and mtime (`<file>.<size>-<mtime>.v8cache`): V8 checks only the
 * source's length, its own version and its flags, so a rebuilt script must not find an old
 * cache. Without a usable cache the script compiles as usual, and `save()` — to be called
 * after the work, so that the cache holds every function the work compiled — writes one
 * (atomically) and removes the script's older caches. Nothing is written where the directory
 * is read-only.
 */
function loadWithCodeCache(file) {
  const st = statSync(file);
  const dir = dirname(file);
  const name = basename(file);
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
  script.runInThisContext()(module.exports, createRequire(file), module, file, `${dir}/`);
  let saved = false;
  const save = () => {
    if (saved || (cachedData !== undefined && !script.cachedDataRejected)) return;
    saved = true;
    try {
      const tmp = `${cacheFile}.${process.pid}-${Math.trunc(performance.now() * 1000)}.tmp`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile); // atomic: a concurrent process reads the old cache or the new one
      for (const f of readdirSync(dir))
        if (f.startsWith(`${name}.`) && f.endsWith('.v8cache') && join(dir, f) !== cacheFile)
          rmSync(join(dir, f), { force: true });
    } catch {
      /* a read-only install: run without a cache */
    }
  };
  return { exports: module.exports, save };
}

module.exports = { loadWithCodeCache };
