// `ethersim verify` and docs/validation.md. The cases themselves are run by `ethersim verify`
// (several, in more detail, by tests/published.test.ts); here: the command's contract, a few
// cheap cases, and that docs/validation.md is the report of the current case list.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from './helpers/cliCapture.ts';
import { VERIFY_CASES, referenceText, runCase } from '../sim/run/verify/cases.ts';
import { formatOutcome, validationMarkdown } from '../sim/cli/verify.ts';

const cli = (args: string[]) => runCli(args, process.cwd());

const CHEAP = ['line-rate-star', 'uet-ack-coalescing', 'pfc-headroom-1.1-lat1000', 'uec-single'];

/** The cells of a Markdown table row, trimmed ("\|" inside a cell kept). */
const cells = (row: string) =>
  row
    .slice(2, -2)
    .split(/ \| (?=[^|])/)
    .map((c) => c.trim());

describe('ethersim verify', () => {
  it('case ids are unique, every case names a source and a set-up, and the asked-for groups are there', () => {
    const ids = VERIFY_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of VERIFY_CASES) {
      expect(c.source.length, c.id).toBeGreaterThan(10);
      expect(c.setup.length, c.id).toBeGreaterThan(10);
    }
    const groups = new Set(VERIFY_CASES.map((c) => c.group));
    for (const g of [
      'UEC htsim validation thresholds',
      'Hand-computed line-rate FCT',
      'PFC headroom bracketing',
      'DCQCN convergence',
    ])
      expect(groups.has(g), g).toBe(true);
  });

  it('--json: the cheap cases pass, with figure, reference, ratio and source per case', async () => {
    const r = await cli(['verify', '--json', '--only', CHEAP.join(',')]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.pass).toBe(true);
    expect(doc.cases.map((c: { id: string }) => c.id)).toEqual(CHEAP);
    const star = doc.cases[0];
    expect(star.figure).toBe(44.88896); // 44,888,960 ps, hand-computed (tests/fabric.test.ts)
    expect(star.ratio).toBe(1);
    expect(star.source).toMatch(/hand computation/);
  });

  it('a failing case says FAIL with its figure against the reference; a bad --only is exit 2', async () => {
    const c = { ...VERIFY_CASES.find((x) => x.id === 'uec-single')!, reference: 100 };
    const o = runCase(c);
    expect(o.pass).toBe(false);
    expect(o.ratio).toBeGreaterThan(1);
    expect(formatOutcome(o)).toMatch(/^ {2}FAIL {2}uec-single: tail FCT [\d.]+ µs, reference ≤ 100 µs/);
    const bad = await cli(['verify', '--only', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/no case id contains "nope"/);
  });

  it('docs/validation.md is the report of the current cases (regenerate: npm run docs:validation)', () => {
    const doc = readFileSync('docs/validation.md', 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    // Every case, in order, with its current set-up, quantity, reference and source, and passing.
    expect(rows.map((l) => /^\| `([^`]+)`/.exec(l)![1])).toEqual(VERIFY_CASES.map((c) => c.id));
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    for (const [i, c] of VERIFY_CASES.entries()) {
      const [, setup, quantity, ref, source, , , result] = cells(rows[i]);
      expect(setup, c.id).toBe(esc(c.setup));
      expect(quantity, c.id).toBe(esc(c.quantity));
      expect(ref, c.id).toBe(esc(c.unit ? `${referenceText(c)} ${c.unit}` : referenceText(c)));
      expect(source, c.id).toBe(esc(c.source));
      expect(result, c.id).toBe('pass');
    }
    // The cheap cases' figures are what the simulator gives today (all of them are checked by
    // `ethersim verify` itself, which regenerates the file).
    const fresh = validationMarkdown(VERIFY_CASES.filter((c) => CHEAP.includes(c.id)).map((c) => runCase(c)));
    const figure = (row: string) => cells(row).slice(0, 1).concat(cells(row).slice(5, 7)).join(' | ');
    const docFigures = rows.map(figure);
    for (const row of fresh.split('\n').filter((l) => l.startsWith('| `'))) expect(docFigures).toContain(figure(row));
  });
});
