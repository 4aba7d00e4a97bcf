#!/usr/bin/env node
// Runs the TypeScript CLI with no build step after `npm ci`.
//
// The CLI runs from one esbuild bundle of sim/cli/main.ts (esbuild is tsx's own dependency; building
// takes ~40 ms), written next to its sources as sim/.cli-<content hash>.mjs so that the
// `import.meta.url`-relative paths in sim/ stay right, and reused while the sources do not
// change. The same modules loaded one by one through tsx's loader run the simulation core
// 10–25 % slower (measured with `npm run bench`, which runs its scenarios the same way); the
// browser and the worker pool run bundles too. Falls back to tsx when esbuild is unavailable
// or ETHERSIM_NO_BUNDLE is set.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// In sim/run/: the bundled modules resolve their import.meta.url-relative paths from there.
const SIM_DIR = fileURLToPath(new URL('../sim/run/', import.meta.url));

async function bundledCli() {
  if (process.env.ETHERSIM_NO_BUNDLE) return null;
  try {
    const req = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
    const esbuild = req('esbuild');
    const out = await esbuild.build({
      entryPoints: [join(SIM_DIR, '..', 'cli', 'main.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      packages: 'external', // resolved from sim/ at run time, like the sources' own imports
    });
    const text = out.outputFiles[0].text;
    const name = `.cli-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`;
    const file = join(SIM_DIR, name);
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, file); // atomic: concurrent CLIs never import a half-written file
      // Bundles of earlier sources (kept a while: another process may be about to import one).
      for (const f of readdirSync(SIM_DIR)) {
        if (!f.startsWith('.cli-') || f === name) continue;
        const p = join(SIM_DIR, f);
        try {
          if (Date.now() - statSync(p).mtimeMs > 3_600_000) rmSync(p, { force: true });
        } catch {
          /* gone already */
        }
      }
    }
    return file;
  } catch {
    return null;
  }
}

const file = await bundledCli();
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
