/**
 * The editor's text ↔ schema helpers (web/src/yamlPaths.ts, web/src/schemaDocs.ts): a loader
 * problem lands on the text it names, and the cursor's place gives the schema's fields.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadScenario, ScenarioError, scenarioJsonSchema } from '../sim/scenario/load.ts';
import { cursorPlace, lineOf, problemRange } from '../web/src/yamlPaths.ts';
import { fieldDoc, fieldsAt, kindDoc, valuesAt, type JsonSchema } from '../web/src/schemaDocs.ts';

const ROOT = resolve(import.meta.dirname, '..');
const incast = readFileSync(resolve(ROOT, 'scenarios/incast-roce.yaml'), 'utf8');
const twoJobs = readFileSync(resolve(ROOT, 'scenarios/two-jobs.yaml'), 'utf8');

/** The loader's problem lines for a text. */
function problems(text: string): string[] {
  try {
    loadScenario(text, 'scenario');
    return [];
  } catch (e) {
    if (e instanceof ScenarioError) return e.lines;
    throw e;
  }
}

/** Where a problem line lands: its line number and the text it covers. */
function mark(text: string, line: string): { line: number; text: string } | null {
  const r = problemRange(text, line);
  return r ? { line: lineOf(text, r.from), text: text.slice(r.from, r.to) } : null;
}

describe('problem → place in the text', () => {
  it('a bad value in a flow mapping: its line and the value itself', () => {
    const text = incast.replace('leaves: 4', 'leaves: 1');
    const [p] = problems(text);
    expect(p).toMatch(/^topology\.leaves: /);
    expect(mark(text, p)).toEqual({ line: 6, text: '1' });
  });

  it('a list item deep in a block: workload.0.iterations on the line that has it', () => {
    const text = twoJobs.replace('iterations: 3', 'iterations: -1');
    const [p] = problems(text);
    expect(p).toBe('workload.0.iterations: expected a positive integer, got -1');
    const m = mark(text, p)!;
    expect(m.text).toBe('-1');
    expect(text.split('\n')[m.line - 1].trim()).toBe('iterations: -1');
  });

  it('an unknown field: its key; a missing one: the deepest key the text has', () => {
    const text = `${incast}bogus: 1\n`;
    const [p] = problems(text);
    expect(mark(text, p)).toEqual({ line: text.split('\n').length - 1, text: 'bogus' });
    const missing = incast.replace('sizeBytes: 1000000 }', 'receiver: 0 }').replace('receiver: 0, ', '');
    const [q] = problems(missing);
    expect(q).toBe('workload.sizeBytes: required field missing');
    expect(mark(missing, q)?.text).toBe('workload');
  });

  it('a YAML syntax error: the line and column the parser gives', () => {
    const text = 'name: x\ntopology: [\n';
    const [p] = problems(text);
    const m = /^scenario:(\d+):(\d+): YAML syntax error/.exec(p)!;
    expect(mark(text, p)?.line).toBe(Number(m[1]));
  });
});

describe('cursor → path and the schema there', () => {
  const schema = scenarioJsonSchema() as JsonSchema;
  const at = (text: string) => cursorPlace(text.replace('|', ''), text.indexOf('|'));

  it('block mappings and list items', () => {
    expect(at('switch:\n  pfc:\n    ena|')).toMatchObject({ path: ['switch', 'pfc'], mode: 'key', word: 'ena' });
    expect(at('workload:\n  - kind: job\n    ops:\n      - op: compute\n        ti|')).toMatchObject({
      path: ['workload', '*', 'ops', '*'],
      mode: 'key',
    });
    expect(at('workload:\n- kind: job\n  na|')).toMatchObject({ path: ['workload', '*'], kind: 'job' });
    expect(at('transport:\n  kind: |')).toMatchObject({ path: ['transport', 'kind'], mode: 'value' });
  });

  it('flow mappings on one line, with the kind they name', () => {
    expect(at('topology: { kind: leafSpine, le| }')).toMatchObject({
      path: ['topology'],
      mode: 'key',
      kind: 'leafSpine',
      word: 'le',
    });
    expect(at('links:\n  host: { rateGbps: 400, delayNs: |')).toMatchObject({
      path: ['links', 'host', 'delayNs'],
      mode: 'value',
    });
    expect(at('links: { host: { rateGbps: 400 }, fabric: { de| } }')).toMatchObject({ path: ['links', 'fabric'] });
  });

  it('the fields offered are the schema’s, narrowed by kind; docs are the .describe() texts', () => {
    const leafSpine = fieldsAt(schema, ['topology'], 'leafSpine').map((f) => f.name);
    expect(leafSpine).toContain('hostsPerLeaf');
    expect(leafSpine).not.toContain('k');
    expect(fieldsAt(schema, ['topology']).map((f) => f.name)).toEqual(expect.arrayContaining(['k', 'hostsPerLeaf']));
    const leaves = fieldDoc(schema, ['topology'], 'leaves', 'leafSpine')!;
    expect(leaves.description).toBe('Leaf (top-of-rack) switches.');
    expect(leaves.type).toBe('integer ≥ 2');
    expect(fieldsAt(schema, ['switch', 'pfc']).map((f) => f.name)).toContain('enabled');
    expect(fieldsAt(schema, ['workload', '*', 'ops', '*']).map((f) => f.name)).toContain('op');
    expect(valuesAt(schema, ['transport', 'kind']).map((v) => v.value)).toEqual(
      expect.arrayContaining(['roce', 'uet']),
    );
    expect(valuesAt(schema, ['switch', 'pfc', 'enabled']).map((v) => v.value)).toEqual(['true', 'false']);
    expect(kindDoc(schema, ['topology'], 'star')).toBe('One switch with every host on it.');
  });
});
