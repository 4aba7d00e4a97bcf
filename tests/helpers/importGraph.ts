import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The relative imports of every .ts/.mjs file under `dir` (static `import … from`, `export …
 * from` and dynamic `import('…')`), as repository-relative paths. Type-only imports count: a cycle
 * through types still ties the modules together for a reader.
 */
export function importGraph(root: string, dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mjs)$/.test(f) && !f.startsWith('.')) {
        const src = readFileSync(p, 'utf8');
        const deps = new Set<string>();
        const specs = [
          ...src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/g),
          ...src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
        ];
        for (const m of specs) if (m[1].startsWith('.')) deps.add(relative(root, resolve(dirname(p), m[1])));
        graph.set(relative(root, p), [...deps]);
      }
    }
  };
  walk(join(root, dir));
  return graph;
}

/** The strongly connected components of more than one module (Tarjan), i.e. the import cycles. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
