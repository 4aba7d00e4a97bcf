import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph } from './helpers/importGraph.ts';

// The layers of docs/architecture.md: engine → net → transport → workload/metrics → run → cli, api.
// The core (everything under sim/ but run/ and cli/) knows nothing of how it is run or shown.
const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('architecture: the import graph', () => {
  const sim = importGraph(ROOT, 'sim');

  it('finds the modules (the walk works)', () => {
    expect(sim.size).toBeGreaterThan(50);
    expect(sim.get('sim/run/run.ts')).toContain('sim/engine/simulator.ts');
  });

  it('finds a cycle when there is one', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(importCycles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('has no import cycle under sim/', () => {
    expect(importCycles(sim)).toEqual([]);
  });

  it('keeps the layers: the core never imports run/, cli/ or api/; run/ neither cli/ nor api/; api/ not cli/', () => {
    const bad: string[] = [];
    const top = (f: string) => f.startsWith('sim/run/') || f.startsWith('sim/cli/') || f.startsWith('sim/api/');
    for (const [from, deps] of sim) {
      for (const to of deps) {
        if (!top(from) && top(to)) bad.push(`${from} → ${to}`);
        if (from.startsWith('sim/run/') && (to.startsWith('sim/cli/') || to.startsWith('sim/api/')))
          bad.push(`${from} → ${to}`);
        // The public API (docs/api.md) stands beside the command line, not on it.
        if (from.startsWith('sim/api/') && to.startsWith('sim/cli/')) bad.push(`${from} → ${to}`);
        if (from.startsWith('sim/engine/') && !to.startsWith('sim/engine/')) bad.push(`${from} → ${to}`);
        if (!to.startsWith('sim/')) bad.push(`${from} → ${to} (outside sim/)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps the browser on the run layer: web/ reaches the core only through sim/run/ or types', () => {
    const web = importGraph(ROOT, 'web');
    const cycles = importCycles(web);
    expect(cycles).toEqual([]);
    const bad: string[] = [];
    for (const [from, deps] of web) for (const to of deps) if (to.startsWith('sim/cli/')) bad.push(`${from} → ${to}`);
    expect(bad).toEqual([]);
  });
});
