import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  writeFileSync,
  readFileSync,
  readdirSync,
  rmSync,
  existsSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIO, type RunScenarioFn } from '../sim/cli/main.ts';
import type { Result } from '../sim/metrics/result.ts';
import { FLOWS_CSV_HEADER } from '../sim/cli/report.ts';
import { loadScenario, scenarioHash } from '../sim/scenario/load.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/ethersim.mjs');
let dir: string;

const GOOD = `name: tiny
topology: { kind: star, hosts: 4 }
transport: { kind: roce }
workload: { kind: incast, senders: 3, sizeBytes: 4096 }
`;
const COMPARE =
  GOOD +
  `compare:
  - name: roce
  - name: uet
    set: { transport.kind: uet }
`;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Run the real binary (a child process, as a user would). */
function spawnCli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ETHERSIM_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A made-up Result, as runScenario would return it. */
function fakeResult(
  s: { name: string; seed: number; transport: { kind: string } },
  stopReason: Result['meta']['stopReason'] = 'allFlowsDone',
): Result {
  const qz = (v: number) => ({ p50: v, p90: v, p99: v * 2, p999: v * 2, max: v * 3, mean: v, count: 3 });
  return {
    meta: {
      version: '0.1.0',
      name: s.name,
      seed: s.seed,
      scenarioHash: 'x',
      transport: s.transport.kind,
      hosts: 4,
      switches: 1,
      links: 4,
      simTimePs: 12_345_678,
      events: 4321,
      wallMs: 0,
      stopReason,
    },
    flows: [
      {
        id: 0,
        src: 1,
        dst: 0,
        sizeBytes: 4096,
        startPs: 0,
        fctPs: 1_000_000,
        idealFctPs: 500_000,
        slowdown: 2,
        retransmits: 0,
        deliveredBytes: 4096,
      },
      {
        id: 1,
        src: 2,
        dst: 0,
        sizeBytes: 4096,
        startPs: 0,
        fctPs: -1,
        idealFctPs: 500_000,
        slowdown: -1,
        retransmits: 1,
        deliveredBytes: 0,
      },
    ],
    counters: {
      packetsSent: 3,
      packetsDelivered: 3,
      bytesDelivered: 12288,
      drops: 0,
      losslessDrops: 0,
      headerDrops: 0,
      discards: 0,
      ecnMarks: 5,
      pauseFrames: 2,
      resumeFrames: 2,
      pausedTimePs: 10,
      naks: 0,
      retransmits: 1,
      timeouts: 0,
      cnps: 1,
      trims: 0,
      acks: 3,
      inFlight: 0,
      inFlightData: 0,
      inFlightControl: 0,
    },
    notes: [],
    summary: { flowsTotal: 2, flowsDone: 1, fctUs: qz(1.5), slowdown: qz(2), latencyUs: qz(1.2) },
    pfc: [],
    series: [],
  };
}

