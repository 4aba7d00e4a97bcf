// Builds dist/node/: the Node entry points as plain ES modules, bundled with esbuild, so that
// nothing at run time needs a TypeScript loader or writes into the source tree.
//
//   node scripts/build.mjs            dist/node/ (npm's `prepare` runs it after `npm ci`)
//   node scripts/build.mjs --package [--out DIR]
//                                     all the package ships, from clean (npm's `prepack`): also
//                                     dist/browser/, dist/types/ and dist/scenario.schema.json
//
// Layout (every file in one directory, so the import.meta.url-relative paths in sim/ hold from
// there as from the sources: `../..` is the package root, `./workerNode.mjs` the worker entry):
//   dist/node/cli.cjs               the command line (sim/cli/main.ts) as one CommonJS script, run
//                                   by bin/ethersim.mjs through node:vm with a V8 code cache
//                                   (cli.cjs.*.v8cache, written by training runs after the
//                                   build, trainCodeCaches; see CLI_SCRIPT)
//   dist/node/cli.mjs               the same as an ES module (run when cli.cjs is missing)
//   dist/node/workerNode.mjs        a simulator worker thread (sim/run/worker.ts)
//   dist/node/partitionWorker.mjs   a partition thread of a threaded partitioned run
//   dist/node/partitionThread.cjs   the same as one CommonJS script, which the CLI's partition
//                                   threads run with a code cache (see SCRIPTS)
//   dist/node/{index,worker,vitest,schema}.mjs   the public API (sim/api/, docs/api.md)
//   dist/browser/{index,worker}.mjs  the API's browser builds (no Node modules)
//   dist/types/                     declarations (tsc), dist/types/sim/api/*.d.ts the public ones
//   dist/node/chunk-*.mjs           code the entries share
// Dependencies are bundled in: a cold `ethersim help` then reads a few files instead of
// resolving and loading hundreds of modules under node_modules (about half its CPU time).
//
// A checkout whose sources changed after the last build is rebuilt by bin/ethersim.mjs (see
// isStale) and by the test suite's global setup, so a stale dist/ never runs old code.
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist', 'node');
/** Written last by a build: its mtime is the build's time. */
const STAMP = join(DIST, 'BUILT');

/** Entry points: output name → source. */
export const ENTRIES = {
  cli: 'sim/cli/main.ts',
  workerNode: 'sim/run/worker.ts',
  partitionWorker: 'sim/run/parallel/partitionWorker.ts',
  index: 'sim/api/index.ts',
  worker: 'sim/api/workerNode.ts',
  vitest: 'sim/api/vitest.ts',
  schema: 'sim/api/schema.ts',
};

/**
 * The command line once more, as one CommonJS script (no chunks), for bin/ethersim.mjs to
 * compile with node:vm's `cachedData` (bin/codeCache.cjs): Node 20 has no compile cache for ES
 * modules (module.enableCompileCache is Node 22), and a cold `ethersim run` spent ~30 ms parsing
 * and compiling the bundle's code before it ran (docs/performance.md, "Start-up and warm-up").
 * `import.meta.url` becomes the script's own file URL, so paths relative to it (the worker
 * bundles beside it, the package root two levels up) hold as in the ES build.
 */
export const CLI_SCRIPT = { out: 'cli.cjs', source: 'sim/cli/main.ts' };

/** Scripts built that way: the CLI, and a partition thread of a threaded run (each thread
 *  otherwise parses and compiles the core's ES bundle again; docs/performance.md). */
export const SCRIPTS = [CLI_SCRIPT, { out: 'partitionThread.cjs', source: 'sim/run/parallel/partitionThread.ts' }];

/** The browser builds of the public API. */
export const BROWSER_ENTRIES = {
  index: 'sim/api/browser.ts',
  worker: 'sim/api/worker.ts',
};

