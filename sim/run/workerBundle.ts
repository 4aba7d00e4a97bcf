import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
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
