import YAML from 'yaml';
import { z } from 'zod';
import { ScenarioSchema, type Scenario } from './schema.ts';
import { parseJsonObject } from './jsonText.ts';
export { scenarioHash } from './hash.ts';
export { scenarioNotes } from './notes.ts';

/**
 * Loading a scenario: YAML (or JSON) text → `--set path=value` overrides → validation against
 * ScenarioSchema. Every problem becomes one line naming the path, what was expected and what was
 * given, e.g. `topology.k: expected an even integer ≥ 2, got 3`.
 */

/** A scenario that could not be read or is invalid; `lines` holds one message per problem. */
export class ScenarioError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ScenarioError';
    this.lines = lines;
  }
}

/** The raw (parsed, overridden, not yet validated) document plus its validated form. */
export interface LoadedScenario {
  raw: Record<string, unknown>;
  scenario: Scenario;
  sourceName: string;
}

/** Parse, override and validate. Throws ScenarioError. */
export function parseScenario(text: string, sourceName: string, sets: string[] = []): Scenario {
  return loadScenario(text, sourceName, sets).scenario;
}

/** As parseScenario, but also returns the raw object (for `compare:` variants). */
export function loadScenario(text: string, sourceName: string, sets: string[] = []): LoadedScenario {
  const raw = parseYamlObject(text, sourceName);
  const overrides: Record<string, unknown> = {};
  const bad: string[] = [];
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      bad.push(`--set ${s}: expected path=value, e.g. transport.kind=uet`);
      continue;
    }
    const path = s.slice(0, eq).trim();
    overrides[path] = parseSetValue(s.slice(eq + 1));
  }
  if (bad.length) throw new ScenarioError(bad);
  applySets(raw, overrides, '--set ');
  return { raw, scenario: validateScenario(raw), sourceName };
}

/** Parse a `--set` value as a YAML scalar or flow collection: `uet`, `false`, `8`, `[1, 2]`, `{a: 1}`. */
export function parseSetValue(text: string): unknown {
  if (text.trim() === '') return '';
  try {
    return YAML.parse(text);
  } catch {
    return text; // not valid YAML: take it as a plain string
  }
}

/**
 * The largest scenario file read (16 MiB). Scenario files are a few KB; the largest real ones
 * list flows one by one (a million flows is ~50 MB of YAML: such a workload belongs in a
 * generator kind, not a list). Above the limit the file is refused before it is parsed: a 50 MB
 * `name` once ran with 2.2 GB peak memory and printed itself whole.
 */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;
/** Deepest nesting of mappings and lists (a scenario needs 6; YAML's parser recurses per level). */
export const MAX_NESTING_DEPTH = 64;
/** YAML alias uses allowed when the document is expanded (a "billion laughs" bomb needs millions). */
export const MAX_ALIAS_COUNT = 1000;

/** The refusal for a scenario text of `bytes` bytes, or undefined when it is within the limit. */
export function sizeProblem(sourceName: string, bytes: number): string | undefined {
  if (bytes <= MAX_SCENARIO_BYTES) return undefined;
  return `${clip(sourceName, 80)}: the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; the limit for a scenario file is ${MAX_SCENARIO_BYTES / 1024 / 1024} MiB (describe large workloads with a generator kind or a CDF, not a list)`;
}

