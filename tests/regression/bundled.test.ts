import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { loadBaseline, runSeeds, checkSeeds } from '../helpers/latencyBaseline.ts';

/**
 * The bundled scenarios against their shipped baselines (tests/baselines/*.json, recorded with
 * `ethersim baseline`), checked with a seed set disjoint from the baseline's. A change to the
 * physics that moves an FCT or per-packet latency distribution fails here; if the move is
 * intended, re-record: `npx ethersim baseline <source> [--set …] --seeds <n> --out tests/baselines/NAME.json`
 * (source, sets and seed count are in the file).
 */
const files = readdirSync('tests/baselines')
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('latency-distribution baselines of the bundled scenarios', () => {
  it('ships baselines for dumbbell, incast-roce and dcqcn-fairness', () => {
    expect(files).toEqual(expect.arrayContaining(['dumbbell.json', 'incast-roce.json', 'dcqcn-fairness.json']));
  });
  for (const f of files) {
    it(`${f}: other seeds match the baseline`, { tags: ['slow'] }, async () => {
      const path = `tests/baselines/${f}`;
      const b = loadBaseline(path);
      expect(b.source, 'baseline records its scenario file').toBeTruthy();
      const seeds = checkSeeds(b);
      expect(seeds.some((s) => b.seeds.includes(s))).toBe(false);
      expect(await runSeeds(b.source!, b.sets, seeds)).toMatchLatencyBaseline(path);
    });
  }
  it('incast-roce with DCQCN on does not match the PFC-only baseline', { tags: ['slow'] }, async () => {
    const path = 'tests/baselines/incast-roce.json';
    const b = loadBaseline(path);
    const runs = await runSeeds(b.source!, ['transport.cc=dcqcn'], checkSeeds(b, 8));
    // the hash differs too; compare as if it were the same scenario to see that the distribution moved
    for (const r of runs) r.result.meta.scenarioHash = b.scenarioHash;
    expect(runs).not.toMatchLatencyBaseline(path);
  });
});
