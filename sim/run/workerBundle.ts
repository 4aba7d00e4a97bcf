import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node worker threads load sim/run/worker.ts through tsx's loader, which costs ~0.7 s per thread
 * (every module goes through the loader hooks), and the core runs 10–25 % slower from separate
 * modules than from one bundle (`npm run bench`). For pools, bundle the worker once per process
 * with esbuild (tsx's own dependency, resolved through tsx) into one plain ESM file that a
 * thread loads in a few tens of ms. Same source, same results. Falls back to the tsx entry
 * (null) if esbuild cannot be loaded.
 */
let bundle: Promise<string | null> | undefined;

export function workerBundleEntry(): Promise<string | null> {
  bundle ??= bundleToTempFile(new URL('./worker.ts', import.meta.url)).catch(() => null);
  return bundle;
}

let partitionBundle: Promise<string> | undefined;

/**
 * The thread entry of a threaded partitioned run (sim/run/parallel/partitionWorker.ts), bundled once
 * per process; the tsx-loading entry if esbuild cannot be loaded. Resolved from this module, so
 * that it is found from the sources and from the CLI's bundle in sim/ alike.
 */
export function partitionWorkerEntry(): Promise<string> {
  partitionBundle ??= bundleToTempFile(new URL('./parallel/partitionWorker.ts', import.meta.url)).catch(() =>
    fileURLToPath(new URL('./parallel/partitionWorkerTsx.mjs', import.meta.url)),
  );
  return partitionBundle;
}

/**
 * Bundle `entry` (a .ts module whose code does not use import.meta.url) with everything it
 * imports into one ESM file in a temporary directory, removed when the process exits.
 */
export async function bundleToTempFile(entry: URL): Promise<string> {
  const req = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = req('esbuild') as typeof import('esbuild');
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