/** `text` cut to at most `max` characters, marked with an ellipsis when cut (values echoed in messages). */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** YAML/JSON text → a plain object, or ScenarioError with `file:line:col: YAML syntax error: …`. */
export function parseYamlObject(text: string, sourceName: string): Record<string, unknown> {
  const tooBig = sizeProblem(sourceName, text.length);
  if (tooBig) throw new ScenarioError([tooBig]);
  const source = clip(sourceName, 80);
  const tooDeep = `${source}: mappings and lists are nested too deep; the limit is ${MAX_NESTING_DEPTH} levels (a scenario needs about 6)`;
  // JSON without a duplicate key: the same object, without the YAML parser's syntax tree (jsonText.ts).
  const json = parseJsonObject(text);
  if (json !== null) {
    if (depthOver(json, MAX_NESTING_DEPTH)) throw new ScenarioError([tooDeep]);
    return json;
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    // The parser recurses once per level: very deep nesting overflows its stack, which it reports as an error.
    if (doc.errors.some((e) => /Maximum call stack/.test(e.message))) throw new ScenarioError([tooDeep]);
    // The first error only: the ones after it mostly follow from it (random bytes give one per line).
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const where = pos ? `${source}:${pos.line}:${pos.col}` : source;
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const more = doc.errors.length - 1;
    throw new ScenarioError([
      `${where}: YAML syntax error: ${clip(msg, 160)}${more > 0 ? ` (and ${more} more after it)` : ''}`,
    ]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws a ReferenceError for an alias with no anchor before it, and for an alias bomb.
    const msg = (e as Error)?.message ?? '';
    const unresolved = /^Unresolved alias.*?: (.*)$/.exec(msg);
    if (unresolved)
      throw new ScenarioError([
        `${source}: YAML alias *${clip(unresolved[1], 40)} refers to no anchor; an alias *name needs an anchor &name earlier in the file`,
      ]);
    if (/Excessive alias count/.test(msg))
      throw new ScenarioError([
        `${source}: YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} alias uses after expansion); write the values out or use fewer nested aliases`,
      ]);
    if (e instanceof RangeError) throw new ScenarioError([tooDeep]);
    throw e;
  }
  if (depthOver(value, MAX_NESTING_DEPTH)) throw new ScenarioError([tooDeep]);
  if (value === null || value === undefined)
    throw new ScenarioError([`${source}: the file is empty; expected a scenario mapping`]);
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ScenarioError([
      `${source}: expected a mapping of scenario fields at the top level, got ${describe(value)}`,
    ]);
  }
  return value as Record<string, unknown>;
}

/** Whether `value` nests mappings/lists deeper than `limit` levels (iterative: no recursion to overflow). */
function depthOver(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= limit) return true;
    for (const c of Object.values(v)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

/** Validate a raw object against ScenarioSchema; throws ScenarioError with one line per problem. */
export function validateScenario(raw: unknown): Scenario {
  // jitless: zod would otherwise generate and compile a parser per object schema (new Function)
  // for a scenario that is parsed once; interpreting the schema is faster for one parse
  // (ethersim run's scenario phase 21 → 14 ms, docs/performance.md "Start-up and warm-up").
  const r = ScenarioSchema.safeParse(transportDefaults(expandPreset(raw)), { jitless: true });
  if (!r.success) throw new ScenarioError(formatIssues(r.error.issues, raw));
  const bad = contradictions(r.data);
  if (bad.length) throw new ScenarioError(bad);
  return r.data;
}

/**
 * Defaults that depend on the transport, filled in before validation (on a copy: the raw object
 * is also the base of compare: variants, which may use another transport). UET: ECN marking
 * probability ramping to 1 at Kmax, as htsim's UET switch (physics.md §0, §4.5); RoCE keeps the
 * schema's 0.2 (HPCC). Every bundled UET set-up names pmax: 1, so their results and hashes
 * are the same either way.
 */
function transportDefaults(raw: unknown): unknown {
  const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  // DCTCP marks every packet above K (Pmax 1: HPCC run.py --cc dctcp, cc-family.md §3.2).
  if (!obj(raw) || !obj(raw.transport) || (raw.transport.kind !== 'uet' && raw.transport.cc !== 'dctcp')) return raw;
  const sw = raw.switch ?? {};
  const ecn = obj(sw) ? (sw.ecn ?? {}) : null;
  // Anything but mappings here is the schema's to report; a pmax given is kept.
  if (!obj(ecn) || ecn.pmax !== undefined) return raw;
  return { ...raw, switch: { ...(sw as object), ecn: { ...ecn, pmax: 1 } } };
}

/**
 * `preset: roce-ar` — the RoCE users can deploy today on adaptive-routing switches: RoCE with
 * out-of-order placement (transport.placement ooo) and switches routing each packet to the
 * least-loaded equal-cost port (routing.mode adaptive), fabric-realism.md §2–3. Filled in on a
 * copy before validation, so "RoCE + AR vs UET" is one compare: variant setting `preset`: a UET
 * transport is replaced by RoCE's defaults; what a RoCE transport or routing block names is kept.
 */
function expandPreset(raw: unknown): unknown {
  const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!obj(raw) || raw.preset !== 'roce-ar') return raw;
  const t = obj(raw.transport) && raw.transport.kind === 'roce' ? raw.transport : { kind: 'roce' };
  const routing = obj(raw.routing) ? raw.routing : {};
  return {
    ...raw,
    transport: { ...t, placement: t.placement ?? 'ooo' },
    routing: { ...routing, mode: routing.mode ?? 'adaptive' },
  };
}

