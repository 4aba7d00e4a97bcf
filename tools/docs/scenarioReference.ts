/**
 * The field reference of docs/scenarios.md, generated from the scenario's JSON Schema (the one
 * `ethersim schema` prints, made from sim/scenario/schema.ts with zod's public toJSONSchema):
 * every field with its type and allowed values, its default and its description (`.describe()`
 * in the schema). The prose around it is written by hand; the generated part sits between the
 * BEGIN/END markers and is replaced as a whole.
 *
 *   npm run docs            rewrite docs/scenarios.md
 *   npm run docs -- --check exit 1 if it is not current (tests/scenarioReference.test.ts does the same)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from '../../sim/scenario/load.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOC = 'docs/scenarios.md';
export const BEGIN =
  '<!-- BEGIN FIELD REFERENCE: generated from sim/scenario/schema.ts by `npm run docs`; do not edit by hand -->';
export const END = '<!-- END FIELD REFERENCE -->';

/** The part of a JSON Schema node this reads. */
interface Node {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Node[];
  oneOf?: Node[];
  items?: Node;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  default?: unknown;
  description?: string;
}

interface Row {
  path: string;
  type: string;
  dflt: string;
  text: string;
}

const code = (s: string) => `\`${s}\``;
/** A value as YAML-ish inline code: strings bare, the rest as JSON. */
const value = (v: unknown) => code(typeof v === 'string' ? v : JSON.stringify(v));
/** Table cells may not hold a bare `|` or a line break. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** 2^53 − 1: zod's bound for "any integer", not worth printing. */
const SAFE_MAX = Number.MAX_SAFE_INTEGER;

function numberType(n: Node): string {
  const base = n.type === 'integer' ? 'integer' : 'number';
  const lo =
    n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : n.minimum !== undefined ? `≥ ${n.minimum}` : '';
  const hiVal = n.exclusiveMaximum ?? n.maximum;
  const hi =
    hiVal === undefined || hiVal >= SAFE_MAX ? '' : n.exclusiveMaximum !== undefined ? `< ${hiVal}` : `≤ ${hiVal}`;
  if (n.minimum !== undefined && n.maximum !== undefined && n.maximum < SAFE_MAX)
    return `${base} ${n.minimum}–${n.maximum}`;
  return `${base} ${[lo, hi].filter((s) => s !== '').join(', ')}`.trim();
}

/** A node's type in words: `integer ≥ 0`, `one of a, b`, `list of …`, `number > 0 or auto`. */
export function typeOf(n: Node): string {
  if (n.const !== undefined) return value(n.const);
  if (n.enum) return `one of ${n.enum.map(value).join(', ')}`;
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return alts.map(typeOf).join(' or ');
  switch (n.type) {
    case 'integer':
    case 'number':
      return numberType(n);
    case 'boolean':
      return 'boolean';
    case 'string':
      return n.minLength ? 'non-empty string' : 'string';
    case 'array': {
      const of = n.items && Object.keys(n.items).length > 0 ? typeOf(n.items) : 'values';
      return `${(n.minItems ?? 0) > 0 ? 'non-empty list' : 'list'} of ${of}`;
    }
    case 'object':
      if (n.properties) return 'mapping';
      if (typeof n.additionalProperties === 'object') {
        const v = n.additionalProperties;
        return `mapping of path → ${Object.keys(v).length > 0 ? typeOf(v) : 'value'}`;
      }
      return 'mapping';
    default:
      return 'any';
  }
}

function defaultOf(n: Node, required: boolean): string {
  if (required) return 'required';
  if (n.default === undefined) return '';
  if (typeof n.default === 'object' && n.default !== null && Object.keys(n.default).length === 0) return '';
  return value(n.default);
}

/** The kinds of a union of objects told apart by `kind`, or null. */
function kindsOf(n: Node): Node[] | null {
  const alts = n.oneOf ?? n.anyOf;
  if (!alts?.every((a) => a.properties?.kind?.const !== undefined)) return null;
  return alts;
}

/** Rows for the fields of object `n` at `prefix`, nested objects and lists of objects flattened. */
function rowsOf(n: Node, prefix: string, out: Row[]): Row[] {
  const required = new Set(n.required ?? []);
  for (const [name, child] of Object.entries(n.properties ?? {})) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (name === 'kind' && child.const !== undefined) continue; // the section heading says it
    if (child.type === 'object' && child.properties) {
      if (child.description) out.push({ path, type: 'mapping', dflt: '', text: child.description });
      rowsOf(child, path, out);
      continue;
    }
    out.push({ path, type: typeOf(child), dflt: defaultOf(child, required.has(name)), text: child.description ?? '' });
    if (child.type === 'array' && child.items?.type === 'object' && child.items.properties) {
      rowsOf(child.items, `${path}[]`, out);
    }
  }
  return out;
}

