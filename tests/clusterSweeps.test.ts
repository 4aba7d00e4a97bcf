import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

// The cluster examples in docs/sweeps.md are run here as the cluster would run them, so that
// they cannot rot: each array task's command with its index, then the merge the doc gives.
const ROOT = resolve(import.meta.dirname, '..');
const DOC = readFileSync(join(ROOT, 'docs/sweeps.md'), 'utf8');
const BIN = `"${process.execPath}" "${join(ROOT, 'bin/ethersim.mjs')}"`;

/** The fenced code blocks of a language in the doc. */
function blocks(lang: string): string[] {
  return [...DOC.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]);
}

/** The fields of a Kubernetes Job manifest the test reads. */
interface JobManifest {
  kind?: string;
  apiVersion: string;
  spec: {
    completionMode: string;
    completions: number;
    template: { spec: { containers: Array<{ command: string[]; args: string[] }> } };
  };
}

function sh(cmd: string, env: Record<string, string>) {
  return spawnSync('sh', ['-c', cmd], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
}

describe('docs/sweeps.md: sweeps on a cluster', () => {
  it('the Kubernetes Indexed Job: every index runs its shard, and the merge is complete', { tags: ['slow'] }, () => {
    const job = blocks('yaml')
      .map((b) => parse(b) as JobManifest | null)
      .find((d) => d?.kind === 'Job');
    expect(job, 'a Job manifest in docs/sweeps.md').toBeDefined();
    expect(job!.apiVersion).toBe('batch/v1');
    expect(job!.spec.completionMode).toBe('Indexed');
    const n = job!.spec.completions;
    const container = job!.spec.template.spec.containers[0];
    expect(container.command).toEqual(['sh', '-c']);
    const results = mkdtempSync(join(tmpdir(), 'ethersim-k8s-'));
    try {
      // The pod's command, with this checkout's CLI for `npx ethersim` and a folder for /results.
      const podCommand = container.args[0].replaceAll('npx ethersim', BIN).replaceAll('/results', results);
      for (let i = 0; i < n; i++) {
        const r = sh(podCommand, { JOB_COMPLETION_INDEX: String(i) });
        expect(r.status, `index ${i}: ${r.stderr}`).toBe(0);
      }
      expect(readdirSync(results).sort()).toEqual(Array.from({ length: n }, (_, i) => `shard-${i}`).sort());
      const mergeLine = /Then `(npx ethersim merge \/results\/shard-\* --out [^`]+)`/.exec(DOC);
      expect(mergeLine, 'the merge step after the Job').not.toBeNull();
      const merged = join(results, 'merged');
      const m = sh(
        mergeLine![1]
          .replaceAll('npx ethersim', BIN)
          .replaceAll('/results', results)
          .replace(/--out \S+/, `--out ${merged}`),
        {},
      );
      // merge exits 1 when a variant of the grid is missing: 0 means the shards covered it all.
      expect(m.status, m.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(merged, 'sweep.json'), 'utf8'));
      expect(readdirSync(join(merged, 'variants')).length).toBe(manifest.variants.length);
      expect(manifest.variants.length).toBeGreaterThan(n);
    } finally {
      rmSync(results, { recursive: true, force: true });
    }
  });

  it('the Slurm array job: SLURM_ARRAY_TASK_ID 1…N, then the merge', { tags: ['slow'] }, () => {
    const script = blocks('sh').find((b) => b.includes('#SBATCH --array='));
    expect(script, 'an sbatch script in docs/sweeps.md').toBeDefined();
    const [, lo, hi] = /#SBATCH --array=(\d+)-(\d+)/.exec(script!)!;
    const out = mkdtempSync(join(tmpdir(), 'ethersim-slurm-'));
    try {
      const body = script!.replaceAll('npx ethersim', BIN).replaceAll('out/', `${out}/`);
      for (let i = Number(lo); i <= Number(hi); i++) {
        const r = sh(body, { SLURM_ARRAY_TASK_ID: String(i), SLURM_SUBMIT_DIR: ROOT, SLURM_CPUS_PER_TASK: '1' });
        expect(r.status, `task ${i}: ${r.stderr}`).toBe(0);
      }
      const mergeLine = /`(npx ethersim merge out\/[^`]+)`/.exec(DOC.slice(DOC.indexOf('#SBATCH --array=')));
      expect(mergeLine, 'the merge step after the array').not.toBeNull();
      const m = sh(mergeLine![1].replaceAll('npx ethersim', BIN).replaceAll('out/', `${out}/`), {});
      expect(m.status, m.stderr).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