/** Settings that each pass the schema but cannot hold together. */
function contradictions(s: Scenario): string[] {
  const out: string[] = [];
  const { kminBytes, kmaxBytes } = s.switch.ecn;
  if (typeof kminBytes === 'number' && typeof kmaxBytes === 'number' && kminBytes > kmaxBytes) {
    out.push(
      `switch.ecn.kminBytes: ${kminBytes} is above switch.ecn.kmaxBytes ${kmaxBytes}; RED marks from Kmin up to Kmax (physics.md §2.1), so Kmin ≤ Kmax`,
    );
  }
  const { xoffBytes, xonBytes } = s.switch.pfc;
  if (xonBytes !== undefined && xoffBytes === undefined) {
    out.push('switch.pfc.xonBytes: a static RESUME threshold needs switch.pfc.xoffBytes (the PAUSE threshold) too');
  } else if (xonBytes !== undefined && xoffBytes !== undefined && xonBytes > xoffBytes) {
    out.push(
      `switch.pfc.xonBytes: ${xonBytes} is above switch.pfc.xoffBytes ${xoffBytes}; an ingress resumes below where it paused, so xonBytes ≤ xoffBytes`,
    );
  }
  if (s.transport.kind === 'roce' && s.transport.cc === 'hpcc' && s.engine.partitions > 1) {
    out.push(
      `engine.partitions: ${s.engine.partitions} with transport.cc: hpcc; HPCC's in-band telemetry is not handed across partitions, so use engine.partitions: 1`,
    );
  }
  if (s.switch.pfc.enabled && s.switch.pfc.priorities.length === 0) {
    out.push(
      'switch.pfc.priorities: an empty list with switch.pfc.enabled: true leaves no class lossless; list the lossless priorities (e.g. [3]) or set switch.pfc.enabled: false',
    );
  }
  if (!s.stop.allFlowsDone && s.stop.timeUs === undefined) {
    out.push(
      'stop.allFlowsDone: false runs on to stop.timeUs after the last flow, so it needs stop.timeUs (a positive number of µs)',
    );
  }
  return out;
}

/**
 * A `compare:` variant: a deep copy of the base scenario's raw object with `set` (path → value)
 * applied, then validated. The variant's own `compare`/`sweep` blocks are dropped and its name is
 * `name` when given. Throws ScenarioError (lines prefixed with the variant's name).
 */
export function applyVariant(raw: Record<string, unknown>, set: Record<string, unknown>, name?: string): Scenario {
  // Copied without the compare/sweep blocks: copying a 16,000-value sweep for each of its 16,000
  // points made expanding it quadratic (32 k values took 33 s).
  const { compare: _c, sweep: _s, ...rest } = raw;
  const copy = structuredClone(rest);
  const prefix = name ? `compare "${name}": ` : '';
  try {
    applySets(copy, set, prefix);
    if (name !== undefined) copy.name = name;
    return validateScenario(copy);
  } catch (e) {
    if (e instanceof ScenarioError && prefix && !e.lines.every((l) => l.startsWith(prefix))) {
      throw new ScenarioError(e.lines.map((l) => (l.startsWith(prefix) ? l : prefix + l)));
    }
    throw e;
  }
}

/** Every scenario a loaded file asks to run: the base alone, or one per `compare:` variant. */
export function scenarioVariants(loaded: LoadedScenario): { name: string; scenario: Scenario }[] {
  const compare = loaded.scenario.compare;
  if (!compare || compare.length === 0) return [{ name: loaded.scenario.name, scenario: loaded.scenario }];
  const names = new Set<string>();
  const lines: string[] = [];
  const out: { name: string; scenario: Scenario }[] = [];
  compare.forEach((v, i) => {
    if (names.has(v.name)) lines.push(`compare.${i}.name: variant names must be unique, got "${v.name}" twice`);
    names.add(v.name);
    try {
      out.push({ name: v.name, scenario: applyVariant(loaded.raw, v.set, v.name) });
    } catch (e) {
      if (e instanceof ScenarioError) lines.push(...e.lines);
      else throw e;
    }
  });
  if (lines.length) throw new ScenarioError(lines);
  return out;
}

/** The scenario's JSON Schema (input side: defaulted fields are optional), for editors. */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

// ===================================================================== overrides

type Seg = string | number;

