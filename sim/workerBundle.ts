import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node worker threads load sim/worker.ts through tsx's loader, which costs ~0.7 s per thread
 * (every module goes through the loader hooks). For pools, bundle the worker once per process
 * with esbuild (tsx's own dependency, resolved through tsx) into one plain ESM file that a
 * thread loads in a few tens of ms. Same source, same results. Falls back to the tsx entry
 * (null) if esbuild cannot be loaded.
 */
let bundle: Promise<string | null> | undefined;
let bundleDir: string | undefined;

export function workerBundleEntry(): Promise<string | null> {
  bundle ??= (async () => {
    try {
      const req = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
      const esbuild = req('esbuild') as typeof import('esbuild');
      const out = await esbuild.build({
        entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
        bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
        // Some bundled CommonJS may call require(): give the ESM bundle one.
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      });
      bundleDir = mkdtempSync(join(tmpdir(), 'ethersim-worker-'));
      const file = join(bundleDir, 'worker.mjs');
      writeFileSync(file, out.outputFiles[0].text);
      process.once('exit', () => { if (bundleDir) rmSync(bundleDir, { recursive: true, force: true }); });
      return file;
    } catch {
      return null;
    }
  })();
  return bundle;
}
