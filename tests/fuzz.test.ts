// Fuzzing the command line with mutated scenario files (issue 25): whatever the input, `ethersim
// run` either runs it or refuses it with exit 2 and one short line per problem — never an
// internal error (exit 1 with "internal error"), never a run past 10 s of wall time, never more
// than 1 GB of memory. Each run is `main` called in-process, capped at 5,000 events (a mutation
// that makes the fabric or the workload huge is either refused by the size estimate or stopped
// by the cap), with a watchdog that cancels a simulation running past 10 s.
//
// fast-check generates the mutations from a fixed seed (reproducible); FUZZ_SEED=n and
// FUZZ_RUNS=n explore further.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { main } from '../sim/cli/main.ts';
import { runScenario } from '../sim/run/run.ts';
import type { RunScenarioFn } from '../sim/cli/io.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const WATCHDOG_MS = 10_000;
const MAX_RSS_BYTES = 1024 ** 3;
const MAX_LINE = 300;

// Small scenarios of every topology, transport and workload kind, a compare: and a sweep: block.
const BASES: Record<string, unknown>[] = [
  {
    name: 'roce-star',
    topology: { kind: 'star', hosts: 4 },
    links: { host: { rateGbps: 100, delayNs: 1000 } },
    switch: { bufferBytes: 4_000_000, pfc: { enabled: true }, ecn: { enabled: true } },
    transport: { kind: 'roce', cc: 'dcqcn', mtuBytes: 1024 },
    workload: { kind: 'incast', senders: 3, receiver: 0, sizeBytes: 8192 },
    metrics: { queueSampleNs: 1000 },
  },
  {
    name: 'uet-fattree',
    topology: { kind: 'fatTree', k: 4 },
    links: { host: { rateGbps: 100, delayNs: 500 } },
    switch: { pfc: { enabled: false }, ecn: { enabled: true, pmax: 1 }, trimming: { enabled: true } },
    transport: { kind: 'uet', cc: 'nscc', loadBalancing: 'oblivious', evCount: 16 },
    workload: { kind: 'permutation', sizeBytes: 8192 },
  },
  {
    name: 'leafspine-poisson',
    topology: { kind: 'leafSpine', leaves: 2, spines: 2, hostsPerLeaf: 2 },
    transport: { kind: 'roce' },
    workload: { kind: 'poisson', cdf: 'websearch', load: 0.3, durationUs: 5 },
    stop: { timeUs: 50 },
  },
  {
    name: 'ring-allreduce',
    topology: { kind: 'ring', switches: 3, hostsPerSwitch: 1 },
    transport: { kind: 'roce' },
    workload: { kind: 'ringAllReduce', sizeBytes: 6000 },
  },
  {
    name: 'dumbbell-flows',
    topology: { kind: 'dumbbell', hostsPerSide: 2 },
    transport: { kind: 'uet', loadBalancing: 'reps' },
    workload: [
      { kind: 'flows', flows: [{ src: 0, dst: 2, sizeBytes: 5000, startNs: 100 }] },
      { kind: 'allToAll', sizeBytes: 2048, hosts: [0, 1, 3] },
    ],
  },
  {
    name: 'compare-sweep',
    topology: { kind: 'star', hosts: 3 },
    transport: { kind: 'roce' },
    workload: { kind: 'incast', senders: 2, sizeBytes: 4096 },
    compare: [{ name: 'roce' }, { name: 'uet', set: { 'transport.kind': 'uet' } }],
  },
  {
    name: 'sweep',
    topology: { kind: 'star', hosts: 3 },
    transport: { kind: 'roce' },
    workload: { kind: 'incast', senders: 2, sizeBytes: 4096 },
    sweep: { 'transport.cc': ['none', 'dcqcn'], seed: [1, 2] },
  },
];

/** Every path (dotted) to a value in an object, with the path of each container too. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  const out: string[][] = prefix.length ? [prefix] : [];
  if (v !== null && typeof v === 'object')
    for (const [k, c] of Object.entries(v as Record<string, unknown>)) out.push(...paths(c, [...prefix, k]));
  return out;
}

// Values a careless or hostile file might hold.
const nasty = fc.oneof(
  // Plausible values too (small numbers, kinds, booleans), so that many mutants still run.
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      1,
      2,
      4,
      8,
      10,
      100,
      1000,
      4096,
      0.3,
      true,
      false,
      'auto',
      'uet',
      'roce',
      'ecmp',
      'dcqcn',
    ),
  },
  fc.constantFrom<unknown>(
    0,
    -1,
    1,
    2,
    3,
    0.5,
    1e-9,
    1e-300,
    1e300,
    -1e300,
    2 ** 31,
    2 ** 53 + 2,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'auto',
    'x'.repeat(5000),
    '=HYPERLINK("x")',
    '\u001b[2J',
    '../../../../etc/passwd',
    true,
    false,
    null,
    [],
    {},
    [1, 2, 3],
    { kind: 'star' },
    { __proto__: 1 },
  ),
  fc.integer({ min: -5, max: 70 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 30 }),
  fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 5 }),
);

const KEYS = ['kind', 'k', 'hosts', 'sizeBytes', 'startNs', 'rateGbps', 'delayNs', 'timeUs', 'seed', 'zz'];

type Mutation =
  | { op: 'set'; path: number; value: unknown }
  | { op: 'delete'; path: number }
  | { op: 'add'; path: number; key: string; value: unknown }
  | { op: 'text'; at: number; cut: number; insert: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.nat(), value: nasty }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      path: fc.nat(),
      key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })),
      value: nasty,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('text' as const),
      at: fc.nat(),
      cut: fc.nat({ max: 40 }),
      insert: fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('*nope', '&a [*a]', ': :', '{', '[[[[', '\t', '\u0000', '---\n---', '!!binary x'),
      ),
    }),
  },
);

/** The base scenario with one mutation applied, as file text. */
function mutate(base: Record<string, unknown>, m: Mutation): string {
  const doc = structuredClone(base);
  const ps = paths(doc);
  const at = (i: number) => ps[i % ps.length];
  const parentOf = (p: string[]) => {
    let o: Record<string, unknown> = doc;
    for (const k of p.slice(0, -1)) o = o[k] as Record<string, unknown>;
    return o;
  };
  if (m.op === 'set') {
    const p = at(m.path);
    parentOf(p)[p[p.length - 1]] = m.value;
  } else if (m.op === 'delete') {
    const p = at(m.path);
    const parent = parentOf(p);
    if (Array.isArray(parent)) parent.splice(Number(p[p.length - 1]), 1);
    else delete parent[p[p.length - 1]];
  } else if (m.op === 'add') {
    const p = at(m.path);
    const target = parentOf([...p, '']) as Record<string, unknown>;
    const holder = target[p[p.length - 1]];
    if (holder !== null && typeof holder === 'object' && !Array.isArray(holder))
      (holder as Record<string, unknown>)[m.key] = m.value;
    else doc[m.key] = m.value;
  } else {
    const text = YAML.stringify(doc);
    const i = m.at % (text.length + 1);
    return text.slice(0, i) + m.insert + text.slice(i + m.cut);
  }
  return YAML.stringify(doc);
}