function splitPath(path: string): Seg[] {
  return path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function pathText(segs: readonly PropertyKey[]): string {
  return segs.map(String).join('.');
}

/**
 * Apply `path → value` overrides in place. Paths use dots and array indices
 * (`workload.0.sizeBytes`); a path that the schema does not have is an error. Setting a
 * discriminator (`transport.kind`, `topology.kind`, `workload.kind`) to a different value starts
 * that object afresh as `{ kind: value }` (fields of the old kind would not fit the new one), so
 * `kind` overrides are applied before the others.
 */
export function applySets(raw: Record<string, unknown>, sets: Record<string, unknown>, prefix = ''): void {
  const entries = Object.entries(sets);
  const isKind = (p: string) => p === 'kind' || p.endsWith('.kind');
  entries.sort((a, b) => Number(isKind(b[0])) - Number(isKind(a[0])));
  const errors: string[] = [];
  for (const [path, value] of entries) {
    const err = setPath(raw, path, value);
    if (err) errors.push(`${prefix}${clip(path, 80)}: ${err}`);
  }
  if (errors.length) throw new ScenarioError(errors);
}

/** Set one path; returns an error message or undefined. */
function setPath(root: Record<string, unknown>, path: string, value: unknown): string | undefined {
  if (path === '' || path.split('.').some((p) => p === '')) return 'expected a dotted path like switch.pfc.enabled';
  const segs = splitPath(path);
  // No scenario field has these names, and assigning them would reach an object's prototype.
  const bad = segs.findIndex((g) => g === '__proto__' || g === 'constructor' || g === 'prototype');
  if (bad >= 0)
    return `unknown field "${segs[bad]}" ${bad === 0 ? 'at the top level' : `in ${pathText(segs.slice(0, bad))}`}`;
  let schema: z.ZodType = ScenarioSchema;
  let holder: Record<string | number, unknown> = root;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const step = stepSchema(schema, seg, holder);
    if (typeof step === 'string')
      return step.replace('%AT%', i === 0 ? 'at the top level' : `in ${pathText(segs.slice(0, i))}`);
    schema = step;
    const cur = holder[seg];
    if (i === segs.length - 1) {
      if (seg === 'kind' && !Array.isArray(holder) && cur !== undefined && cur !== value) {
        // A new kind: the old kind's fields would not fit it, so start the object afresh.
        for (const k of Object.keys(holder)) delete holder[k];
      }
      holder[seg] = value;
      return undefined;
    }
    const next = segs[i + 1];
    const name = pathText(segs.slice(0, i + 1));
    if (cur === undefined || cur === null) {
      // Start from the field's default (so `links.host.rateGbps=100` keeps the default delayNs).
      const dflt = defaultOf(schema);
      holder[seg] =
        dflt !== null && typeof dflt === 'object'
          ? structuredClone(dflt)
          : typeof next === 'number' && isArrayish(schema)
            ? []
            : {};
    } else if (typeof cur !== 'object') {
      return `${name} is ${describe(cur)}, not a mapping or list`;
    } else if (typeof next === 'number' && !Array.isArray(cur)) {
      // `workload.0.x` on a single (non-list) workload item addresses the item itself.
      if (next === 0 && isArrayish(schema)) {
        schema = nonArrayOptions(schema);
        segs.splice(i + 1, 1);
        holder = cur as Record<string, unknown>;
        if (i + 1 === segs.length) return `${name}.0 cannot be replaced as a whole; set ${name} instead`;
        continue;
      }
      return `${name} is a mapping, not a list`;
    } else if (typeof next === 'string' && Array.isArray(cur)) {
      return `${name} is a list; address an item by index, e.g. ${name}.0.${next}`;
    }
    const child = holder[seg];
    if (Array.isArray(child) && typeof next === 'number' && next > child.length) {
      return `${name} has ${child.length} item${child.length === 1 ? '' : 's'}; index ${next} is out of range (${child.length} appends)`;
    }
    holder = child as Record<string | number, unknown>;
  }
  return undefined;
}

/* --------------------------- walking the zod schema (zod 4's public `schema.def`) -------- */

/**
 * The parts of a zod 4 schema definition (`schema.def`, public in zod 4) that the walk reads. Each
 * field is present for the `type`s that have it (innerType: default/optional/…; in: pipe; getter:
 * lazy; options: union; shape: object; element: array; valueType: record; values: literal); the
 * walk reads a field only after checking `type`.
 */
interface SchemaDef {
  type: string;
  innerType: z.ZodType;
  in: z.ZodType;
  getter: () => z.ZodType;
  options: z.ZodType[];
  defaultValue: unknown;
  shape: Record<string, z.ZodType>;
  element: z.ZodType;
  valueType: z.ZodType;
  values: unknown[];
}
const defOf = (s: z.ZodType): SchemaDef => s.def as unknown as SchemaDef;

