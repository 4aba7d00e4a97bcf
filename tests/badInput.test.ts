// Bad input that used to slip through (issue 25, "Bad input that still gets through"): each case
// here failed on the code before the fix — an internal error (exit 1), a hang, an echo of the
// whole input, quadratic time, or a silent run with a setting that defeats the model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cliCapture.ts';
import { runScenario } from '../sim/run/run.ts';
import { loadScenario } from '../sim/scenario/load.ts';
import { expandSweep } from '../sim/run/sweep.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ethersim-bad-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = `name: tiny
topology: { kind: star, hosts: 4 }
transport: { kind: roce }
workload: { kind: incast, senders: 3, sizeBytes: 4096 }
`;

const cli = (args: string[]) => runCli(args, dir);

async function validateText(text: string, name = 'x.yaml') {
  writeFileSync(join(dir, name), text);
  return cli(['validate', name]);
}

describe('YAML that used to be an internal error', () => {
  it('an alias bomb is an input error naming the limit', async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghi'.split('').map((c, i) => {
        const p = 'abcdefghi'[i];
        return `${c}: &${c} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
      }),
    ].join('\n');
    const r = await validateText(`${bomb}\n${BASE}`);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^ethersim: x\.yaml: YAML aliases/);
    expect(r.lines[0]).not.toMatch(/internal error/);
  });

  it('an undefined alias names the alias', async () => {
    const r = await validateText(`description: *nope\n${BASE}`);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/\*nope/);
    expect(r.lines[0]).not.toMatch(/internal error/);
  });

  it('1,000-deep nesting says the nesting is too deep and gives the limit', async () => {
    const r = await validateText(`${BASE}description: ${'['.repeat(1000)}${']'.repeat(1000)}\n`);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/nest(ed|ing) .*deep.*\b64\b/);
    expect(r.lines[0]).not.toMatch(/call stack/);
  });
});

describe('times outside the simulator exact range', () => {
  it('workload.flows[0].startNs: 1e300 is an error naming the field (it used to run forever)', async () => {
    const r = await validateText(
      `${BASE.replace(/workload:.*\n/, '')}workload: { kind: flows, flows: [{ src: 1, dst: 0, sizeBytes: 4096, startNs: 1e300 }] }\n`,
    );
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^ethersim: workload\.flows\.0\.startNs: expected .*9000 s/);
  });
  it('stop.timeUs and an RTO past the range are errors too', async () => {
    for (const [path, v] of [
      ['stop.timeUs', '1e12'],
      ['transport.rtoUs', '1e20'],
      ['switch.latencyNs', '1e15'],
    ]) {
      writeFileSync(join(dir, 't.yaml'), BASE);
      const r = await cli(['validate', 't.yaml', '--set', `${path}=${v}`]);
      expect(r.code, path).toBe(2);
      expect(r.lines[0]).toMatch(new RegExp(`^ethersim: ${path.replace('.', '\\.')}: expected`));
    }
  });
  it('so are the newer times: routing, CC base RTTs and targets, faults and jobs', async () => {
    const cases: Array<[string, string]> = [
      ['routing.flowletGapUs', 'routing: { mode: flowlet, flowletGapUs: 1e300 }'],
      ['routing.convergenceUs', 'routing: { convergenceUs: 1e300 }'],
      ['transport.hpcc.baseRttUs', 'transport: { kind: roce, cc: hpcc, hpcc: { baseRttUs: 1e300 } }'],
      ['transport.timely.tHighUs', 'transport: { kind: roce, cc: timely, timely: { tHighUs: 1e300 } }'],
      ['transport.dctcp.baseRttUs', 'transport: { kind: roce, cc: dctcp, dctcp: { baseRttUs: 1e300 } }'],
      ['transport.swift.baseTargetUs', 'transport: { kind: uet, cc: swift, swift: { baseTargetUs: 1e300 } }'],
      ['faults.0.upAtUs', 'faults: [{ kind: linkDown, link: "s0->h0", atUs: 1, upAtUs: 1e300 }]'],
      ['faults.0.downUs', 'faults: [{ kind: flap, link: "s0->h0", atUs: 1, downUs: 1e300, upUs: 1, count: 2 }]'],
    ];
    for (const [path, line] of cases) {
      const key = line.slice(0, line.indexOf(':'));
      const text = `${BASE.split('\n')
        .filter((l) => !l.startsWith(`${key}:`))
        .join('\n')}${line}\n`;
      const r = await validateText(text);
      expect(r.code, path).toBe(2);
      expect(r.lines, path).toHaveLength(1);
      expect(r.lines[0], path).toMatch(
        new RegExp(`^ethersim: ${path.replaceAll('.', '\\.')}: expected a time in µs .*9000 s`),
      );
    }
  });
});

