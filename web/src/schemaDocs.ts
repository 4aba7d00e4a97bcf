/**
 * The scenario's JSON Schema (sim/api/schema.ts: made from the zod schema, whose `.describe()`
 * texts are its descriptions) read for the editor: the fields allowed at a path, a field's
 * documentation, the values a field takes. Unions (`oneOf`/`anyOf`: a topology's or workload's
 * kinds) are merged, narrowed to the branch whose `kind` the text names when it names one.
 * No DOM: tested in tests/web-editor.test.ts.
 */

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** The schema and its union branches, flattened (a branch of a branch included). */
function branches(s: JsonSchema): JsonSchema[] {
  const alts = [...(s.oneOf ?? []), ...(s.anyOf ?? [])];
  if (!alts.length) return [s];
  // A union's own description (and default) apply to every branch.
  return alts
    .flatMap(branches)
    .map((b) => (s.description && !b.description ? { ...b, description: s.description } : b));
}

/** The branches of s that are mappings, narrowed to the one whose kind is `kind` when there is one. */
function objectBranches(s: JsonSchema, kind?: string): JsonSchema[] {
  const objs = branches(s).filter((b) => b.properties);
  if (kind) {
    const k = objs.filter((b) => b.properties?.kind?.const === kind);
    if (k.length) return k;
  }
  return objs;
}

/** The schemas at a path of keys ("*": a list's item). Empty when the schema has nothing there. */
export function schemasAt(root: JsonSchema, path: readonly string[]): JsonSchema[] {
  let cur: JsonSchema[] = [root];
  for (const seg of path) {
    const next: JsonSchema[] = [];
    for (const s of cur) {
      for (const b of branches(s)) {
        if (seg === '*' || /^\d+$/.test(seg)) {
          if (b.items) next.push(b.items);
          continue;
        }
        for (const o of objectBranches(b)) {
          const p = o.properties?.[seg];
          if (p) next.push(p);
          else if (typeof o.additionalProperties === 'object') next.push(o.additionalProperties);
        }
      }
    }
    cur = next;
  }
  return cur;
}

export interface FieldDoc {
  name: string;
  description: string;
  /** "integer ≥ 2", "one of: a, b", "boolean", … */
  type: string;
  default?: string;
  required: boolean;
}

function typeText(s: JsonSchema): string {
  const bs = branches(s);
  const parts = new Set<string>();
  for (const b of bs) {
    if (b.const !== undefined) parts.add(JSON.stringify(b.const));
    else if (b.enum) parts.add(`one of: ${b.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    else if (b.type === 'integer' || b.type === 'number') {
      const lo =
        b.minimum !== undefined
          ? ` ≥ ${b.minimum}`
          : b.exclusiveMinimum !== undefined
            ? ` > ${b.exclusiveMinimum}`
            : '';
      parts.add(`${b.type}${lo}`);
    } else if (b.type === 'array') parts.add('list');
    else if (b.type === 'object' || b.properties) parts.add('mapping');
    else if (b.type) parts.add(String(b.type));
  }
  return [...parts].join(' or ');
}

/** The fields a mapping at `path` may hold (with the kind the text names, that kind's). */
export function fieldsAt(root: JsonSchema, path: readonly string[], kind?: string): FieldDoc[] {
  const out = new Map<string, FieldDoc>();
  for (const s of schemasAt(root, path)) {
    for (const o of objectBranches(s, kind)) {
      const req = new Set((o as { required?: string[] }).required ?? []);
      for (const [name, p] of Object.entries(o.properties ?? {})) {
        if (out.has(name)) continue;
        out.set(name, {
          name,
          description: p.description ?? branches(p).find((b) => b.description)?.description ?? '',
          type: typeText(p),
          default: p.default !== undefined ? JSON.stringify(p.default) : undefined,
          required: req.has(name),
        });
      }
    }
  }
  return [...out.values()];
}

/** One field's documentation: the field `key` of the mapping at `parent`. */
export function fieldDoc(root: JsonSchema, parent: readonly string[], key: string, kind?: string): FieldDoc | null {
  return fieldsAt(root, parent, kind).find((f) => f.name === key) ?? null;
}

/** The values a field at `path` takes, when the schema lists them (consts, enums, booleans), with each kind's description. */
export function valuesAt(root: JsonSchema, path: readonly string[]): Array<{ value: string; description: string }> {
  const out = new Map<string, string>();
  const parentKinds = path.at(-1) === 'kind' ? schemasAt(root, path.slice(0, -1)) : [];
  // A `kind:` field: one value per union branch, documented by the branch's description.
  for (const s of parentKinds)
    for (const o of objectBranches(s)) {
      const c = o.properties?.kind?.const;
      if (typeof c === 'string' && !out.has(c)) out.set(c, o.description ?? '');
    }
  for (const s of schemasAt(root, path))
    for (const b of branches(s)) {
      if (b.const !== undefined && !out.has(String(b.const))) out.set(String(b.const), b.description ?? '');
      for (const e of b.enum ?? []) if (!out.has(String(e))) out.set(String(e), '');
      if (b.type === 'boolean') for (const v of ['true', 'false']) if (!out.has(v)) out.set(v, '');
    }
  return [...out].map(([value, description]) => ({ value, description }));
}

/** The description of the union branch whose kind is `kind` at the mapping `parent` (hover on a kind's value). */
export function kindDoc(root: JsonSchema, parent: readonly string[], kind: string): string | null {
  for (const s of schemasAt(root, parent))
    for (const o of objectBranches(s, kind)) if (o.properties?.kind?.const === kind) return o.description ?? null;
  return null;
}