/** Strip default/prefault/optional/nullable/pipe/readonly wrappers. */
function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = defOf(s);
    if (
      d.type === 'default' ||
      d.type === 'prefault' ||
      d.type === 'optional' ||
      d.type === 'nullable' ||
      d.type === 'readonly' ||
      d.type === 'nonoptional' ||
      d.type === 'catch'
    )
      s = d.innerType;
    else if (d.type === 'pipe') s = d.in;
    else if (d.type === 'lazy') s = d.getter();
    else return s;
  }
}

function options(s: z.ZodType): z.ZodType[] {
  const u = unwrap(s);
  const d = defOf(u);
  return d.type === 'union' ? (d.options as z.ZodType[]).flatMap(options) : [u];
}

/** The default (input-side) value of a field schema, if it has one: `.default(v)` → v, `.prefault(v)` → v. */
function defaultOf(s: z.ZodType): unknown {
  for (;;) {
    const d = defOf(s);
    if (d.type === 'default' || d.type === 'prefault') return d.defaultValue;
    if (d.type === 'optional' || d.type === 'nullable' || d.type === 'readonly') s = d.innerType;
    else return undefined;
  }
}

function isArrayish(s: z.ZodType | undefined): boolean {
  return !!s && options(s).some((o) => defOf(o).type === 'array');
}
function nonArrayOptions(s: z.ZodType): z.ZodType {
  const objs = options(s).filter((o) => defOf(o).type !== 'array');
  return objs.length === 1 ? objs[0] : z.union(objs as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

/** The discriminated-union option matching `value.kind`, if any. */
function pickByDiscriminator(opts: z.ZodType[], value: unknown): z.ZodType[] {
  const d = opts.length && value && typeof value === 'object' ? (value as Record<string, unknown>).kind : undefined;
  if (d === undefined) return opts;
  const m = opts.filter((o) => {
    const od = defOf(o);
    if (od.type !== 'object') return true;
    const kind = od.shape.kind ? defOf(unwrap(od.shape.kind)) : undefined;
    return kind?.type !== 'literal' || (kind.values as unknown[]).includes(d);
  });
  return m.length ? m : opts;
}

/**
 * The schema one step down `seg`, or an error message. `parentValue` is the current raw value at
 * this level (to choose among discriminated-union options by its `kind`).
 */
function stepSchema(schema: z.ZodType | undefined, seg: Seg, parentValue: unknown): z.ZodType | string {
  if (!schema) return z.unknown();
  let opts = options(schema);
  if (typeof seg === 'number') {
    const arrays = opts.filter((o) => defOf(o).type === 'array');
    if (arrays.length) return defOf(arrays[0]).element as z.ZodType;
    if (opts.some((o) => ['record', 'unknown', 'any'].includes(defOf(o).type))) return z.unknown();
    return `"${seg}" is an index, but the value %AT% is not a list`;
  }
  opts = pickByDiscriminator(
    opts.filter((o) => defOf(o).type !== 'array'),
    parentValue,
  );
  const found: z.ZodType[] = [];
  const allowed = new Set<string>();
  for (const o of opts) {
    const d = defOf(o);
    if (d.type === 'object') {
      for (const k of Object.keys(d.shape)) allowed.add(k);
      if (Object.hasOwn(d.shape, seg)) found.push(d.shape[seg]); // not `in`: "constructor" is in every object
    } else if (d.type === 'record') {
      found.push(d.valueType);
    } else if (d.type === 'unknown' || d.type === 'any') {
      found.push(o);
    }
  }
  if (found.length === 1) return found[0];
  if (found.length > 1) return z.union(found as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  if (allowed.size) return `unknown field "${seg}" %AT%; allowed fields: ${[...allowed].join(', ')}`;
  return `"${seg}" is not a field: the value %AT% is not a mapping`.replace('the value in ', '');
}

/** Fields allowed at `path` of the raw input (for `unknown field` messages). */
function allowedFieldsAt(path: readonly PropertyKey[], raw: unknown): string[] {
  let schema: z.ZodType = ScenarioSchema;
  let value: unknown = raw;
  for (const seg of path) {
    const step = stepSchema(schema, seg as Seg, value);
    if (typeof step === 'string') return [];
    schema = step;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  const keys = new Set<string>();
  for (const o of pickByDiscriminator(options(schema), value)) {
    const d = defOf(o);
    if (d.type === 'object') for (const k of Object.keys(d.shape)) keys.add(k);
  }
  return [...keys];
}

// ===================================================================== messages

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** A value as it appears in a message: numbers and booleans bare, strings quoted, collections by kind. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
  literal: 'a value',
};

function plainOrigin(origin: unknown): string {
  if (origin === 'number' || origin === 'bigint') return 'a number';
  if (origin === 'string') return 'a string of length';
  if (origin === 'array' || origin === 'set') return 'a list with item count';
  return 'a value';
}

/** What an issue expected, as a phrase starting with "expected". */
function expectedText(issue: z.core.$ZodIssue): string {
  if (issue.message && /^expected /.test(issue.message) && !/ to be one of: /.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of: ${issue.values.join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'expected a non-empty string';
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return 'expected a non-empty list';
      return `expected ${plainOrigin(issue.origin)} ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      return `expected ${plainOrigin(issue.origin)} ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'invalid_format':
      return `expected a ${issue.format}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

/** One line per issue (an issue with several unknown keys gives one line per key). */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  base: readonly PropertyKey[] = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    const where = pathText(path);
    const got = valueAt(raw, path);
    const at = (p: string) => (p === '' ? '(top level)' : p);
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedFieldsAt(path, raw);
      for (const k of issue.keys) {
        lines.push(`${where ? `${where}.` : ''}${clip(k, 40)}: unknown field; allowed fields: ${allowed.join(', ')}`);
      }
      continue;
    }
    if (got === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      lines.push(`${at(where)}: required field missing`);
      continue;
    }
    if (issue.code === 'invalid_union') {
      // zod adds `note`, `discriminator` and `options` to a discriminated union's issue.
      const u = issue as typeof issue & { note?: string; discriminator?: string; options?: unknown[] };
      if (u.note === 'No matching discriminator' || (u.discriminator && u.options)) {
        lines.push(`${at(where)}: expected one of: ${(u.options ?? []).join(', ')}, got ${describe(got)}`);
        continue;
      }
      const branches = issue.errors ?? [];
      // A branch that failed only because the value is of another type at this very level is a
      // "type mismatch"; the others got further and hold the real problem.
      const mismatch = (b: z.core.$ZodIssue[]) =>
        b.length === 1 && b[0].path.length === 0 && (b[0].code === 'invalid_type' || b[0].code === 'invalid_value');
      const deeper = branches.filter((b) => !mismatch(b));
      if (deeper.length >= 1) {
        // prefer the branch whose failures are fewest
        const best = deeper.reduce((a, b) => (b.length < a.length ? b : a));
        lines.push(...formatIssues(best, raw, path));
        continue;
      }
      const alts = [
        ...new Set(
          branches.map((b) => {
            const e = expectedText(b[0]);
            return e.replace(/^expected /, '');
          }),
        ),
      ];
      lines.push(`${at(where)}: expected ${alts.join(' or ')}, got ${describe(got)}`);
      continue;
    }
    if (issue.code === 'invalid_type' && issue.expected === 'object' && isDiscriminatedAt(path, raw)) {
      const kinds = kindsAt(path, raw);
      lines.push(`${at(where)}: expected a mapping with kind: one of ${kinds.join(', ')}, got ${describe(got)}`);
      continue;
    }
    lines.push(`${at(where)}: ${expectedText(issue)}, got ${describe(got)}`);
  }
  return [...new Set(lines)];
}

function schemaAt(path: readonly PropertyKey[], raw: unknown): z.ZodType | undefined {
  let schema: z.ZodType = ScenarioSchema;
  let value: unknown = raw;
  for (const seg of path) {
    const step = stepSchema(schema, seg as Seg, value);
    if (typeof step === 'string') return undefined;
    schema = step;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  return schema;
}

function kindsAt(path: readonly PropertyKey[], raw: unknown): string[] {
  const s = schemaAt(path, raw);
  if (!s) return [];
  const kinds: string[] = [];
  for (const o of options(s)) {
    const d = defOf(o);
    if (d.type === 'object' && d.shape.kind) {
      const kd = defOf(unwrap(d.shape.kind));
      if (kd.type === 'literal') kinds.push(...(kd.values as unknown[]).map(String));
    }
  }
  return kinds;
}
function isDiscriminatedAt(path: readonly PropertyKey[], raw: unknown): boolean {
  return kindsAt(path, raw).length > 0;
}