describe('size limits and echoes', () => {
  it('a file above the size limit is refused before it is parsed', async () => {
    const r = await validateText(`${BASE}description: "${'x'.repeat(17 * 1024 * 1024)}"\n`, 'big.yaml');
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/big\.yaml: .*MiB.*limit/);
    expect(r.lines[0].length).toBeLessThan(300);
  });
  it('a 1 MB unknown key is cut in the error line', async () => {
    const r = await validateText(`${BASE}${'k'.repeat(1_000_000)}: 1\n`);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0].length).toBeLessThanOrEqual(300);
  });
  it('a 200 KB CDF path is cut in the error line', async () => {
    const r = await validateText(
      `${BASE.replace(/workload:.*\n/, '')}workload: { kind: poisson, cdf: "${'p/'.repeat(100_000)}", load: 0.5, durationUs: 10 }\n`,
    );
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0].length).toBeLessThanOrEqual(300);
  });
  it('random binary puts a few short lines on stderr, not hundreds of KB', async () => {
    // A deterministic "random" byte soup (an LCG), as a fuzzer would feed.
    const bytes = Buffer.alloc(200_000);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    writeFileSync(join(dir, 'bin.yaml'), bytes);
    const r = await cli(['validate', 'bin.yaml']);
    expect(r.code).toBe(2);
    expect(r.err.length).toBeLessThan(2000);
    for (const l of r.lines) expect(l.length).toBeLessThanOrEqual(300);
  });
});

describe('sweeps', () => {
  it('expanding a sweep copies the base once per point, not the whole sweep (that was quadratic)', () => {
    // Each grid point is a copy of the base scenario with its overrides; the copy used to carry
    // the sweep: block itself, so n points copied n × the sweep (16 k seeds: 7.7 s, 32 k: 33 s).
    // Counted here as the bytes structuredClone is handed: linear is ~1 KB a point.
    const values = Array.from({ length: 200 }, (_, i) => JSON.stringify(`${i}:${'d'.repeat(2000)}`));
    const loaded = loadScenario(`${BASE}sweep:\n  description: [${values.join(',')}]\n`, 's.yaml');
    const clone = globalThis.structuredClone;
    let bytes = 0;
    globalThis.structuredClone = ((v: unknown, o?: StructuredSerializeOptions) => {
      bytes += JSON.stringify(v).length;
      return clone(v, o);
    }) as typeof structuredClone;
    try {
      expect(expandSweep(loaded)).toHaveLength(200);
    } finally {
      globalThis.structuredClone = clone;
    }
    // 200 points × the base (< 1 KB) — not 200 × the 400 KB sweep (80 MB).
    expect(bytes).toBeLessThan(200 * 2000);
  });
  it('a sweep above the grid limit is one clear error', async () => {
    const r = await validateText(
      `${BASE}sweep:\n  seed: [${Array.from({ length: 200 }, (_, i) => i)}]\n  workload.sizeBytes: [${Array.from({ length: 100 }, (_, i) => 4096 + i)}]\n`,
    );
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^ethersim: sweep: .*20000 .*10000/);
  });
  it('run rejects an invalid sweep: block as validate does (one rule for both)', async () => {
    writeFileSync(join(dir, 'sw.yaml'), `${BASE}sweep:\n  transport.foo: [1, 2]\n`);
    for (const cmd of ['validate', 'run']) {
      const r = await cli([cmd, 'sw.yaml', '--quiet']);
      expect(r.code, cmd).toBe(2);
      expect(r.lines[0], cmd).toMatch(/transport\.foo: unknown field/);
    }
  });
});

