import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/run/run.ts';
import { slowdownQuantileUpTo, switchQueueStats } from '../sim/metrics/flowStats.ts';
import { bundled } from './helpers/scenario.ts';

describe('cc-websearch.yaml (docs/reference/cc-family.md §5)', () => {
  // Two 5.8 M-event runs: a few seconds on an idle machine, past the 120 s limit on a loaded one.
  it('at 50 % load HPCC beats DCQCN on the p99 slowdown of flows < 100 KB and on the mean switch queue, as the HPCC paper reports', {
    tags: ['slow'],
  }, () => {
    const dcqcn = runScenario(bundled('cc-websearch.yaml'));
    const hpcc = runScenario(bundled('cc-websearch.yaml', ['transport.cc=hpcc']));
    expect(hpcc.summary.flowsDone).toBe(hpcc.summary.flowsTotal);
    expect(dcqcn.summary.flowsDone).toBe(dcqcn.summary.flowsTotal);
    // The same flows (one workload stream): the comparison is flow for flow.
    expect(hpcc.flows.map((f) => f.sizeBytes)).toEqual(dcqcn.flows.map((f) => f.sizeBytes));
    const small = (r: typeof hpcc) => slowdownQuantileUpTo(r, 100_000, 0.99);
    expect(small(hpcc)).toBeLessThan(small(dcqcn));
    expect(switchQueueStats(hpcc)!.meanBytes).toBeLessThan(switchQueueStats(dcqcn)!.meanBytes);
    console.log(
      `cc-websearch 50 %: p99 slowdown < 100 KB HPCC ${small(hpcc).toFixed(2)} vs DCQCN ${small(dcqcn).toFixed(2)}; mean switch queue ${(switchQueueStats(hpcc)!.meanBytes / 1e3).toFixed(2)} KB vs ${(switchQueueStats(dcqcn)!.meanBytes / 1e3).toFixed(2)} KB`,
    );
  });
});
