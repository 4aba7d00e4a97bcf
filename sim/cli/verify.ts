import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import {
  VERIFY_CASES,
  fmtNumber,
  referenceText,
  runCase,
  type CaseOutcome,
  type VerifyCase,
} from '../run/verify/cases.ts';
import { VERSION } from '../version.ts';
import { EXIT_INVALID, EXIT_OK, EXIT_RUN_FAILED, UsageError, type CliIO } from './io.ts';

/**
 * `ethersim verify`: run the reference cases (sim/run/verify/cases.ts) and print, per case, the
 * set-up, the reference figure and its source, ethersim's figure, the ratio and pass/fail.
 * `--json` for machines, `--markdown FILE` writes the report docs/validation.md is generated
 * from. Exit 0 when every case passes, 1 when any fails, 2 on a bad command line.
 */

export const VERIFY_USAGE = `ethersim verify [--json] [--markdown FILE] [--only ID,...] [--list]

Runs ethersim's reference cases — the published UEC htsim validation thresholds, hand-computed
line-rate FCTs, PFC headroom bracketing, bandwidth shares, DCQCN convergence — and prints per
case the set-up, the reference figure and its source, ethersim's figure, the ratio and PASS/FAIL.
Exit 1 if any case fails. About a minute or two on one core.

Options:
  --json            One JSON document on stdout: {"version","pass","cases":[…]}.
  --markdown FILE   Also write the report as Markdown to FILE (docs/validation.md is made so).
  --only ID,...     Run only the cases whose id contains one of the given strings.
  --list            List the cases (id, quantity, reference, source) without running them.
`;

export async function verifyCommand(argv: string[], io: CliIO): Promise<number> {
  let values: { json?: boolean; markdown?: string; only?: string; list?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        markdown: { type: 'string' },
        only: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`verify: ${(e as Error).message.split('\n')[0]} (see \`ethersim verify --help\`)`);
  }
  if (values.help) {
    io.stdout(VERIFY_USAGE);
    return EXIT_OK;
  }
  const cases = selectCases(values.only);
  if (values.list) {
    for (const c of cases) io.stdout(`${c.id}  ${c.quantity} ${refWithUnit(c)}  — ${c.source}\n`);
    return EXIT_OK;
  }
  const outcomes: CaseOutcome[] = [];
  const t0 = performance.now();
  let group = '';
  for (const c of cases) {
    const o = runCase(c, () => performance.now());
    outcomes.push(o);
    if (!values.json) {
      if (c.group !== group) {
        group = c.group;
        io.stdout(`\n${group}\n`);
      }
      io.stdout(formatOutcome(o));
    }
  }
  const failed = outcomes.filter((o) => !o.pass);
  const wallS = (performance.now() - t0) / 1000;
  if (values.json) {
    io.stdout(`${JSON.stringify({ version: VERSION, pass: failed.length === 0, wallS, cases: outcomes })}\n`);
  } else {
    io.stdout(
      `\n${outcomes.length - failed.length}/${outcomes.length} cases pass${failed.length ? `; FAILED: ${failed.map((o) => o.id).join(', ')}` : ''} (${wallS.toFixed(1)} s)\n`,
    );
  }
  if (values.markdown) {
    const path = resolve(io.cwd, values.markdown);
    try {
      writeFileSync(path, validationMarkdown(outcomes));
    } catch (e) {
      io.stderr(`ethersim: verify: cannot write ${values.markdown}: ${(e as Error).message}\n`);
      return EXIT_RUN_FAILED;
    }
  }
  return failed.length ? EXIT_RUN_FAILED : EXIT_OK;
}

function selectCases(only: string | undefined): VerifyCase[] {
  if (only === undefined) return [...VERIFY_CASES];
  const keys = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const picked = VERIFY_CASES.filter((c) => keys.some((k) => c.id.includes(k)));
  if (picked.length === 0)
    throw new UsageError(
      `verify --only: no case id contains ${keys.map((k) => `"${k.slice(0, 40)}"`).join(' or ')}; ids: ${VERIFY_CASES.map((c) => c.id).join(', ')}`,
    );
  return picked;
}