describe('settings that defeat the model are errors or notes, on stderr and in result.notes', () => {
  const roce = `name: pfc
topology: { kind: star, hosts: 5 }
links: { host: { rateGbps: 100, delayNs: 1000 } }
switch: { bufferBytes: 4000000, ecn: { enabled: false } }
transport: { kind: roce }
workload: { kind: incast, senders: 4, sizeBytes: 2000000 }
`;
  it('pfc.headroomBytes: 0 is a note, and the lossless drops it causes are flagged', async () => {
    writeFileSync(join(dir, 'h0.yaml'), roce);
    const r = await cli(['run', 'h0.yaml', '--set', 'switch.pfc.headroomBytes=0']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/note: switch\.pfc\.headroomBytes: 0/);
    expect(r.err).toMatch(/note: .*lossless .*dropped \d+ packets/);
    expect(r.out).toMatch(/lossless drops\s+[1-9]/);
    const j = await cli(['run', 'h0.yaml', '--set', 'switch.pfc.headroomBytes=0', '--json']);
    const res = JSON.parse(j.out);
    expect(res.counters.losslessDrops).toBeGreaterThan(0);
    expect(res.notes.some((n: string) => /headroomBytes: 0/.test(n))).toBe(true);
    expect(res.notes.some((n: string) => /lossless .*dropped/.test(n))).toBe(true);
  });
  it('pfc.priorities: [] with PFC on is an error', async () => {
    writeFileSync(join(dir, 'p.yaml'), roce);
    const r = await cli(['validate', 'p.yaml', '--set', 'switch.pfc.priorities=[]']);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatch(/switch\.pfc\.priorities: /);
  });
  it('RoCE on a class PFC does not protect is a note', async () => {
    writeFileSync(join(dir, 'p.yaml'), roce);
    const r = await cli(['validate', 'p.yaml', '--set', 'transport.priority=2']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/note: transport\.priority: 2 is not in switch\.pfc\.priorities/);
  });
  it('ecn.kmaxBytes: 0 with kminBytes auto breaks Kmin ≤ Kmax: an error', async () => {
    writeFileSync(join(dir, 'k.yaml'), roce);
    const r = await cli(['validate', 'k.yaml', '--set', 'switch.ecn.enabled=true', '--set', 'switch.ecn.kmaxBytes=0']);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatch(/switch\.ecn\.kmaxBytes: 0 is below Kmin/);
  });
  it('mtuBytes: 1 and dcqcn.rateAiMbps: 0 are notes', async () => {
    writeFileSync(join(dir, 'm.yaml'), roce);
    const a = await cli(['validate', 'm.yaml', '--set', 'transport.mtuBytes=1']);
    expect(a.code).toBe(0);
    expect(a.err).toMatch(/note: transport\.mtuBytes: 1 /);
    const b = await cli(['validate', 'm.yaml', '--set', 'transport.cc=dcqcn', '--set', 'transport.dcqcn.rateAiMbps=0']);
    expect(b.code).toBe(0);
    expect(b.err).toMatch(/note: transport\.dcqcn\.rateAiMbps: 0 /);
  });
  it('engine.threads: 10000 and queueSampleNs: 1e-9 are errors', async () => {
    writeFileSync(join(dir, 'e.yaml'), roce);
    const a = await cli(['validate', 'e.yaml', '--set', 'engine.threads=10000']);
    expect(a.code).toBe(2);
    expect(a.lines[0]).toMatch(/^ethersim: engine\.threads: expected/);
    const b = await cli(['validate', 'e.yaml', '--set', 'metrics.queueSampleNs=1e-9']);
    expect(b.code).toBe(2);
    expect(b.lines[0]).toMatch(/^ethersim: metrics\.queueSampleNs: expected/);
  });
  it('a Poisson workload that generates no flow is an error, not "flows done 0 / 0"', async () => {
    writeFileSync(
      join(dir, 'z.yaml'),
      `${roce.replace(/workload:.*\n/, '')}workload: { kind: poisson, cdf: websearch, load: 1e-300, durationUs: 100 }\n`,
    );
    const r = await cli(['validate', 'z.yaml']);
    expect(r.code).toBe(2);
    expect(r.lines[0]).toMatch(/^ethersim: workload: .*no flows?/);
  });
  it('a RoCE RTO shorter than the base RTT is a note', async () => {
    writeFileSync(join(dir, 'r.yaml'), roce);
    const r = await cli([
      'run',
      'r.yaml',
      '--set',
      'links.host.rateGbps=0.001',
      '--set',
      'workload.sizeBytes=4096',
      '--set',
      'stop.timeUs=200000',
      '--json',
    ]);
    const res = JSON.parse(r.out);
    expect(res.notes.some((n: string) => /transport\.rtoUs: 5000 µs is shorter than/.test(n))).toBe(true);
  });
  it('a lossless drop is in result.notes whatever the input (runScenario, no CLI)', () => {
    const s = loadScenario(roce, 'x.yaml', ['switch.pfc.headroomBytes=0']).scenario;
    const res = runScenario(s);
    expect(res.counters.losslessDrops).toBeGreaterThan(0);
    expect(res.notes?.some((n) => /lossless/.test(n))).toBe(true);
  });
});
