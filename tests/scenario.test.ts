import { describe, it, expect } from 'vitest';
import {
  parseScenario,
  loadScenario,
  scenarioVariants,
  applyVariant,
  scenarioHash,
  scenarioJsonSchema,
  scenarioNotes,
  ScenarioError,
} from '../sim/scenario/load.ts';
import { hasDuplicateKey, parseJsonObject } from '../sim/scenario/jsonText.ts';
import { readdirSync, readFileSync } from 'node:fs';

const BASE = `
name: base
seed: 7
topology: { kind: fatTree, k: 4 }
transport: { kind: roce, cc: dcqcn }
workload: { kind: incast, senders: 3, sizeBytes: 1000 }
`;

/** The ScenarioError lines for text + overrides (fails the test if it parses). */
function problems(text: string, sets: string[] = []): string[] {
  try {
    parseScenario(text, 'test.yaml', sets);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    const lines = (e as ScenarioError).lines;
    expect((e as ScenarioError).message).toBe(lines.join('\n'));
    for (const l of lines) expect(l).not.toContain('\n');
    return lines;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('parseScenario: valid input', () => {
  it('parses YAML and fills defaults', () => {
    const s = parseScenario(BASE, 'base.yaml');
    expect(s.topology).toEqual({ kind: 'fatTree', k: 4 });
    expect(s.transport.kind).toBe('roce');
    expect(s.links.host.rateGbps).toBe(400);
    expect(s.switch.pfc.enabled).toBe(true);
    expect(s.stop.allFlowsDone).toBe(true);
  });

  it('parses JSON too', () => {
    const s = parseScenario(
      JSON.stringify({
        topology: { kind: 'star', hosts: 4 },
        transport: { kind: 'uet' },
        workload: { kind: 'permutation', sizeBytes: 10 },
      }),
      'x.json',
    );
    expect(s.transport.kind).toBe('uet');
    expect(s.name).toBe('scenario');
  });

  it('JSON read by JSON.parse gives what the YAML parser gives, bundled scenarios and all', () => {
    for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml'))) {
      const yaml = loadScenario(readFileSync(`scenarios/${f}`, 'utf8'), f);
      // Indented with tabs and spaces, keys escaped: still JSON.
      const json = JSON.stringify(yaml.raw, null, '\t').replace('"name"', '"n\\u0061me"');
      expect(parseJsonObject(json), f).not.toBeNull();
      const viaJson = loadScenario(json, f.replace('.yaml', '.json'));
      expect(viaJson.raw).toEqual(yaml.raw);
      expect(scenarioHash(viaJson.scenario)).toBe(scenarioHash(yaml.scenario));
    }
  });

  it('JSON with a duplicate key, or that is not JSON, goes to the YAML parser and its messages', () => {
    expect(hasDuplicateKey('{"a":1,"b":{"a":2}}')).toBe(false);
    expect(hasDuplicateKey('{"a":[{"k":1},{"k":2}],"s":"{\\"a\\": 1, \\"a\\": 2}"}')).toBe(false);
    expect(hasDuplicateKey('{"a":1,"b":{"c":2,"c":3}}')).toBe(true);
    expect(hasDuplicateKey('{"a":1, "\\u0061" :2}')).toBe(true);
    expect(hasDuplicateKey('{"x":[{"a":1,"a":2}]}')).toBe(true);
    expect(hasDuplicateKey('{"k\\\\":1,"k\\\\":2}')).toBe(true);
    // Not JSON (the caller parses first), and still an answer rather than a loop.
    expect(hasDuplicateKey('{"a')).toBe(false);
    expect(parseJsonObject('{"a":1,"a":2}')).toBeNull();
    expect(parseJsonObject('[1]')).toBeNull();
    expect(parseJsonObject('{"a":1,}')).toBeNull();
    expect(parseJsonObject('a: 1')).toBeNull();
    expect(problems('{"name": "x",\n "name": "y"}')).toEqual([
      'test.yaml:2:2: YAML syntax error: Map keys must be unique',
    ]);
    expect(problems('{"topology": {"kind": "star",}')[0]).toMatch(/^test\.yaml:\d+:\d+: YAML syntax error: /);
  });
});

describe('parseScenario: one line per problem, naming the path', () => {
  it('odd fat-tree k', () => {
    expect(problems(BASE, ['topology.k=3'])).toEqual(['topology.k: expected an even integer ≥ 2, got 3']);
  });
  it('a switch buffer beyond the 32-bit byte counters (2 GB)', () => {
    expect(problems(BASE, ['switch.bufferBytes=3000000000'])).toEqual([
      'switch.bufferBytes: expected a positive integer ≤ 2000000000, got 3000000000',
    ]);
    expect(parseScenario(BASE, 'test.yaml', ['switch.bufferBytes=2000000000']).switch.bufferBytes).toBe(2_000_000_000);
  });
  it('unknown field lists the allowed fields', () => {
    const [line] = problems(`${BASE}bogus: 1\n`);
    expect(line).toMatch(/^bogus: unknown field; allowed fields: name, description, seed, topology, /);
  });
  it("unknown nested field lists that object's fields (of the right kind)", () => {
    expect(problems(BASE.replace('cc: dcqcn', 'cc: dcqcn, frob: 2'))).toEqual([
      'transport.frob: unknown field; allowed fields: kind, mtuBytes, priority, cc, preset, dcqcn, hpcc, timely, dctcp, nakIntervalUs, ackEveryPackets, rtoUs, ackPriority, placement, oooNakDistance, multipath',
    ]);
  });
  it('bad enum value', () => {
    expect(problems(BASE.replace('cc: dcqcn', 'cc: foo'))).toEqual([
      'transport.cc: expected one of: none, dcqcn, hpcc, timely, dctcp, got "foo"',
    ]);
  });
  it('negative link rate', () => {
    expect(problems(`${BASE}links: { host: { rateGbps: -5, delayNs: 100 } }\n`)).toEqual([
      'links.host.rateGbps: expected a link rate in Gb/s > 0, got -5',
    ]);
  });
  it('wrong type', () => {
    expect(problems(BASE.replace('senders: 3', 'senders: many'))).toEqual([
      'workload.senders: expected a positive integer or a list, got "many"',
    ]);
    expect(problems(BASE + 'seed: "x"\n'.replace('seed', 'stop: { timeUs: "x" }\n#'))).toEqual([
      'stop.timeUs: expected a time in µs > 0, at most 9e9 (9000 s, the simulator\'s exact range), got "x"',
    ]);
  });
  it('missing required field', () => {
    expect(problems(BASE.replace(/workload:.*\n/, ''))).toEqual(['workload: required field missing']);
  });
  it('bad discriminator lists the kinds', () => {
    expect(problems(BASE.replace('kind: fatTree', 'kind: torus'))).toEqual([
      'topology.kind: expected one of: star, dumbbell, leafSpine, fatTree, ring, got "torus"',
    ]);
  });
  it('a scalar where a kind-mapping belongs', () => {
    expect(problems(BASE.replace('{ kind: roce, cc: dcqcn }', 'roce'))).toEqual([
      'transport: expected a mapping with kind: one of roce, uet, got "roce"',
    ]);
  });
  it('reports several problems, one line each', () => {
    const lines = problems(`${BASE.replace('k: 4', 'k: 3').replace('cc: dcqcn', 'cc: x')}bogus: 1\n`);
    expect(lines).toHaveLength(3);
  });
  it('YAML syntax errors give file:line:col', () => {
    expect(problems('topology: { kind: star\nworkload: [1, 2\n')[0]).toMatch(
      /^test\.yaml:\d+:\d+: YAML syntax error: /,
    );
    expect(problems('a: 1\na: 2\n')).toEqual(['test.yaml:2:1: YAML syntax error: Map keys must be unique']);
  });
  it('a top level that is not a mapping', () => {
    expect(problems('- 1\n')[0]).toBe(
      'test.yaml: expected a mapping of scenario fields at the top level, got a list of 1',
    );
    expect(problems('')[0]).toMatch(/^test\.yaml: the file is empty/);
  });
});

describe('--set overrides', () => {
  it("names of object internals are unknown fields, not a way to an object's prototype", () => {
    expect(problems(BASE, ['__proto__.x=1'])).toEqual([
      '--set __proto__.x: unknown field "__proto__" at the top level',
    ]);
    expect(problems(BASE, ['switch.__proto__=1'])).toEqual([
      '--set switch.__proto__: unknown field "__proto__" in switch',
    ]);
    expect(problems(BASE, ['switch.constructor=1'])).toEqual([
      '--set switch.constructor: unknown field "constructor" in switch',
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
  it('set scalars, booleans and numbers parsed as YAML', () => {
    const s = parseScenario(BASE, 'b.yaml', [
      'switch.pfc.enabled=false',
      'topology.k=8',
      'links.host.rateGbps=100',
      'name=renamed',
    ]);
    expect(s.switch.pfc.enabled).toBe(false);
    expect(s.topology).toEqual({ kind: 'fatTree', k: 8 });
    expect(s.links.host.rateGbps).toBe(100);
    expect(s.name).toBe('renamed');
  });
  it('flow collections as values', () => {
    const s = parseScenario(BASE, 'b.yaml', [
      'switch.pfc.priorities=[1, 2]',
      'workload={kind: permutation, sizeBytes: 5}',
    ]);
    expect(s.switch.pfc.priorities).toEqual([1, 2]);
    expect(s.workload).toEqual({ kind: 'permutation', sizeBytes: 5, startNs: 0 });
  });
  it('changing transport.kind starts a fresh transport of the new kind', () => {
    const s = parseScenario(BASE, 'b.yaml', ['transport.loadBalancing=reps', 'transport.kind=uet']);
    expect(s.transport.kind).toBe('uet');
    expect(s.transport).toMatchObject({ loadBalancing: 'reps', cc: 'nscc', priority: 1 });
  });
  it('array indices, and index 0 of a single workload item', () => {
    const list = parseScenario(
      BASE.replace(
        /workload:.*\n/,
        'workload:\n  - { kind: incast, senders: 3, sizeBytes: 1000 }\n  - { kind: permutation, sizeBytes: 10 }\n',
      ),
      'b.yaml',
      ['workload.1.sizeBytes=99'],
    );
    expect((list.workload as { sizeBytes: number }[])[1].sizeBytes).toBe(99);
    const single = parseScenario(BASE, 'b.yaml', ['workload.0.sizeBytes=4096']);
    expect((single.workload as { sizeBytes: number }).sizeBytes).toBe(4096);
  });
  it('an override value that breaks the schema is reported by path', () => {
    expect(problems(BASE, ['transport.cc=foo'])).toEqual([
      'transport.cc: expected one of: none, dcqcn, hpcc, timely, dctcp, got "foo"',
    ]);
  });
  it('paths the schema does not have are rejected', () => {
    expect(problems(BASE, ['bogus=1'])[0]).toMatch(
      /^--set bogus: unknown field "bogus" at the top level; allowed fields: name, /,
    );
    expect(problems(BASE, ['switch.pfc.nope=1'])[0]).toMatch(
      /^--set switch\.pfc\.nope: unknown field "nope" in switch\.pfc; allowed fields: enabled, priorities, /,
    );
    // a field of another transport kind is not a field of this one
    expect(problems(BASE, ['transport.loadBalancing=reps'])[0]).toMatch(
      /^--set transport\.loadBalancing: unknown field "loadBalancing" in transport/,
    );
    expect(problems(BASE, ['topology.k.x=1'])[0]).toBe('--set topology.k.x: topology.k is 4, not a mapping or list');
    expect(problems(BASE, ['workload.3.sizeBytes=1'])[0]).toBe(
      '--set workload.3.sizeBytes: workload is a mapping, not a list',
    );
    expect(problems(BASE, ['novalue'])[0]).toBe('--set novalue: expected path=value, e.g. transport.kind=uet');
  });
});

describe('compare variants', () => {
  const text =
    BASE +
    `compare:
  - name: roce
  - name: uet
    set: { transport.kind: uet, switch.trimming.enabled: true }
`;
  it('expand into one validated scenario per variant, named after it', () => {
    const vs = scenarioVariants(loadScenario(text, 'c.yaml'));
    expect(
      vs.map((v) => [v.name, v.scenario.name, v.scenario.transport.kind, v.scenario.switch.trimming.enabled]),
    ).toEqual([
      ['roce', 'roce', 'roce', false],
      ['uet', 'uet', 'uet', true],
    ]);
    expect(vs[1].scenario.compare).toBeUndefined();
  });
  it('applyVariant reports bad overrides with the variant name', () => {
    const { raw } = loadScenario(text, 'c.yaml');
    expect(() => applyVariant(raw, { 'transport.zz': 1 }, 'bad')).toThrow(
      /^compare "bad": --?.*zz|^compare "bad": transport\.zz/,
    );
    try {
      applyVariant(raw, { 'topology.k': 5 }, 'odd');
    } catch (e) {
      expect((e as ScenarioError).lines).toEqual(['compare "odd": topology.k: expected an even integer ≥ 2, got 5']);
    }
  });
  it('does not modify the base raw object', () => {
    const loaded = loadScenario(text, 'c.yaml');
    const before = JSON.stringify(loaded.raw);
    applyVariant(loaded.raw, { 'transport.kind': 'uet' }, 'x');
    expect(JSON.stringify(loaded.raw)).toBe(before);
  });
});

describe('scenarioHash', () => {
  const a = parseScenario(BASE, 'a.yaml');
  it('is 16 hex digits and stable', () => {
    expect(scenarioHash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(scenarioHash(parseScenario(BASE, 'a.yaml'))).toBe(scenarioHash(a));
  });
  it('ignores seed, name, description, compare and sweep', () => {
    const b = parseScenario(BASE, 'a.yaml', [
      'seed=99',
      'name=other',
      'description=hi',
      'compare=[{name: x}]',
      'sweep={topology.k: [4, 8]}',
    ]);
    expect(scenarioHash(b)).toBe(scenarioHash(a));
  });
  it('does not depend on key order or on spelling out defaults', () => {
    const reordered = parseScenario(
      `workload: { sizeBytes: 1000, senders: 3, kind: incast }\ntransport: { cc: dcqcn, kind: roce }\ntopology: { k: 4, kind: fatTree }\nswitch: { pfc: { enabled: true } }\n`,
      'r.yaml',
    );
    expect(scenarioHash(reordered)).toBe(scenarioHash(a));
  });
  it('changes with a parameter', () => {
    expect(scenarioHash(parseScenario(BASE, 'a.yaml', ['topology.k=6']))).not.toBe(scenarioHash(a));
    expect(scenarioHash(parseScenario(BASE, 'a.yaml', ['switch.ecn.pmax=0.3']))).not.toBe(scenarioHash(a));
  });
});

describe('scenarioJsonSchema', () => {
  it('has the top-level properties, with required topology/transport/workload', () => {
    const js = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(js.properties)).toEqual(
      expect.arrayContaining(['topology', 'links', 'switch', 'transport', 'workload', 'stop', 'metrics']),
    );
    expect(js.required).toEqual(expect.arrayContaining(['topology', 'transport', 'workload']));
    expect(js.required).not.toContain('seed');
  });
});

describe('--set on fields the file leaves to their defaults', () => {
  it('starts from the default object or list', () => {
    const s = parseScenario(BASE, 'b.yaml', ['switch.pfc.priorities.1=5', 'switch.ecn.pmax=0.5']);
    expect(s.switch.pfc.priorities).toEqual([3, 5]);
    expect(s.switch.ecn.pmax).toBe(0.5);
    expect(problems(BASE, ['switch.pfc.priorities.4=1'])).toEqual([
      '--set switch.pfc.priorities.4: switch.pfc.priorities has 1 item; index 4 is out of range (1 appends)',
    ]);
  });
});

describe('settings that contradict each other', () => {
  it('Kmin above Kmax and a payload beyond a jumbo frame are errors, one line each', () => {
    expect(problems(BASE, ['switch.ecn.kminBytes=2000000', 'switch.ecn.kmaxBytes=1000'])).toEqual([
      'switch.ecn.kminBytes: 2000000 is above switch.ecn.kmaxBytes 1000; RED marks from Kmin up to Kmax (physics.md §2.1), so Kmin ≤ Kmax',
    ]);
    expect(problems(BASE, ['transport.mtuBytes=100000'])).toEqual([
      'transport.mtuBytes: expected a payload size in bytes from 1 to 9216, got 100000',
    ]);
    expect(problems(BASE, ['stop.allFlowsDone=false'])).toEqual([
      'stop.allFlowsDone: false runs on to stop.timeUs after the last flow, so it needs stop.timeUs (a positive number of µs)',
    ]);
  });
  it('trimming with RoCE and a RoCE MTU above 4096 are notes (valid, but most likely not meant); the bundled set-ups give none', () => {
    expect(scenarioNotes(parseScenario(BASE, 'b.yaml'))).toEqual([]);
    expect(
      scenarioNotes(parseScenario(BASE, 'b.yaml', ['switch.trimming.enabled=true', 'transport.mtuBytes=9000'])),
    ).toEqual([
      'switch.trimming: RoCE packets are never trimmed (only UET marks its packets trimmable), so trimming does nothing here',
      'transport.mtuBytes: 9000 is above 4096, the largest RoCE path MTU (InfiniBand MTUs are 256–4096 bytes)',
    ]);
    expect(
      scenarioNotes(parseScenario(BASE, 'b.yaml', ['transport.kind=uet', 'switch.trimming.enabled=true'])),
    ).toEqual([]);
  });
});

describe('transport-dependent defaults', () => {
  it('ECN pmax: 0.2 for RoCE (HPCC), 1 for UET (htsim) — per variant, and a value given is kept', () => {
    expect(parseScenario(BASE, 'b.yaml').switch.ecn.pmax).toBe(0.2);
    expect(parseScenario(BASE, 'b.yaml', ['transport.kind=uet']).switch.ecn.pmax).toBe(1);
    expect(parseScenario(BASE, 'b.yaml', ['transport.kind=uet', 'switch.ecn.pmax=0.5']).switch.ecn.pmax).toBe(0.5);
    const uetBase =
      BASE.replace('{ kind: roce, cc: dcqcn }', '{ kind: uet }') +
      'compare:\n  - name: uet\n  - name: roce\n    set: { transport.kind: roce }\n';
    const [uet, roce] = scenarioVariants(loadScenario(uetBase, 'c.yaml'));
    expect([uet.scenario.switch.ecn.pmax, roce.scenario.switch.ecn.pmax]).toEqual([1, 0.2]);
  });
});

describe('link fields left out', () => {
  it('take their defaults field by field, in a file as with --set: host 400 G / 1 µs, fabric as host, core as fabric', async () => {
    const { linkTiers } = await import('../sim/topology/builder.ts');
    const file = parseScenario(
      `${BASE}links: { host: { rateGbps: 100 }, fabric: { delayNs: 500 }, core: { rateGbps: 800 } }\n`,
      'l.yaml',
    );
    const set = parseScenario(BASE, 'l.yaml', ['links.host.rateGbps=100']);
    expect(file.links.host).toEqual({ rateGbps: 100, delayNs: 1000 });
    expect(set.links.host).toEqual(file.links.host);
    expect(linkTiers(file.links)).toEqual({
      host: { rateBps: 100e9, delayPs: 1_000_000 },
      fabric: { rateBps: 100e9, delayPs: 500_000 },
      core: { rateBps: 800e9, delayPs: 500_000 },
    });
  });
});

describe('README', () => {
  it('starts with the set-up commands, and its annotated scenario is valid', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme.startsWith('```sh\nnpm ci && npx ethersim run scenarios/incast-roce.yaml\nnpm test\n```')).toBe(true);
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yamlBlock).toBeDefined();
    const loaded = loadScenario(yamlBlock!, 'README.md');
    expect(loaded.scenario.topology.kind).toBe('leafSpine');
    expect(scenarioVariants(loaded).map((v) => v.name)).toEqual(['pfc', 'dcqcn']);
  });
});
