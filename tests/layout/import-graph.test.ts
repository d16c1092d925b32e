import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** Every .ts/.tsx file under src, with the files it imports or re-exports from (type-only imports too). */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name)) files.push(path);
    }
  };
  walk(SRC);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => resolve(dirname(file), m[1]!));
    graph.set(relative(SRC, file), deps.map((d) => relative(SRC, d)).filter((d) => !d.startsWith('..')));
  }
  return graph;
}

/** The cycles found by a depth-first walk, each as the files on it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string) => {
    if (path.includes(node)) {
      found.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    if (done.has(node) || !graph.has(node)) return;
    path.push(node);
    for (const next of graph.get(node)!) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return found;
}

describe('the import graph', () => {
  const graph = importGraph();

  it('finds the imports it checks (a graph it could not read would pass vacuously)', () => {
    expect(graph.get('schedule/scheduler.ts')).toContain('schedule/cron-editions.ts');
    expect(graph.get('delivery/send-edition.ts')).toContain('delivery/send-loop.ts');
  });

  it('has no cycle between files, counting type-only imports', () => {
    expect(cycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('has no cycle between folders: each domain depends on the ones below it only', () => {
    const folders = new Map<string, string[]>();
    for (const [file, deps] of graph) {
      const from = file.split('/')[0]!;
      for (const dep of deps) {
        const to = dep.split('/')[0]!;
        if (from !== to) folders.set(from, [...(folders.get(from) ?? []), to]);
      }
    }
    expect(cycles(folders).map((c) => c.join(' → '))).toEqual([]);
  });

  it('keeps delivery free of the scheduler: the scheduler asks delivery when to retry, not the other way round', () => {
    const upward = [...graph].filter(([file, deps]) => file.startsWith('delivery/') && deps.some((d) => d.startsWith('schedule/')));
    expect(upward.map(([file]) => file)).toEqual([]);
  });
});
