import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateSize, checkSize } from '../sim/scenario/estimate.ts';
import { buildTopology } from '../sim/topology/index.ts';
import { runScenario } from '../sim/run/run.ts';
import { bundled, scenario } from './helpers/scenario.ts';

describe('size estimate and the oversized-scenario guard', () => {
  it('counts hosts, switches and links exactly as the builders do', () => {
    for (const name of [
      'incast-roce.yaml',
      'permutation-roce.yaml',
      'pfc-deadlock.yaml',
      'dumbbell.yaml',
      'bench/permutation-8192-uet.yaml',
    ]) {
      const s = bundled(name);
      const e = estimateSize(s);
      const g = buildTopology(s.topology, s.links);
      expect([e.hosts, e.switches, e.links]).toEqual([g.hostCount, g.nodeCount - g.hostCount, g.links.length]);
    }
  });

  it('refuses a too-large scenario before allocating, naming the estimate and the limit', () => {
    const huge = scenario({
      topology: { kind: 'fatTree', k: 64 },
      transport: { kind: 'roce' },
      workload: { kind: 'allToAll', sizeBytes: 1_000_000 },
    });
    expect(() => checkSize(huge, 8 * 1024 ** 3)).toThrow(
      /scenario too large: estimated [\d.]+ (GiB|MiB) \(65536 hosts, .* is over the limit of 8\.0 GiB/,
    );
    expect(() => runScenario(huge, { maxMemoryBytes: 1024 ** 3 })).toThrow(/scenario too large/);
    // and the bundled scenarios fit comfortably
    expect(estimateSize(bundled('bench/permutation-1024-uet.yaml')).bytes).toBeLessThan(1024 ** 3);
    // A 65,536-host fat tree is routed by rules (no table per ToR): its permutations are accepted.
    for (const f of ['bench/permutation-65536-uet.yaml', 'bench/permutation-65536-roce.yaml'])
      expect(checkSize(bundled(f), 8 * 1024 ** 3).hosts).toBe(65536);
  });

  it('a partitioned run is estimated with a fabric and flow table per partition, its packets shared out', () => {
    const at = (n: number) => estimateSize(bundled('bench/permutation-8192-uet.yaml', [`engine.partitions=${n}`]));
    const [one, two, four] = [at(1), at(2), at(4)];
    expect(four.packets).toBe(one.packets);
    // Each partition adds the same fixed part (its Node heap, ports, routes, flows): linear in N.
    const perPartition = two.bytes - one.bytes;
    expect(perPartition).toBeGreaterThan(80e6);
    expect(four.bytes - one.bytes).toBeCloseTo(3 * perPartition, -3);
    expect(four.bytes).toBeLessThan(4 * one.bytes);
  });

  it('the CLI exits 2 with one line, and the limit can be raised', { tags: ['slow'] }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ethersim-'));
    const f = join(dir, 'huge.yaml');
    writeFileSync(
      f,
      'topology: { kind: fatTree, k: 64 }\ntransport: { kind: roce }\nworkload: { kind: allToAll, sizeBytes: 1000000 }\n',
    );
    const p = spawnSync(process.execPath, ['bin/ethersim.mjs', 'run', f], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr.trim().split('\n')).toHaveLength(1);
    expect(p.stderr).toMatch(/^ethersim: scenario too large: estimated/);
    const small = join(dir, 'small.yaml');
    writeFileSync(
      small,
      'topology: { kind: star, hosts: 2 }\ntransport: { kind: roce }\nworkload: { kind: flows, flows: [{ src: 0, dst: 1, sizeBytes: 1000 }] }\n',
    );
    const q = spawnSync(process.execPath, ['bin/ethersim.mjs', 'run', small, '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, ETHERSIM_MAX_MEMORY_MB: '1' },
    });
    expect(q.status).toBe(2);
    expect(q.stderr).toMatch(/over the limit of 1 MiB/);
  });
});