/** Call main in-process with captured output and a stub simulator. */
async function runMain(args: string[], run?: RunScenarioFn, extra: Partial<CliIO> = {}) {
  let stdout = '',
    stderr = '';
  const seen: unknown[] = [];
  const runScenario: RunScenarioFn =
    run ??
    ((s) => {
      seen.push(s);
      return fakeResult(s);
    });
  const code = await main(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTTY: false,
    env: {},
    cwd: dir,
    runScenario,
    ...extra,
  });
  return {
    code,
    stdout,
    stderr,
    seen: seen as { name: string; seed: number; transport: { kind: string }; topology: { hosts: number } }[],
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ethersim-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ethersim binary (child process)', () => {
  it('validate: an invalid scenario exits 2 with one line naming the path', { tags: ['slow'] }, () => {
    const p = file('oddk.yaml', GOOD.replace('{ kind: star, hosts: 4 }', '{ kind: fatTree, k: 3 }'));
    const r = spawnCli(['validate', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ethersim: topology.k: expected an even integer ≥ 2, got 3\n');
  });
  it('validate: unknown field and bad enum, one line each, no stack trace', { tags: ['slow'] }, () => {
    const p = file('bad.yaml', `${GOOD.replace('{ kind: roce }', '{ kind: roce, cc: foo }')}bogus: 1\n`);
    const r = spawnCli(['validate', p]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      'ethersim: transport.cc: expected one of: none, dcqcn, hpcc, timely, dctcp, got "foo"',
      expect.stringMatching(/^ethersim: bogus: unknown field; allowed fields: name, /),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it('validate and run: a scenario valid by the schema but not buildable exits 2 with one line, before any run', {
    tags: ['slow'],
  }, () => {
    // Too many incast senders for the topology; a buffer smaller than what PFC reserves in it;
    // a misspelt bundled CDF.
    const cases: Array<[string, string, RegExp]> = [
      [
        'senders.yaml',
        GOOD.replace('senders: 3', 'senders: 9'),
        /^ethersim: workload\.senders: 9 senders need 10 hosts, the topology has 4\n$/,
      ],
      [
        'buffer.yaml',
        `${GOOD}switch: { bufferBytes: 100000, pfc: { enabled: true } }\n`,
        /^ethersim: switch\.bufferBytes: 100000 B \(0\.10 MB\) is less than the \d+ B \([\d.]+ MB\) that PFC sets aside at sw0: 4 ingress ports × 1 lossless priority × \(headroom up to \d+ B \+ reserve 4096 B\); raise switch\.bufferBytes, or lower switch\.pfc\.headroomBytes or reserveBytes\n$/,
      ],
      [
        'cdf.yaml',
        GOOD.replace(
          '{ kind: incast, senders: 3, sizeBytes: 4096 }',
          '{ kind: poisson, cdf: websarch, load: 0.3, durationUs: 10 }',
        ),
        /^ethersim: workload\.cdf: "websarch" is not a bundled CDF \(websearch, fb_hadoop, alistorage2019, googlerpc2008\) nor a file that can be read\n$/,
      ],
    ];
    for (const [name, text, msg] of cases) {
      for (const cmd of ['validate', 'run']) {
        const r = spawnCli([cmd, file(name, text), '--quiet']);
        expect(r.code, `${cmd} ${name}`).toBe(2);
        expect(r.stderr).toMatch(msg);
        expect(r.stdout).toBe('');
      }
    }
  });
  it('a reader that stops early ends the output quietly (no EPIPE stack trace)', { tags: ['slow'] }, () => {
    const r = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${BIN}" run scenarios/dumbbell.yaml --json --quiet | head -c 20 > /dev/null`],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
  it('validate: a valid scenario exits 0', { tags: ['slow'] }, () => {
    const r = spawnCli(['validate', file('good.yaml', GOOD)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/good\.yaml: ok/);
  });
  it('run from the build (default) and from the sources through tsx (ETHERSIM_NO_BUNDLE) gives the same result', {
    tags: ['slow'],
  }, () => {
    // chakra-trace: the build loads protobufjs on first use (scripts/build.mjs LAZY_DEPS).
    for (const scenario of ['dumbbell.yaml', 'chakra-trace.yaml']) {
      const args = [BIN, 'run', join(ROOT, 'scenarios', scenario), '--json', '--quiet'];
      const env = { ...process.env, ETHERSIM_TRACE_ENTRY: '1' };
      const viaBundle = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env });
      const viaTsx = spawnSync(process.execPath, args, {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...env, ETHERSIM_NO_BUNDLE: '1' },
      });
      expect([viaBundle.status, viaTsx.status]).toEqual([0, 0]);
      // each took the path it claims: the build in dist/node/, or the sources through tsx
      expect(viaBundle.stderr).toBe(`ethersim entry: ${join(ROOT, 'dist/node/cli.cjs')}\n`);
      expect(viaTsx.stderr).toBe('ethersim entry: sim/cli/main.ts via tsx\n');
      // One result, or (chakra-trace has compare:) one per variant.
      const results = (out: string): Result[] => {
        const o = JSON.parse(out) as { variants?: Array<{ result: Result }> };
        return o.variants !== undefined ? o.variants.map((v) => v.result) : [o as unknown as Result];
      };
      const strip = (out: string) =>
        JSON.stringify(
          results(out).map((r) => {
            r.meta.wallMs = 0;
            return r;
          }),
        );
      expect(strip(viaBundle.stdout)).toBe(strip(viaTsx.stdout));
      for (const r of results(viaBundle.stdout)) expect(r.flows.length).toBeGreaterThan(0);
    }
  });

  it('run --out of a partitioned run writes series.ndjson, the same from threads as from one thread', {
    tags: ['slow'],
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ethersim-part-series-'));
    try {
      const run = (threads: number) => {
        const out = join(dir, `t${threads}`);
        const r = spawnCli([
          'run',
          join(ROOT, 'scenarios/incast-uet.yaml'),
          '--quiet',
          '--set',
          'engine.partitions=2',
          '--set',
          `engine.threads=${threads}`,
          '--out',
          out,
        ]);
        expect(r.code, r.stderr).toBe(0);
        return readFileSync(join(out, 'series.ndjson'), 'utf8');
      };
      const threaded = run(2);
      expect(threaded).toBe(run(1));
      const meta = JSON.parse(threaded.slice(0, threaded.indexOf('\n')));
      expect(meta).toMatchObject({ kind: 'meta', format: 'ethersim-series', flows: 15 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run --timing of a threaded partitioned run reports each partition thread and leaves the result as it was', {
    tags: ['slow'],
  }, () => {
    const args = [
      'run',
      join(ROOT, 'scenarios/permutation-uet.yaml'),
      '--quiet',
      '--json',
      '--set',
      'engine.partitions=2',
      '--set',
      'engine.threads=2',
      '--set',
      'workload.sizeBytes=65536',
    ];
    const r = spawnCli([...args, '--timing']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^ {2}build \(threads start, load, build\) +\d+$/m);
    for (const lp of [0, 1])
      expect(r.stderr).toMatch(new RegExp(`^  partition ${lp}: \\d+ windows, [\\d,]+ events; busy \\d+ ms`, 'm'));
    // The threads read a wall clock only for the report: the physics must not see it.
    const plain = spawnCli(args);
    expect(plain.code).toBe(0);
    const strip = (out: string) => {
      const res = JSON.parse(out) as Result;
      res.meta.wallMs = 0;
      return JSON.stringify(res);
    };
    expect(strip(r.stdout)).toBe(strip(plain.stdout));
    expect((JSON.parse(plain.stdout) as Result).flows.length).toBeGreaterThan(0);
  });

  it('a run leaves a V8 code cache for cli.cjs, named for its size and mtime; runs with and without it agree', {
    tags: ['slow'],
  }, () => {
    const dist = join(ROOT, 'dist/node');
    const cacheOf = (script: string) => {
      const st = statSync(join(dist, script));
      return `${script}.${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`;
    };
    const caches = () =>
      readdirSync(dist)
        .filter((f) => f.endsWith('.v8cache'))
        .sort();
    for (const f of caches()) rmSync(join(dist, f), { force: true });
    const strip = (out: string) => {
      const r = JSON.parse(out) as Result;
      r.meta.wallMs = 0;
      return JSON.stringify(r);
    };
    const args = ['run', join(ROOT, 'scenarios/dumbbell.yaml'), '--json', '--quiet'];
    const cold = spawnCli(args);
    expect(caches()).toEqual([cacheOf('cli.cjs')]);
    const warm = spawnCli(args);
    expect([cold.code, warm.code]).toEqual([0, 0]);
    expect(strip(warm.stdout)).toBe(strip(cold.stdout));
    // A threaded run's partition thread loads partitionThread.cjs the same way (its first run
    // writes the cache, after its windows); the result is that of the same partitions run in
    // this one thread.
    const threaded = [
      'run',
      join(ROOT, 'scenarios/incast-uet.yaml'),
      '--json',
      '--quiet',
      '--set',
      'engine.partitions=2',
      '--set',
      'engine.threads=2',
    ];
    const first = spawnCli(threaded);
    expect(caches()).toEqual([cacheOf('cli.cjs'), cacheOf('partitionThread.cjs')]);
    const second = spawnCli(threaded);
    const one = spawnCli([...threaded.slice(0, -1), 'engine.threads=1']);
    expect([first.code, second.code, one.code]).toEqual([0, 0, 0]);
    expect(strip(second.stdout)).toBe(strip(first.stdout));
    const flows = (out: string) => JSON.stringify((JSON.parse(out) as Result).flows);
    expect(flows(first.stdout)).toBe(flows(one.stdout));
  });

  it('a build trains cli.cjs’s code cache, which a later run accepts and keeps as it is', {
    tags: ['slow'],
  }, async () => {
    const { build } = (await import('../scripts/build.mjs' as string)) as {
      build(out: string): Promise<void>;
    };
    const out = mkdtempSync(join(tmpdir(), 'ethersim-train-'));
    try {
      await build(out);
      const dist = join(out, 'node');
      const st = statSync(join(dist, 'cli.cjs'));
      const cache = join(dist, `cli.cjs.${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`);
      // Written by the training runs (scripts/trainCodeCache.cjs), before any command ran.
      const trained = statSync(cache);
      // A command loads the script with it and finds it usable: save() rewrites a cache only
      // when V8 rejected it (bin/codeCache.cjs), so the file is the build's, byte for byte.
      const before = readFileSync(cache);
      const code = `const { loadWithCodeCache } = require(${JSON.stringify(join(ROOT, 'bin/codeCache.cjs'))});
const { exports: cli, save } = loadWithCodeCache(${JSON.stringify(join(dist, 'cli.cjs'))});
cli.main(['run', ${JSON.stringify(join(ROOT, 'scenarios/incast-uet.yaml'))}, '--quiet']).then((c) => { save(); process.exitCode = c; });`;
      const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(cache).mtimeMs).toBe(trained.mtimeMs);
      expect(readFileSync(cache).equals(before)).toBe(true);
      expect(readdirSync(dist).filter((f) => f.startsWith('cli.cjs.') && f.endsWith('.v8cache'))).toHaveLength(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a run writes nothing into the source tree; a source newer than dist/node/ is rebuilt before it runs', {
    tags: ['slow'],
  }, async () => {
    const { isStale } = (await import('../scripts/build.mjs' as string)) as { isStale(): boolean };
    const tree = (d: string): string[] => readdirSync(join(ROOT, d), { recursive: true, encoding: 'utf8' }).sort();
    const before = tree('sim');
    expect(spawnCli(['run', join(ROOT, 'scenarios/dumbbell.yaml'), '--quiet']).code).toBe(0);
    expect(tree('sim')).toEqual(before);
    // An edited source (its mtime now): the next command rebuilds dist/node/ and runs the new build.
    const src = join(ROOT, 'sim/version.ts');
    const now = new Date();
    utimesSync(src, now, now);
    expect(isStale()).toBe(true);
    const r = spawnCli(['help']);
    expect(r.code).toBe(0);
    expect(isStale()).toBe(false);
    expect(statSync(join(ROOT, 'dist/node/cli.mjs')).mtimeMs).toBeGreaterThanOrEqual(now.getTime() - 1000);
    expect(tree('sim')).toEqual(before);
  });

  it('schema prints valid JSON with properties.topology', { tags: ['slow'] }, () => {
    const r = spawnCli(['schema']);
    expect(r.code).toBe(0);
    const js = JSON.parse(r.stdout);
    expect(js.properties.topology).toBeDefined();
    expect(js.properties.transport).toBeDefined();
  });
});

describe('argument and input errors (exit 2)', () => {
  it('missing file', async () => {
    const r = await runMain(['run', 'nope.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ethersim: cannot read scenario file nope.yaml: no such file\n');
  });
  it('unknown command, unknown option, missing FILE, bad --seed, dangling --set', async () => {
    for (const [args, re] of [
      [['frob'], /unknown command "frob"/],
      [['run', 'x.yaml', '--fast'], /unknown option --fast/],
      [['run'], /run: missing FILE/],
      [['run', 'x.yaml', '--seed', 'abc'], /--seed: expected an integer ≥ 0, got "abc"/],
      [['run', 'x.yaml', '--set'], /--set needs a value/],
    ] as [string[], RegExp][]) {
      const r = await runMain(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.startsWith('ethersim: ')).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
  it('no command prints usage and exits 2; help exits 0', async () => {
    expect((await runMain([])).code).toBe(2);
    const h = await runMain(['help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/ethersim COMMAND --help/);
    for (const c of ['run', 'compare', 'sweep', 'merge', 'baseline', 'check', 'validate', 'schema', 'bench'])
      expect(h.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });
  it("each command takes its own options only: another command's option is an error naming both", async () => {
    for (const [args, re] of [
      [['run', 'x.yaml', '--alpha', '0.5'], /^ethersim: run: unknown option --alpha; run takes --seed, --set/],
      [['run', 'x.yaml', '--baseline', 'b.json'], /^ethersim: run: unknown option --baseline;/],
      [['run', 'x.yaml', '--shard', '1/2'], /^ethersim: run: unknown option --shard;/],
      [['validate', 'x.yaml', '--tol', 'zzz'], /^ethersim: validate: unknown option --tol; validate takes --set/],
      [['merge', 'a', '--seeds', '3'], /^ethersim: merge: unknown option --seeds;/],
      [['schema', '--json'], /^ethersim: schema: unknown option --json; schema takes no options/],
      [['run', 'x.yaml', '--json=1'], /^ethersim: run: --json takes no value/],
      [['run', 'a.yaml', 'b.yaml'], /^ethersim: run: unexpected argument "b.yaml"; run takes FILE/],
      [['check', 'x.yaml', '--alpha', '2'], /--alpha: expected a significance level in \(0, 1\)/],
      [['check', 'x.yaml', '--seeds', '0'], /--seeds: expected an integer ≥ 1, got "0"/],
    ] as [string[], RegExp][]) {
      const r = await runMain(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.seen).toHaveLength(0);
    }
  });
  it("COMMAND --help and help COMMAND print that command's options alone", async () => {
    const a = await runMain(['run', '--help']);
    const b = await runMain(['help', 'run']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^Usage: ethersim run FILE \[options\]/);
    const opts = [...a.stdout.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
    expect(opts).toEqual([
      '--seed',
      '--set',
      '--json',
      '--out',
      '--quiet',
      '--progress',
      '--jobs',
      '--timing',
      '--help',
    ]);
    const c = await runMain(['check', '-h']);
    expect(c.stdout).toMatch(/--baseline FILE/);
    expect(c.stdout).toMatch(/--tol LIST/);
    expect((await runMain(['help', 'frob'])).code).toBe(2);
  });
  it('run --timing prints the phases on stderr and leaves the result as it was', async () => {
    const { runScenario } = await import('../sim/run/run.ts');
    const p = file('good.yaml', GOOD);
    const plain = await runMain(['run', p, '--json'], runScenario as RunScenarioFn);
    const timed = await runMain(['run', p, '--json', '--timing'], runScenario as RunScenarioFn);
    expect([plain.code, timed.code]).toEqual([0, 0]);
    const strip = (out: string) => {
      const r = JSON.parse(out) as Result;
      r.meta.wallMs = 0;
      return JSON.stringify(r);
    };
    expect(strip(timed.stdout)).toBe(strip(plain.stdout));
    expect(plain.stderr).toBe('');
    const labels = [...timed.stderr.matchAll(/^ {2}(.+?)\s{2,}\s*\d+/gm)].map((m) => m[1]);
    expect(labels).toEqual([
      'Node start (before V8)',
      'Node bootstrap',
      'module load (CLI, scenario layer)',
      'scenario (read, parse, validate)',
      'module load (simulator core)',
      'build',
      'run',
      'report',
      'total',
    ]);
    const events = (JSON.parse(timed.stdout) as Result).meta.events;
    expect(timed.stderr).toContain(`${events.toLocaleString('en-US')} events`);
    expect(timed.stderr).toMatch(/ run +\d+ {3}[\d,]+ events, [\d.]+ M\/s$/m);
    // Partitions taking turns in this thread mark their build and run apart too.
    const parts = await runMain(
      ['run', join(ROOT, 'scenarios/incast-uet.yaml'), '--json', '--timing', '--set', 'engine.partitions=2'],
      runScenario as RunScenarioFn,
    );
    expect(parts.code).toBe(0);
    const partLabels = [...parts.stderr.matchAll(/^ {2}(.+?)\s{2,}\s*\d+/gm)].map((m) => m[1]);
    expect(partLabels.slice(5, 7)).toEqual(['build', 'run']);
  });
  it('a bad --set path is rejected before running', async () => {
    const p = file('good.yaml', GOOD);
    const r = await runMain(['run', p, '--set', 'topology.bogus=1']);
    expect(r.code).toBe(2);
    expect(r.seen).toHaveLength(0);
    expect(r.stderr).toMatch(
      /^ethersim: --set topology\.bogus: unknown field "bogus" in topology; allowed fields: kind, hosts\n$/,
    );
  });
  it('validate checks the sweep: grid, one line per problem however many grid points have it', {
    tags: ['slow'],
  }, async () => {
    const bad = file('badsweep.yaml', `${GOOD}sweep:\n  transport.foo: [none, dcqcn]\n  seed: [1, 2, 3]\n`);
    for (const cmd of ['validate', 'sweep']) {
      const r = await runMain([cmd, bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^ethersim: sweep "transport\.foo=none,seed=1" \(and 5 more variants\): transport\.foo: unknown field "foo" in transport; allowed fields: kind,[^\n]*\n$/,
      );
    }
    const ok = await runMain(['validate', join(ROOT, 'scenarios/incast-sweep.yaml')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /\n {2}sweep: 12 variants ok \(transport\.cc × switch\.ecn\.kminBytes × workload\.sizeBytes\)\n/,
    );
  });
  it('a --set value that breaks the schema names the path', async () => {
    const r = await runMain(['validate', file('good.yaml', GOOD), '--set', 'links.host.rateGbps=-5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ethersim: links.host.rateGbps: expected a link rate in Gb/s > 0, got -5\n');
  });
});

describe('run', () => {
  it('applies --set and --seed, prints the table', async () => {
    const p = file('good.yaml', GOOD);
    const r = await runMain(['run', p, '--set', 'topology.hosts=8', '--seed', '42']);
    expect(r.code).toBe(0);
    expect(r.seen[0].topology.hosts).toBe(8);
    expect(r.seen[0].seed).toBe(42);
    for (const label of [
      'scenario',
      'hosts / switches',
      'transport',
      'flows done',
      'FCT p99 (µs)',
      'slowdown p50',
      'ECN marks',
      'PFC pauses',
      'events/s',
      'wall time',
      'sim time',
    ]) {
      expect(r.stdout).toContain(label);
    }
    expect(r.stdout).toMatch(/flows done\s+1 \/ 2/);
    expect(r.stdout).toMatch(/sim time\s+12\.35 µs/);
  });
  it('--json prints exactly one JSON document, with wallMs filled', async () => {
    const r = await runMain(['run', file('good.yaml', GOOD), '--json', '--progress']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Result;
    expect(doc.meta.name).toBe('tiny');
    expect(typeof doc.meta.wallMs).toBe('number');
    expect(doc.meta.wallMs).toBeGreaterThanOrEqual(0);
  });
  it('--json progress goes to stderr only', async () => {
    const run: RunScenarioFn = (s, o) => {
      o?.onProgress?.({ simTimePs: 1e6, events: 10, flowsDone: 1, flowsTotal: 2 });
      return fakeResult(s);
    };
    const r = await runMain(['run', file('good.yaml', GOOD), '--json', '--progress'], run);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toMatch(/\[#+\.+\]\s+50%\s+flows 1\/2/);
    const quiet = await runMain(['run', file('good.yaml', GOOD), '--json'], run);
    expect(quiet.stderr).toBe(''); // not a TTY and no --progress: nothing
  });
  it('--out writes result.json, flows.csv and scenario.json (the scenario as it ran, for the browser)', async () => {
    const out = join(dir, 'out', 'deep');
    const r = await runMain(['run', file('good.yaml', GOOD), '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const res = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as Result;
    // The scenario file loads back to the very scenario the result was computed from.
    const sc = loadScenario(readFileSync(join(out, 'scenario.json'), 'utf8'), 'scenario.json').scenario;
    expect(scenarioHash(sc)).toBe(scenarioHash(loadScenario(GOOD, 'good.yaml').scenario));
    expect(res.flows).toHaveLength(2);
    const csv = readFileSync(join(out, 'flows.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe(FLOWS_CSV_HEADER);
    expect(csv[0]).toBe('id,src,dst,sizeBytes,startPs,fctPs,idealFctPs,slowdown,retransmits');
    expect(csv[1]).toBe('0,1,0,4096,0,1000000,500000,2,0');
    expect(csv).toHaveLength(3);
  });
  it('compare: runs each variant, tables side by side, JSON as {variants}', async () => {
    const p = file('cmp.yaml', COMPARE);
    const t = await runMain(['run', p]);
    expect(t.code).toBe(0);
    expect(t.seen.map((s) => [s.name, s.transport.kind])).toEqual([
      ['roce', 'roce'],
      ['uet', 'uet'],
    ]);
    const header = t.stdout.split('\n')[0];
    expect(header).toMatch(/^\s+roce\s+uet$/);
    const j = await runMain(['run', p, '--json', '--out', join(dir, 'cmpout')]);
    const doc = JSON.parse(j.stdout) as { variants: { name: string; result: Result }[] };
    expect(doc.variants.map((v) => v.name)).toEqual(['roce', 'uet']);
    expect(doc.variants[1].result.meta.transport).toBe('uet');
    expect(existsSync(join(dir, 'cmpout', 'uet', 'flows.csv'))).toBe(true);
    const uet = JSON.parse(readFileSync(join(dir, 'cmpout', 'uet', 'scenario.json'), 'utf8'));
    expect(uet.transport.kind).toBe('uet');
  });
  it('compare: a failing variant is reported, the others still print, exit 1', async () => {
    const p = file('cmp.yaml', COMPARE);
    const run: RunScenarioFn = (s) => {
      if (s.transport.kind === 'uet') throw new Error('no uet');
      return fakeResult(s);
    };
    const t = await runMain(['run', p], run);
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('ethersim: run failed (variant "uet"): no uet\n');
    expect(t.stdout).toMatch(/transport\s+roce\n/);
    const j = await runMain(['run', p, '--json'], run);
    const doc = JSON.parse(j.stdout);
    expect(doc.variants[1]).toEqual({ name: 'uet', error: 'no uet' });
  });
  it('unfinished flows at the time limit are not a failure; deadlock and exceptions are (exit 1)', async () => {
    const p = file('good.yaml', GOOD);
    expect((await runMain(['run', p], (s) => fakeResult(s, 'timeLimit'))).code).toBe(0);
    const dl = await runMain(['run', p], (s) => fakeResult(s, 'deadlock'));
    expect(dl.code).toBe(1);
    expect(dl.stderr).toMatch(/^ethersim: PFC deadlock detected/);
    const ex = await runMain(['run', p], () => {
      throw new Error('boom');
    });
    expect(ex.code).toBe(1);
    expect(ex.stderr).toBe('ethersim: run failed: boom\n');
  });
  it('an input error thrown while building the run (name ScenarioError) exits 2, one line', async () => {
    const p = file('good.yaml', GOOD);
    const r = await runMain(['run', p], () => {
      const e = new Error('workload.senders: 9 senders need 10 hosts, the topology has 4');
      e.name = 'ScenarioError';
      throw e;
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ethersim: workload.senders: 9 senders need 10 hosts, the topology has 4\n');
  });
  it('passes a readText that resolves paths relative to the scenario file', async () => {
    file('my.cdf', '1 0\n100 100\n');
    let text = '';
    await runMain(
      ['run', file('good.yaml', GOOD)],
      (s, o) => {
        text = o!.readText!('my.cdf');
        return fakeResult(s);
      },
      { cwd: ROOT },
    );
    expect(text).toBe('1 0\n100 100\n');
  });
});

describe('validate --explain (docs/congestion-control.md)', () => {
  it('prints each variant’s congestion control with its parameters as they will run, defaults filled in', async () => {
    const r = await runMain(['validate', join(ROOT, 'scenarios/cc-incast.yaml'), '--explain']);
    expect(r.code).toBe(0);
    const line = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(`variant "${name}": cc `))!;
    // HPCC at 100 G: η 0.95, maxStage 0, R_AI = 10 × 100/25 Mb/s (cc-family.md §1.3).
    expect(line('hpcc')).toMatch(
      /cc hpcc: eta=0\.95 maxStage=0 rateAiMbps=40 baseRttUs=[\d.]+ fastReact=true minRateMbps=1000/,
    );
    // TIMELY: δ 100, HAI 500 Mb/s at 100 G (§2.2).
    expect(line('timely')).toMatch(/rateAiMbps=100 rateHaiMbps=500 haiAfter=5/);
    // DCTCP: one ECN threshold K = 300 KB at 100 G, Pmax 1 (§3.2).
    expect(line('dctcp')).toMatch(/g=0\.0625 rateAiMbps=615 .*ecnKminBytes=300000 ecnKmaxBytes=300000 ecnPmax=1$/);
    // DCQCN's ConnectX preset scales AI with the NIC: 5 × 100/25 = 20 Mb/s (physics.md §2.2c).
    expect(line('dcqcn')).toMatch(/preset=connectx .*rateAiMbps=20 rateHaiMbps=200/);
    expect(line('nscc')).toMatch(/cc nscc: .*rccc=false/);
    // A set override shows in the effective values.
    const o = await runMain([
      'validate',
      join(ROOT, 'scenarios/cc-incast.yaml'),
      '--set',
      'transport.hpcc.eta=0.9',
      '--explain',
    ]);
    expect(o.stdout).toMatch(/variant "hpcc": cc hpcc: eta=0\.9 /);
  });
});