function table(rows: Row[]): string[] {
  const lines = ['| field | type | default | description |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${code(r.path)} | ${cell(r.type)} | ${cell(r.dflt)} | ${cell(r.text)} |`);
  return lines;
}

/** One section per kind of a union (`topology`, `transport`, each workload item). */
function kindSections(name: string, kinds: Node[], level: string, prefix: string): string[] {
  const out: string[] = [];
  for (const k of kinds) {
    const kind = String(k.properties!.kind.const);
    out.push('', `${level} ${name}: ${code(`kind: ${kind}`)}`, '');
    if (k.description) out.push(k.description, '');
    const rows = rowsOf(k, prefix, []);
    if (rows.length > 0) out.push(...table(rows));
    else out.push('No other fields.');
  }
  return out;
}

/** The generated Markdown (without the markers). */
export function renderReference(schema: Node = scenarioJsonSchema() as Node): string {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const out: string[] = [
    'Fields in the order of the schema. A path is what `--set` and `compare:`/`sweep:` take; `[]` stands',
    'for each item of a list (`workload.flows[].src`, set as `workload.flows.0.src`). A field with no',
    'default and not required may be left out.',
  ];
  const top: Row[] = [];
  const sections: string[] = [];
  for (const [name, n] of Object.entries(props)) {
    const kinds = kindsOf(n);
    const listOrItem = n.anyOf?.length === 2 && kindsOf(n.anyOf[0]) && n.anyOf[1].type === 'array';
    if (kinds) {
      sections.push('', `### ${code(name)}`, '');
      if (n.description) sections.push(`${n.description} ${required.has(name) ? 'Required.' : ''}`.trim(), '');
      sections.push(`One of the kinds below, chosen by ${code(`${name}.kind`)}.`);
      sections.push(...kindSections(code(name), kinds, '####', name));
    } else if (listOrItem) {
      sections.push('', `### ${code(name)}`, '');
      if (n.description) sections.push(`${n.description} ${required.has(name) ? 'Required.' : ''}`.trim(), '');
      sections.push(
        `Each item is one of the kinds below, chosen by ${code('kind')}; the paths are those of a single item (in a list, ${code(`${name}.0.…`)}).`,
      );
      sections.push(...kindSections(code(name), kindsOf(n.anyOf![0])!, '####', name));
    } else if (n.type === 'object' && n.properties) {
      sections.push('', `### ${code(name)}`, '');
      if (n.description) sections.push(n.description, '');
      sections.push(...table(rowsOf(n, name, [])));
    } else {
      top.push({ path: name, type: typeOf(n), dflt: defaultOf(n, required.has(name)), text: n.description ?? '' });
      if (n.type === 'array' && n.items?.type === 'object' && n.items.properties) rowsOf(n.items, `${name}[]`, top);
    }
  }
  out.push('', '### Top level', '', ...table(top), ...sections);
  return `${out.join('\n')}\n`;
}

/** Run Biome's formatter on Markdown text, so that the file is as `npx biome format` leaves it. */
export function formatMarkdown(text: string, path = DOC): string {
  const biome = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'biome.cmd' : 'biome');
  const p = spawnSync(biome, ['format', `--stdin-file-path=${path}`], { cwd: ROOT, input: text, encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`biome format failed: ${p.stderr}`);
  return p.stdout;
}

/** docs/scenarios.md with its generated part replaced by the current reference. */
export function updatedDoc(current: string, reference = renderReference()): string {
  const b = current.indexOf(BEGIN);
  const e = current.indexOf(END);
  if (b < 0 || e < b) throw new Error(`${DOC}: the markers ${BEGIN} … ${END} are missing`);
  return formatMarkdown(`${current.slice(0, b + BEGIN.length)}\n\n${reference}\n${current.slice(e)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = join(ROOT, DOC);
  const current = readFileSync(file, 'utf8');
  const next = updatedDoc(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error(`${DOC} is out of date with sim/scenario/schema.ts: run \`npm run docs\``);
      process.exit(1);
    }
    console.log(`${DOC} is current`);
  } else if (next !== current) {
    writeFileSync(file, next);
    console.log(`wrote ${DOC}`);
  } else console.log(`${DOC} is current`);
}