/**
 * zod's `z` namespace re-exports every one of its ~50 locales (z.locales), so a bundle of it
 * carries them all (~0.4 MB) though only English is used (zod's default, which it loads
 * itself): the bundle gets a locales index with English alone. Cold start of `ethersim help`
 * measured 0.03 s of CPU less with it.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(a.importer)
        ? { path: join(dirname(a.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(a.path)};`,
      resolveDir: dirname(a.path),
    }));
  },
};

/**
 * Dependencies only some commands use, loaded when first touched instead of when the CLI
 * starts: protobufjs (Chakra traces only) and yaml (only commands that read a YAML scenario or
 * a `--set`; a JSON scenario only when JSON.parse refuses it or it repeats a key, for yaml's
 * duplicate-key and position errors: sim/scenario/jsonText.ts). In the
 * Node builds `import x from '<dep>'` gets a stand-in whose first property read requires the
 * bundled module (esbuild keeps a bundled CommonJS module's body in a function, run at its
 * first require). With the code cache warm, loading them took yaml 6 ms and protobufjs 3 ms
 * of a command's start (docs/performance.md, "Start-up and warm-up"). The sources, the tests
 * and the browser build import them as usual.
 */
const LAZY_DEPS = ['protobufjs', 'yaml'];
const lazyDeps = {
  name: 'lazy-deps',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_DEPS.join('|')})$`);
    b.onResolve({ filter }, (a) =>
      a.namespace === 'lazy-dep' ? undefined : { path: a.path, namespace: 'lazy-dep', pluginData: a.resolveDir },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-dep' }, (a) => ({
      // The default import of a CommonJS module is its module.exports (Node's rule, which
      // esbuild applies to these imports too).
      contents: `let m;
const load = () => (m ??= require(${JSON.stringify(a.path)}));
export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
      resolveDir: a.pluginData,
    }));
  },
};

/** What a build reads: the sources, and the files that change how they are built. */
const INPUTS = ['sim', 'scripts/build.mjs', 'package.json', 'package-lock.json'];

function newestMtimeMs(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted or renamed file changes its directory's mtime
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, name)));
  return newest;
}

/** True when dist/node/ is missing or older than any of its inputs (a source edited, pulled or checked out). */
export function isStale() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return INPUTS.some((p) => newestMtimeMs(join(ROOT, p)) > built);
}

/**
 * Build into a private directory, then move its files into dist/node/ one by one (each rename
 * is atomic), shared chunks first and the entries after them, so that a concurrent process
 * (tests start many CLIs at once) imports the old build or the new one, never a half-written
 * file. Chunks of earlier builds stay an hour: a process started from one may still import them.
 */
export async function build(outDir = join(ROOT, 'dist'), { train = true } = {}) {
  const esbuild = await import('esbuild');
  const dist = join(outDir, 'node');
  const tmp = join(outDir, `.node-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    // Loaded only on paths a user of the built package never takes (bundling from sources).
    external: ['esbuild', 'tsx', 'tsx/*', 'vitest'],
    // Bundled CommonJS dependencies (protobufjs, seedrandom) call require(): give the ESM files one.
    banner: {
      js: "import { createRequire as __ethersimRequire } from 'node:module'; const require = __ethersimRequire(import.meta.url);",
    },
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [zodEnglishOnly, lazyDeps],
  });
  const scripts = SCRIPTS.map(async ({ out, source }) => {
    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: [source],
      outfile: join(tmp, out),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['esbuild', 'tsx', 'tsx/*', 'vitest'],
      define: { 'import.meta.url': '__ethersimModuleUrl' },
      banner: { js: "const __ethersimModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
      legalComments: 'eof',
      logLevel: 'warning',
      plugins: [zodEnglishOnly, lazyDeps],
    });
    // ASCII only, so that bin/codeCache.cjs can read it as latin1 (no UTF-8 decoding of 1.5 MB,
    // and a one-byte string for V8: 7–20 ms less per command). esbuild escapes non-ASCII
    // characters in code (charset 'ascii', its default), so any left are in comments it keeps:
    // escaped too.
    const script = join(tmp, out);
    writeFileSync(
      script,
      readFileSync(script, 'utf8').replace(/[^\t\n\r -~]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`),
    );
  });
  await Promise.all(scripts);
  mkdirSync(dist, { recursive: true });
  const files = readdirSync(tmp);
  const isEntry = (f) => f.replace(/\.mjs$/, '') in ENTRIES || SCRIPTS.some((x) => x.out === f);
  for (const f of [...files.filter((f) => !isEntry(f)), ...files.filter(isEntry)])
    renameSync(join(tmp, f), join(dist, f));
  rmSync(tmp, { recursive: true, force: true });
  const now = Date.now();
  for (const f of readdirSync(dist)) {
    if (files.includes(f) || f === 'BUILT') continue;
    // A code cache is for one build of its script (its name says which): older ones go now.
    if (f.endsWith('.v8cache')) {
      rmSync(join(dist, f), { force: true });
      continue;
    }
    try {
      if (now - statSync(join(dist, f)).mtimeMs > 3_600_000) rmSync(join(dist, f), { force: true });
    } catch {
      /* removed by another build */
    }
  }
  writeFileSync(join(dist, 'BUILT'), `${new Date().toISOString()}\n`);
  if (train) await trainCodeCaches(dist);
}

