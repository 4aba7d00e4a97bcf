import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOC, ROOT, renderReference, typeOf, updatedDoc } from '../tools/docs/scenarioReference.ts';

// docs/scenarios.md's field reference is generated from the scenario schema
// (tools/docs/scenarioReference.ts): a field added to sim/scenario/schema.ts must reach the docs.
const REGENERATE = 'run `npm run docs` and commit docs/scenarios.md';

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