let dir: string;
const savedLimit = process.env.ETHERSIM_MAX_MEMORY_MB;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ethersim-fuzz-'));
  // Scenarios estimated above 512 MiB are refused (exit 2), so no run nears the 1 GB bound.
  process.env.ETHERSIM_MAX_MEMORY_MB = '512';
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedLimit === undefined) delete process.env.ETHERSIM_MAX_MEMORY_MB;
  else process.env.ETHERSIM_MAX_MEMORY_MB = savedLimit;
});

describe('fuzz: mutated scenarios through `ethersim run`', () => {
  it(`${RUNS} mutations: a valid run or exit 2 with short lines; no internal error, hang or blow-up`, async () => {
    const outcomes = { ok: 0, invalid: 0, failedRun: 0 };
    let slowestMs = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: BASES.length - 1 }), mutation, async (b, m) => {
        const file = join(dir, `f${n++ % 50}.yaml`);
        const text = mutate(BASES[b], m);
        writeFileSync(file, text);
        let err = '';
        let watchdogFired = false;
        const t0 = performance.now();
        // The simulator with a wall-clock watchdog: a run past 10 s is cancelled and reported.
        const guarded: RunScenarioFn = (s, opts = {}) =>
          runScenario(s, {
            ...opts,
            progressEveryEvents: 2000,
            isCancelled: () => {
              if (performance.now() - t0 > WATCHDOG_MS) watchdogFired = true;
              return watchdogFired;
            },
          });
        const code = await main(['run', file, '--quiet', '--set', 'stop.maxEvents=5000'], {
          stdout: () => {},
          stderr: (s) => {
            err += s;
          },
          stderrIsTTY: false,
          env: {},
          cwd: dir,
          runScenario: guarded,
        });
        const ms = performance.now() - t0;
        slowestMs = Math.max(slowestMs, ms);
        const lines = err.split('\n').filter((l) => l !== '');
        const problems = lines.filter((l) => !l.startsWith('ethersim: note: '));
        const context = `base ${String(BASES[b].name)}, mutation ${JSON.stringify(m).slice(0, 200)}\n--- stderr:\n${err.slice(0, 600)}`;
        expect(watchdogFired, `a run went past ${WATCHDOG_MS} ms: ${context}`).toBe(false);
        expect(ms, `took ${ms.toFixed(0)} ms: ${context}`).toBeLessThan(WATCHDOG_MS);
        expect(err, context).not.toMatch(/internal error| {4}at /);
        for (const l of lines) expect(l.length, context).toBeLessThanOrEqual(MAX_LINE);
        expect([0, 1, 2], context).toContain(code);
        if (code === 2) {
          outcomes.invalid++;
          expect(problems.length, context).toBeGreaterThanOrEqual(1);
          // One line per problem: a single mutation of a value makes one problem (a few when it
          // breaks a shared value, e.g. a compare: base both variants read, or a list whose items
          // each fail); a text edit can merge lines into several real problems, each its own line;
          // never more than 8 lines (MAX_PROBLEM_LINES).
          expect(problems.length, context).toBeLessThanOrEqual(8);
          expect(err.length, context).toBeLessThanOrEqual(3000);
        } else if (code === 1) {
          // A valid run that failed as a run can (a PFC deadlock, a stalled run), said in one line.
          outcomes.failedRun++;
          expect(problems.length, context).toBeLessThanOrEqual(2);
          expect(err, context).toMatch(/deadlock|stalled|run failed/);
        } else outcomes.ok++;
        expect(process.memoryUsage().rss, context).toBeLessThan(MAX_RSS_BYTES);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(
      `fuzz: ${RUNS} mutated scenarios (seed ${SEED}): ${outcomes.ok} ran, ${outcomes.invalid} refused (exit 2), ${outcomes.failedRun} failed as runs; slowest ${slowestMs.toFixed(0)} ms`,
    );
    expect(outcomes.ok).toBeGreaterThan(RUNS / 20); // the mutations do not only break the files (10 % run here)
  }, 120_000);
});