/**
 * Write the scripts' V8 code caches from fixed training runs (scripts/trainCodeCache.cjs says
 * why), in a child process started as the bin starts (a cache is only accepted by a process with
 * the same V8 flags). A failure leaves no cache, and the first command writes one as before; it
 * does not fail the build.
 */
async function trainCodeCaches(dist) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/trainCodeCache.cjs'), dist, ROOT], {
    cwd: ROOT,
    encoding: 'utf8',
    // About a second; a stuck run must not hold the build (npm ci) forever.
    timeout: 120_000,
  });
  if (r.status !== 0) process.stderr.write(`ethersim: no code cache trained (${(r.stderr ?? '').trim() || r.error})\n`);
}

/**
 * Everything the package ships, from clean, into `outDir` (default dist/): dist/node/ (no
 * chunks of earlier builds), dist/browser/, dist/types/ and dist/scenario.schema.json.
 */
export async function buildPackage(outDir = join(ROOT, 'dist')) {
  const esbuild = await import('esbuild');
  for (const d of ['node', 'browser', 'types']) rmSync(join(outDir, d), { recursive: true, force: true });
  // No code caches in the package: one is for the V8 build that wrote it, and a user's Node
  // writes its own on the first run (bin/codeCache.cjs).
  await build(outDir, { train: false });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: BROWSER_ENTRIES,
    outdir: join(outDir, 'browser'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [zodEnglishOnly],
  });
  // Declarations of the public modules and of what their types reach. (child_process is loaded
  // here, not at the top: bin/ethersim.mjs imports this module for isStale on every command.)
  const { spawnSync } = await import('node:child_process');
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.types.json'),
      '--outDir',
      join(outDir, 'types'),
    ],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error('tsc: declarations failed');
  mkdirSync(join(outDir, 'types/sim'), { recursive: true });
  copyFileSync(join(ROOT, 'sim/comlink-esm.d.ts'), join(outDir, 'types/sim/comlink-esm.d.ts'));
  // tsc writes the reference to it as a path back to the sources: point it at the shipped copy.
  const client = join(outDir, 'types/sim/run/workerClient.d.ts');
  writeFileSync(
    client,
    readFileSync(client, 'utf8').replace(/(<reference path=")[^"]*comlink-esm\.d\.ts"/, '$1../comlink-esm.d.ts"'),
  );
  const { scenarioSchema } = await import(pathToFileURL(join(outDir, 'node/schema.mjs')).href);
  writeFileSync(join(outDir, 'scenario.schema.json'), `${JSON.stringify(scenarioSchema, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = performance.now();
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1]) : join(ROOT, 'dist');
  if (args.includes('--package')) await buildPackage(out);
  else await build(out);
  console.error(`ethersim: built ${out} in ${Math.round(performance.now() - t0)} ms`);
}
