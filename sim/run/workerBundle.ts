import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node worker threads load sim/run/worker.ts through tsx's loader, which costs ~0.7 s per thread
 * (every module goes through the loader hooks), and the core runs 10–25 % slower from separate
 * modules than from one bundle (`npm run bench`). So threads start from bundles: from the ones
 * scripts/build.mjs wrote next to this code when this code is itself built (dist/node/), else
 * (running from the sources, as the tests do) from a bundle made once per process into a
 * temporary directory with esbuild, so that it is always the current sources'. Same source,
 * same results. Falls back to the tsx entry if esbuild cannot be loaded.
 */
const BUILT = !import.meta.url.endsWith('.ts');

let bundle: Promise<string | null> | undefined;

export function workerBundleEntry(): Promise<string | null> {
  bundle ??= BUILT
    ? Promise.resolve(fileURLToPath(new URL('./workerNode.mjs', import.meta.url)))
    : bundleToTempFile(new URL('./worker.ts', import.meta.url)).catch(() => null);
  return bundle;
}

let partitionBundle: Promise<string> | undefined;

/**
 * The thread entry of a threaded partitioned run (sim/run/parallel/partitionWorker.ts): built,
 * bundled once per process, or the tsx-loading entry if esbuild cannot be loaded.
 */
export function partitionWorkerEntry(): Promise<string> {
  partitionBundle ??= BUILT
    ? Promise.resolve(fileURLToPath(new URL('./partitionWorker.mjs', import.meta.url)))
    : bundleToTempFile(new URL('./parallel/partitionWorker.ts', import.meta.url)).catch(() =>
        fileURLToPath(new URL('./parallel/partitionWorkerTsx.mjs', import.meta.url)),
      );
  return partitionBundle;
}

/** How to start a partition thread: `new Worker(file, { eval, workerData })`. */
export interface ThreadStart {
  /** A module path, or (eval) the code of a script. */
  file: string;
  eval: boolean;
  /** Fields the thread's workerData must also carry (the script to load). */
  data: Record<string, string>;
}

/**
 * A built CLI's partition threads load dist/node/partitionThread.cjs with the V8 code cache
 * of an earlier run (bin/codeCache.cjs, as the CLI itself is loaded): the ES bundle's parse and
 * lazy compiles cost each thread 60–120 ms before and during its build, on the critical path
 * of a threaded run (docs/performance.md). Elsewhere — running from the sources, or a build
 * without the script or the package's bin/ — the ES module entry of partitionWorkerEntry.
 */
export async function partitionThreadStart(): Promise<ThreadStart> {
  if (BUILT) {
    const script = fileURLToPath(new URL('./partitionThread.cjs', import.meta.url));
    const loader = fileURLToPath(new URL('../../bin/codeCache.cjs', import.meta.url));
    if (existsSync(script) && existsSync(loader))
      return { file: THREAD_LOADER, eval: true, data: { ethersimScript: script, ethersimLoader: loader } };
  }
  return { file: await partitionWorkerEntry(), eval: false, data: {} };
}

/** The code a partition thread evaluates to load the script build with its cache; the cache is
 *  saved (when it had none) after the windows, before the thread reports (partitionThread.ts). */
const THREAD_LOADER = `const { workerData } = require('node:worker_threads');
const { exports, save } = require(workerData.ethersimLoader).loadWithCodeCache(workerData.ethersimScript);
exports.runPartitionThread(save);`;

/**
 * Bundle `entry` (a .ts module whose code does not use import.meta.url) with everything it
 * imports into one ESM file in a temporary directory, removed when the process exits.
 */
export async function bundleToTempFile(entry: URL): Promise<string> {
  // A devDependency: only a checkout bundles from sources (the built package never gets here).
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Some bundled CommonJS may call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const dir = mkdtempSync(join(tmpdir(), 'ethersim-bundle-'));
  const file = join(dir, `${basename(fileURLToPath(entry), '.ts')}.mjs`);
  writeFileSync(file, out.outputFiles[0].text);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return file;
}