const withUnit = (v: string, unit: string) => (unit ? `${v} ${unit}` : v);
const refWithUnit = (c: Pick<CaseOutcome, 'unit'> & { reference: number; rule: VerifyCase['rule'] }) =>
  withUnit(referenceText(c), c.unit);

const ratioText = (o: CaseOutcome) => (o.ratio === null ? '—' : o.ratio.toFixed(3));

/** One case as the terminal report prints it. */
export function formatOutcome(o: CaseOutcome): string {
  const lines = [
    `  ${o.pass ? 'PASS' : 'FAIL'}  ${o.id}: ${o.quantity} ${withUnit(fmtNumber(o.figure), o.unit)}, reference ${withUnit(o.referenceText, o.unit)}, ratio ${ratioText(o)}  (${(o.wallMs / 1000).toFixed(1)} s)`,
    `        setup:  ${o.setup}`,
    `        source: ${o.source}`,
  ];
  if (o.detail) lines.push(`        ${o.detail}`);
  if (o.failedGuards.length) lines.push(`        failed: ${o.failedGuards.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** A Markdown table with its columns padded to one width, as the repository's formatter (Biome) writes them. */
function markdownTable(header: string[], rows: string[][]): string[] {
  const len = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(len(h), 3, ...rows.map((r) => len(r[i]))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c + ' '.repeat(widths[i] - len(c))).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
}

/**
 * The report as Markdown: docs/validation.md is this, regenerated by `npm run docs:validation`
 * (`ethersim verify --markdown docs/validation.md`). No wall times: regenerating without a
 * change in the simulator gives the same file.
 */
export function validationMarkdown(outcomes: CaseOutcome[]): string {
  const passed = outcomes.filter((o) => o.pass).length;
  const out = [
    '# Validation report',
    '',
    '<!-- Generated by `ethersim verify --markdown docs/validation.md` (npm run docs:validation). Do not edit by hand: tests/verify.test.ts checks that it lists every case with its current set-up, reference and source. -->',
    '',
    `ethersim ${VERSION}: **${passed} of ${outcomes.length} reference cases pass.** Run them yourself with`,
    '`ethersim verify` (about a minute or two on one core; `--json` for machines, `--only ID` for one case);',
    'it exits 1 if any case fails.',
    '',
    'Each case sets up a fabric, runs it, and compares one figure with a reference whose source it',
    "names: a published validation threshold, a hand computation or a closed form. The reference's",
    'derivation and the argument for each tolerance are in `sim/run/verify/cases.ts`; the sections',
    'cited are in [docs/reference/physics.md](reference/physics.md). Rules: `≤ x` the figure may not',
    'exceed x (a published pass/fail threshold); `= x` exactly x; `> x` above x; `x ± t %` within',
    't % of x. A case also fails when one of its guards fails (every flow finished, no drop, …).',
    '',
  ];
  const groups = [...new Set(outcomes.map((o) => o.group))];
  for (const group of groups) {
    const rows = outcomes
      .filter((o) => o.group === group)
      .map((o) => {
        const note = [o.detail, ...o.failedGuards.map((g) => `failed: ${g}`)].filter(Boolean).join('; ');
        return [
          `\`${o.id}\``,
          cell(o.setup),
          cell(o.quantity),
          cell(withUnit(o.referenceText, o.unit)),
          cell(o.source),
          `${cell(withUnit(fmtNumber(o.figure), o.unit))}${note ? `<br>${cell(note)}` : ''}`,
          ratioText(o),
          o.pass ? 'pass' : '**FAIL**',
        ];
      });
    out.push(
      `## ${group}`,
      '',
      ...markdownTable(['case', 'set-up', 'quantity', 'reference', 'source', 'ethersim', 'ratio', 'result'], rows),
      '',
    );
  }
  return `${out.join('\n')}`;
}

export { EXIT_INVALID };
