import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOC, ROOT, renderReference, typeOf, updatedDoc } from '../tools/docs/scenarioReference.ts';
import { scenarioJsonSchema } from '../sim/scenario/load.ts';

// docs/scenarios.md's field reference is generated from the scenario schema
// (tools/docs/scenarioReference.ts): a field added to sim/scenario/schema.ts must reach the docs.
const REGENERATE = 'run `npm run docs` and commit docs/scenarios.md';

/** Every field path of the JSON Schema with whether it has a description. */
function fields(n: Record<string, unknown>, prefix: string, out: Array<[string, boolean]>): void {
  const props = n.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [name, child] of Object.entries(props ?? {})) {
    if (name === 'kind') continue;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    out.push([path, typeof child.description === 'string' && child.description !== '']);
    fields(child, path, out);
    const items = child.items as Record<string, unknown> | undefined;
    if (items) fields(items, `${path}[]`, out);
    for (const alt of [...((child.anyOf as unknown[]) ?? []), ...((child.oneOf as unknown[]) ?? [])]) {
      const a = alt as Record<string, unknown>;
      fields(a, path, out);
      if (a.items) fields(a.items as Record<string, unknown>, path, out);
      for (const b of (a.oneOf as unknown[]) ?? []) fields(b as Record<string, unknown>, path, out);
      const itemAlts = ((a.items as Record<string, unknown> | undefined)?.oneOf as unknown[]) ?? [];
      for (const b of itemAlts) fields(b as Record<string, unknown>, path, out);
    }
  }
}

describe('docs/scenarios.md field reference', () => {
  it(`is current with sim/scenario/schema.ts (if not: ${REGENERATE})`, () => {
    const current = readFileSync(join(ROOT, DOC), 'utf8');
    const next = updatedDoc(current);
    if (next !== current) {
      const a = current.split('\n');
      const b = next.split('\n');
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      expect.fail(
        `${DOC} is out of date with the scenario schema: ${REGENERATE}.\n` +
          `first difference at line ${i + 1}:\n  in the file: ${a[i] ?? '(end)'}\n  generated:   ${b[i] ?? '(end)'}`,
      );
    }
  });

  it("describes every field (add .describe('…') to the field in sim/scenario/schema.ts, then npm run docs)", () => {
    const all: Array<[string, boolean]> = [];
    fields(scenarioJsonSchema(), '', all);
    expect(all.length).toBeGreaterThan(80);
    expect(all.filter(([, described]) => !described).map(([path]) => path)).toEqual([]);
  });

  it('lists every kind and renders types, ranges and defaults', () => {
    const ref = renderReference();
    for (const kind of ['star', 'dumbbell', 'leafSpine', 'fatTree', 'ring', 'roce', 'uet', 'incast', 'poisson'])
      expect(ref).toContain(`\`kind: ${kind}\``);
    expect(ref).toMatch(/\| `switch\.pfc\.alpha` \| number > 0 or `auto` \| `auto` \|/);
    expect(ref).toMatch(/\| `workload\.flows\[\]\.src` \| integer ≥ 0 \| required \|/);
    expect(typeOf({ type: 'integer', minimum: 0, maximum: 5 })).toBe('integer 0–5');
    expect(typeOf({ type: 'number', exclusiveMinimum: 0, maximum: 1 })).toBe('number > 0, ≤ 1');
    expect(typeOf({ type: 'array', items: { enum: ['a', 'b'] }, minItems: 1 })).toBe(
      'non-empty list of one of `a`, `b`',
    );
  });
});
