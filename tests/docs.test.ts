import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The documentation stays inside the repository and its links stay whole: every relative link
// in README.md and docs/ resolves to a file (and, into a Markdown file, to a heading), and no
// file cites a document the repository does not have (docs/development.md, Conventions).
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Markdown files the links of which are checked: README.md and everything under docs/. */
function docFiles(): string[] {
  const out = [join(ROOT, 'README.md')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) out.push(p);
    }
  };
  walk(join(ROOT, 'docs'));
  return out;
}

/** The text without fenced code blocks and inline code, where a link is only an example. */
function prose(md: string): string {
  return md.replace(/^(```|~~~)[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers (repeated headings get -1, -2, … as on GitHub). */
function anchorsOf(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = md.replace(/^(```|~~~)[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative link targets of a Markdown text: [text](target) and <img src>, not URLs or pure #anchors in code. */
function linksOf(md: string): string[] {
  const out: string[] = [];
  for (const m of prose(md).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]);
  return out.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** Files of the repository (not dependencies, build output or git's own). */
function repoFiles(dir = ROOT, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (['node_modules', '.git', 'dist', 'out', 'test-artifacts', 'scratch', '.vite'].includes(name)) continue;
    if (name.startsWith('.cli-')) continue; // the CLI's git-ignored bundle (bin/ethersim.mjs)
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) repoFiles(p, out);
    else if (st.size < 2_000_000) out.push(p);
  }
  return out;
}

describe('documentation', () => {
  it('README.md is a ten-minute read: at most 300 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(300);
  });

  it('every relative link in README.md and docs/ resolves to a file, and to a heading inside Markdown', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      const md = readFileSync(file, 'utf8');
      for (const target of linksOf(md)) {
        const [pathPart, anchor] = target.split('#', 2);
        const dest = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
        const where = `${relative(ROOT, file)}: ${target}`;
        if (!existsSync(dest)) {
          broken.push(`${where} (no such file)`);
          continue;
        }
        if (!relative(ROOT, dest) || relative(ROOT, dest).startsWith('..')) {
          broken.push(`${where} (outside the repository)`);
          continue;
        }
        if (anchor && dest.endsWith('.md') && !anchorsOf(readFileSync(dest, 'utf8')).has(anchor)) {
          broken.push(`${where} (no heading with that anchor)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the links it checks (the link pattern works)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(linksOf(readme)).toContain('docs/architecture.md');
    expect(linksOf('see [a](b.md#c-d) and `[x](y.md)` and [u](https://e.org)')).toEqual(['b.md#c-d']);
    expect(slug('Overrides: `--set` and `compare:`')).toBe('overrides---set-and-compare');
    expect([...anchorsOf('# A b\n## A b\n```\n# not\n```\n')]).toEqual(['a-b', 'a-b-1']);
  });

  it('no file cites a document the repository does not have', () => {
    // Spelled in pieces, so that a plain grep of the tree for them finds nothing, this file included.
    const outside = ['DESIGN' + '.md', '/work' + '/shared', '../' + 'shared/', 'shared' + '/reference/'];
    const hits: string[] = [];
    const self = fileURLToPath(import.meta.url);
    for (const file of repoFiles()) {
      if (file === self) continue;
      const text = readFileSync(file, 'utf8');
      if (text.includes('\u0000')) continue; // binary
      for (const o of outside) if (text.includes(o)) hits.push(`${relative(ROOT, file)}: ${o}`);
    }
    expect(hits).toEqual([]);
  });

  it('every docs/….md a file cites exists, with the heading its #anchor names', () => {
    const missing: string[] = [];
    const self = fileURLToPath(import.meta.url);
    for (const file of repoFiles()) {
      if (file === self || !/\.(ts|mjs|js|md|yaml|json|html|css|sh)$/.test(file)) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?<![\w/.-])docs\/([\w./-]+?\.md)(?:#([\w-]+))?/g)) {
        const target = join(ROOT, 'docs', m[1]);
        const where = `${relative(ROOT, file)}: ${m[0]}`;
        if (!existsSync(target)) missing.push(`${where} (no such file)`);
        else if (m[2] && !anchorsOf(readFileSync(target, 'utf8')).has(m[2])) missing.push(`${where} (no such heading)`);
      }
      // The README's old sections ("Performance", "Partitioned runs", …) are docs/ pages now.
      for (const m of text.matchAll(/README,? "([^"]+)"/g))
        missing.push(`${relative(ROOT, file)}: ${m[0]} (cite docs/)`);
    }
    expect(missing).toEqual([]);
  });
});
