// Outputs that used to lose or mislead (issue 25, "Outputs"): each case failed before its fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from './helpers/cliCapture.ts';
import { makeReadText } from '../sim/cli/io.ts';
import { formatResultTable } from '../sim/cli/report.ts';
import { csvCell, writeAtomic } from '../sim/run/sweep.ts';
import { runScenario } from '../sim/run/run.ts';
import { loadScenario, scenarioVariants, scenarioHash } from '../sim/scenario/load.ts';
import type { Result } from '../sim/metrics/result.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ethersim-out-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = `name: tiny
topology: { kind: star, hosts: 4 }
transport: { kind: roce }
workload: { kind: incast, senders: 3, sizeBytes: 4096 }
`;

const cli = (args: string[]) => runCli(args, dir);

describe('compare output folders', () => {
  it('variants whose names map to one folder are refused before anything runs', async () => {
    writeFileSync(
      join(dir, 'c.yaml'),
      `${BASE}compare:\n  - name: a/b\n  - name: a b\n    set: { transport.kind: uet }\n`,
    );
    const r = await cli(['run', 'c.yaml', '--out', 'cmp', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/"a\/b" and "a b" .*folder a_b/);
    expect(existsSync(join(dir, 'cmp'))).toBe(false);
  });
});

describe('sweep output folders', () => {
  it('a different sweep into a folder holding another is refused; --force clears it', async () => {
    writeFileSync(join(dir, 's1.yaml'), `${BASE}sweep:\n  workload.sizeBytes: [4096, 8192]\n`);
    writeFileSync(join(dir, 's2.yaml'), `${BASE}sweep:\n  seed: [1, 2]\n`);
    const a = await cli(['sweep', 's1.yaml', '--out', 'sw', '--jobs', '1', '--quiet']);
    expect(a.code).toBe(0);
    expect(readdirSync(join(dir, 'sw', 'variants'))).toHaveLength(2);
    const again = await cli(['sweep', 's1.yaml', '--out', 'sw', '--jobs', '1', '--quiet']);
    expect(again.code).toBe(0); // the same sweep resumes
    const b = await cli(['sweep', 's2.yaml', '--out', 'sw', '--jobs', '1', '--quiet']);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/sw.* holds another sweep .*--force/);
    const c = await cli(['sweep', 's2.yaml', '--out', 'sw', '--jobs', '1', '--quiet', '--force']);
    expect(c.code).toBe(0);
    const ids = readdirSync(join(dir, 'sw', 'variants'));
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => id.startsWith('seed='))).toBe(true);
  });
});

describe('file contents are never echoed', () => {
  it('a CDF path that is not a CDF: the error names the line and the format, not the content', async () => {
    writeFileSync(join(dir, 'shadow'), 'root:$6$secrethash:19000:0:99999:7:::\n');
    writeFileSync(
      join(dir, 'p.yaml'),
      `${BASE.replace(/workload:.*\n/, '')}workload: { kind: poisson, cdf: ./shadow, load: 0.5, durationUs: 10 }\n`,
    );
    const r = await cli(['validate', 'p.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(/secrethash|root:/);
    expect(r.err).toMatch(/shadow:1: .*<size in bytes> <cumulative percent>/);
  });
});

describe('CSV cells and terminal text', () => {
  it('a text cell starting with = + - @ (or tab, CR) is neutralised, numbers are not', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(2.5)).toBe('2.5');
    expect(csvCell('plain')).toBe('plain');
  });
  it('results.csv of a sweep with a formula-like value carries it neutralised', async () => {
    writeFileSync(join(dir, 'f.yaml'), `${BASE}sweep:\n  description: ["=1+1"]\n`);
    const r = await cli(['sweep', 'f.yaml', '--out', 'fcsv', '--jobs', '1', '--quiet']);
    expect(r.code).toBe(0);
    const csv = readFileSync(join(dir, 'fcsv', 'results.csv'), 'utf8');
    expect(csv).not.toMatch(/(^|,)=1\+1/m);
    expect(csv).toMatch(/'=1\+1/);
  });
  it('the text table escapes terminal control characters in names', () => {
    const s = loadScenario(BASE, 'x.yaml').scenario;
    const r = runScenario(s);
    r.meta.name = 'evil\x1b[2J\x07name';
    const t = formatResultTable([{ name: 'evil\x1b]0;title\x07', result: r }]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be printed
    expect(t).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(t).toMatch(/evil\\x1b\[2J\\x07name/);
  });
});

describe('conservation: sent = delivered + (drops − headerDrops) + trims + discards + inFlightData', () => {
  const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
  it.each(files)('%s, stopped early (20 µs) and run to the end when short', (f) => {
    const loaded = loadScenario(readFileSync(join('scenarios', f), 'utf8'), f, ['stop.timeUs=20']);
    for (const v of scenarioVariants(loaded)) {
      const readText = makeReadText(resolve('scenarios', f), process.cwd());
      const r = runScenario({ ...v.scenario, engine: { ...v.scenario.engine, partitions: 1 } }, { readText });
      const c = r.counters;
      expect(c.packetsSent, `${f} ${v.name}`).toBe(
        c.packetsDelivered + c.drops - c.headerDrops + c.trims + c.discards + c.inFlightData,
      );
      expect(c.inFlight).toBe(c.inFlightData + c.inFlightControl);
      expect(c.inFlightData + c.inFlightControl).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('scenarioHash: physics, not observation', () => {
  it('metrics settings that only observe leave the hash alone; physics changes it', () => {
    const h = (sets: string[]) => scenarioHash(loadScenario(BASE, 'x.yaml', sets).scenario);
    const base = h([]);
    for (const s of [
      'metrics.queueSampleNs=1000',
      'metrics.latency=false',
      'metrics.deadlockTimeoutUs=50',
      'metrics.maxSamples=10',
      'metrics.flowTraceNs=500',
      'metrics.congestion=false',
    ])
      expect(h([s]), s).toBe(base);
    for (const s of ['switch.latencyNs=10', 'stop.timeUs=100', 'links.host.rateGbps=100'])
      expect(h([s]), s).not.toBe(base);
  });
});

describe('result notes reach the result', () => {
  it('a run result has a notes list (empty for a plain scenario)', () => {
    const r: Result = runScenario(loadScenario(BASE, 'x.yaml').scenario);
    expect(r.notes).toEqual([]);
  });
});

describe('atomic writes of a file in pieces (series.ndjson)', () => {
  it('writes the pieces in order, large and small, and leaves no temp file', () => {
    const d = mkdtempSync(join(dir, 'pieces-'));
    const pieces = [
      '{"kind":"meta"}\n',
      `${'7,'.repeat(700_000)}\n`,
      ...Array.from({ length: 5000 }, (_, i) => `${i}\n`),
    ];
    writeAtomic(join(d, 'series.ndjson'), pieces);
    expect(readFileSync(join(d, 'series.ndjson'), 'utf8')).toBe(pieces.join(''));
    expect(readdirSync(d)).toEqual(['series.ndjson']);
  });

  it('a write that fails midway keeps the file as it was and removes its temp file', () => {
    const d = mkdtempSync(join(dir, 'pieces-'));
    const path = join(d, 'series.ndjson');
    writeFileSync(path, 'before\n');
    const failing = new Proxy(['a\n', 'b\n', 'c\n'], {
      get(target, key, receiver) {
        if (key === '2') throw new Error('no space left');
        return Reflect.get(target, key, receiver);
      },
    });
    expect(() => writeAtomic(path, failing)).toThrow('no space left');
    expect(readFileSync(path, 'utf8')).toBe('before\n');
    expect(readdirSync(d)).toEqual(['series.ndjson']);
  });

  it('run --out writes series.ndjson as the run hands over its lines', async () => {
    const file = join(dir, 'series-tiny.yaml');
    writeFileSync(file, BASE);
    const out = join(dir, 'series-out');
    const r = await cli(['run', file, '--quiet', '--out', out]);
    expect(r.code, r.err).toBe(0);
    let lines: readonly string[] = [];
    runScenario(loadScenario(BASE, file).scenario, { onSeries: (l) => (lines = l) });
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    expect(readFileSync(join(out, 'series.ndjson'), 'utf8')).toBe(lines.join(''));
  });
});
