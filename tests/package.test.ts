/**
 * ethersim as a package, the way a user gets it: `npm pack`, then `npm install <tarball>` into a
 * fresh project (offline: ethersim from the tarball, its dependencies from npm's cache, which
 * installing this project filled), and there: the command on a bundled scenario, the API from a
 * .mjs and a .ts file, a type-check of a program against the shipped declarations, a vitest
 * file using `ethersim/vitest` against a baseline recorded in that project, and every example
 * of docs/api.md. Also what the tarball holds: no sources, tests, benchmarks or source maps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseScenario, runScenario } from '../sim/api/index.ts';
import { launchChromium } from './e2e/chromium.ts';
import { serveStatic } from './e2e/staticServer.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

let dir: string; // the user's project
let tarball: string;
let packed: string[];

function sh(cmd: string, args: string[], options: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 240_000, ...options });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${out}`);
  return { stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** docs/api.md's examples: each code block after an `<!-- example: FILE -->` line. */
function apiExamples(): Array<{ file: string; code: string }> {
  const md = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
  return [...md.matchAll(/<!-- example: (\S+) -->\n```\w+\n([\s\S]*?)```/g)].map((m) => ({ file: m[1], code: m[2] }));
}

describe('the packed package in a fresh project', { tags: ['slow'], timeout: 240_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ethersim-user-'));
    // Pack a staged copy (what `files` names, built from clean by the prepack step's script),
    // so that this checkout's dist/node/, which other tests are running, is left alone.
    const stage = join(dir, 'stage');
    mkdirSync(stage);
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'bin', 'scenarios'])
      cpSync(join(ROOT, f), join(stage, f), { recursive: true });
    sh('node', [join(ROOT, 'scripts/build.mjs'), '--package', '--out', join(stage, 'dist')], { cwd: ROOT });
    const packDir = join(dir, 'pack');
    mkdirSync(packDir);
    const r = sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], { cwd: stage });
    const info = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(packDir, info[0].filename);
    packed = info[0].files.map((f) => f.path);
    const user = join(dir, 'user');
    mkdirSync(user);
    dir = user;
    // --offline: ethersim comes from the tarball, its dependencies from npm's cache. Resolving a
    // version range needs the registry's metadata, which `npm ci` (installing by the lockfile)
    // never fetched; so the project pins each dependency to its registry tarball, the version
    // this project's lockfile has, which the cache holds. With registry access none is needed.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; dependencies?: Record<string, string> }>;
    };
    const overrides: Record<string, string> = {};
    const pin = (name: string) => {
      if (overrides[name]) return;
      const e = lock.packages[`node_modules/${name}`];
      overrides[name] = `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${e.version}.tgz`;
      for (const d of Object.keys(e.dependencies ?? {})) pin(d);
    };
    for (const d of Object.keys(pkg.dependencies)) pin(d);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, type: 'module', overrides }),
    );
    sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball]);
    // Tools the user has in their project anyway, linked from ours rather than installed again.
    for (const tool of ['vitest', 'typescript', 'tsx', 'comlink', 'vite', '@types/node']) {
      const at = join(dir, 'node_modules', tool);
      if (existsSync(at)) continue; // comlink: ethersim's own dependency
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', tool), at);
    }
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('holds the build, the bin, the scenarios and the docs, and nothing else', () => {
    const top = new Set(packed.map((p) => p.split('/')[0]));
    expect([...top].sort()).toEqual(['CHANGELOG.md', 'README.md', 'bin', 'dist', 'package.json', 'scenarios']);
    expect(packed.filter((p) => /\.map$|^sim\/|^tests\/|^tools\/|\.test\./.test(p))).toEqual([]);
    expect(packed.filter((p) => p.startsWith('dist/web/'))).toEqual([]);
    for (const f of [
      'dist/node/cli.mjs',
      'dist/node/cli.cjs',
      'dist/node/partitionThread.cjs',
      'bin/codeCache.cjs',
      'dist/node/index.mjs',
      'dist/types/sim/api/index.d.ts',
      'scenarios/dumbbell.yaml',
    ])
      expect(packed).toContain(f);
  });

  it('npx ethersim runs a bundled scenario', () => {
    const r = sh('npx', [
      '--offline',
      'ethersim',
      'run',
      'node_modules/ethersim/scenarios/incast-roce.yaml',
      '--json',
      '--quiet',
    ]);
    const result = JSON.parse(r.stdout) as { meta: { version: string; stopReason: string } };
    expect(result.meta.version).toBe(pkg.version);
    expect(result.meta.stopReason).toBe('allFlowsDone');
    // Partition threads load the package's dist/node/partitionThread.cjs through its
    // bin/codeCache.cjs (twice: without, then with the cache the first run left); the result is
    // that of the same partitions in one thread.
    const part = (threads: number) =>
      sh('npx', [
        '--offline',
        'ethersim',
        'run',
        'node_modules/ethersim/scenarios/incast-uet.yaml',
        '--json',
        '--quiet',
        '--set',
        'engine.partitions=2',
        '--set',
        `engine.threads=${threads}`,
      ]).stdout;
    const flows = (out: string) => JSON.stringify((JSON.parse(out) as { flows: unknown[] }).flows);
    const one = flows(part(1));
    expect(flows(part(2))).toBe(one);
    const built = join(dir, 'node_modules/ethersim/dist/node');
    expect(readdirSync(built).filter((f) => /^partitionThread\.cjs\..*\.v8cache$/.test(f))).toHaveLength(1);
    expect(flows(part(2))).toBe(one);
  });

  it('the API imports from a .mjs and a .ts file, and a program type-checks against the declarations', () => {
    const program = `import { parseScenario, runScenario, checkAgainstBaseline, VERSION, type Result, type Scenario } from 'ethersim';
import scenarioSchema from 'ethersim/schema';
import type { SimWorkerApi } from 'ethersim/worker';
const scenario: Scenario = parseScenario({ topology: { kind: 'star', hosts: 3 }, transport: { kind: 'roce' }, workload: { kind: 'incast', senders: 2, sizeBytes: 10000 } });
const result: Result = runScenario(scenario);
const p99: number = result.summary.fctUs.p99;
const check: boolean = typeof checkAgainstBaseline === 'function';
const run: SimWorkerApi['run'] | undefined = undefined;
console.log(VERSION, result.meta.stopReason, p99 > 0, check, typeof scenarioSchema.properties, run === undefined);
`;
    writeFileSync(join(dir, 'program.ts'), program);
    writeFileSync(
      join(dir, 'program.mjs'),
      `import { parseScenario, runScenario, checkAgainstBaseline, VERSION } from 'ethersim';
import scenarioSchema from 'ethersim/schema';
const scenario = parseScenario({ topology: { kind: 'star', hosts: 3 }, transport: { kind: 'roce' }, workload: { kind: 'incast', senders: 2, sizeBytes: 10000 } });
const result = runScenario(scenario);
console.log(VERSION, result.meta.stopReason, result.summary.fctUs.p99 > 0, typeof checkAgainstBaseline === 'function', typeof scenarioSchema.properties, true);
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['program.ts'],
      }),
    );
    const expected = `${pkg.version} allFlowsDone true true object true\n`;
    expect(sh('node', ['program.mjs']).stdout).toBe(expected);
    expect(sh(BIN('tsx'), ['program.ts']).stdout).toBe(expected);
    sh(BIN('tsc'), ['-p', 'tsconfig.json']);
  });

  it("a vitest file using ethersim/vitest passes against a baseline recorded in the project, and docs/api.md's examples run", () => {
    sh('npx', [
      '--offline',
      'ethersim',
      'baseline',
      'node_modules/ethersim/scenarios/dumbbell.yaml',
      '--seeds',
      '4',
      '--out',
      'baselines/dumbbell.json',
      '--quiet',
    ]);
    const examples = apiExamples();
    expect(examples.map((e) => e.file).sort()).toEqual(
      [
        'regression.test.ts',
        'run.mjs',
        'schema.mjs',
        'sweep.mjs',
        'web/main.ts',
        'web/sim.worker.ts',
        'worker.mjs',
      ].sort(),
    );
    for (const e of examples) {
      mkdirSync(dirname(join(dir, e.file)), { recursive: true });
      writeFileSync(join(dir, e.file), e.code);
    }
    for (const f of ['run.mjs', 'sweep.mjs', 'worker.mjs', 'schema.mjs']) sh('node', [f]);
    expect(readFileSync(join(dir, 'incast-grid.csv'), 'utf8')).toMatch(
      /^variant,transport\.cc,switch\.ecn\.kminBytes,metric,value\n/,
    );
    sh(BIN('vitest'), ['run', 'regression.test.ts']);
  });

  it("docs/api.md's browser example: Vite bundles it (the browser builds) and it runs in Chromium", async () => {
    writeFileSync(
      join(dir, 'web/index.html'),
      '<!doctype html><html><body><script type="module" src="./main.ts"></script></body></html>\n',
    );
    sh(BIN('vite'), ['build', 'web', '--outDir', 'dist', '--logLevel', 'error']);
    const server = await serveStatic(join(dir, 'web/dist'));
    const { browser } = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.url);
      await page.waitForSelector('body[data-fct-p99-us]', { state: 'attached', timeout: 60_000 });
      const p99 = await page.getAttribute('body', 'data-fct-p99-us');
      expect(errors).toEqual([]);
      // The browser worker's result is Node's, to the last digit shown.
      const yaml = /const yaml = `([\s\S]*?)`;/.exec(readFileSync(join(dir, 'web/main.ts'), 'utf8'))![1];
      expect(p99).toBe(runScenario(parseScenario(yaml, { seed: 1 })).summary.fctUs.p99.toFixed(3));
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
