// The dashboard's folder rules, read from the source text: a feature (src/features/<f>/) may
// import other features, but never in a circle (team → tickets → team), and never the app
// shell (src/app/), which composes the features. Shared code lives in src/components/ui and
// src/lib.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.dirname(fileURLToPath(import.meta.url));
const featuresDir = path.join(src, 'features');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** The relative specifiers of a file's static `import … from`, `export … from` and `import('…')`. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const patterns = [
    /^\s*import\s+[\w$*{}\s,]*?\bfrom\s*['"]([^'"]+)['"]/gm, // import x, { y, type z } from '…'
    /^\s*export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[\w$\s,]*\})\s*from\s*['"]([^'"]+)['"]/gm, // export { x } from '…'
    /^\s*import\s*['"]([^'"]+)['"]/gm, // import './side-effect'
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]);
  return out.filter((s) => s.startsWith('.'));
}

interface Edge {
  from: string;
  to: string;
  /** The file (relative to src/) and the specifier that make the edge. */
  where: string;
}

/** Feature → feature edges, and imports from a feature into src/app/. */
function scan(files: { file: string; text: string }[]) {
  const edges: Edge[] = [];
  const intoApp: string[] = [];
  for (const { file, text } of files) {
    const rel = path.relative(src, file).split(path.sep);
    if (rel[0] !== 'features') continue;
    const feature = rel[1];
    for (const spec of importsOf(text)) {
      const target = path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep);
      const where = `${rel.join('/')}: '${spec}'`;
      if (target[0] === 'app') intoApp.push(where);
      if (target[0] === 'features' && target[1] && target[1] !== feature) edges.push({ from: feature, to: target[1], where });
    }
  }
  return { edges, intoApp };
}

/** Every circle in the feature graph, each as the path that closes it ("a → b → a"), with its edges' sources. */
function cycles(edges: Edge[]): string[] {
  const next = new Map<string, Map<string, string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Map());
    const m = next.get(e.from)!;
    if (!m.has(e.to)) m.set(e.to, e.where);
  }
  const found = new Set<string>();
  const out: string[] = [];
  // A circle is reported once, from its alphabetically first feature.
  const walk = (start: string, at: string, trail: string[]) => {
    for (const [to] of next.get(at) ?? []) {
      if (to === start) {
        const loop = [...trail, start];
        const key = loop.join(' → ');
        if (found.has(key)) continue;
        found.add(key);
        const why = loop.slice(1).map((f, i) => `    ${next.get(loop[i])!.get(f)}`);
        out.push([key, ...why].join('\n'));
      } else if (to > start && !trail.includes(to)) walk(start, to, [...trail, to]);
    }
  };
  for (const f of [...next.keys()].sort()) walk(f, f, [f]);
  return out;
}

const files = sourceFiles(featuresDir).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

describe('dashboard architecture', () => {
  it('reads the imports of every feature file', () => {
    expect(files.length).toBeGreaterThan(20);
    const { edges } = scan(files);
    // A sanity check that the scan sees real edges (tickets use the team's members).
    expect(edges.some((e) => e.from === 'tickets' && e.to === 'team')).toBe(true);
  });

  it('has no circle between features', () => {
    expect(cycles(scan(files).edges)).toEqual([]);
  });

  it('features never import the app shell (src/app/)', () => {
    expect(scan(files).intoApp).toEqual([]);
  });

  it('the checks see a circle and an import of src/app/ (self-test on made-up files)', () => {
    const f = (p: string, text: string) => ({ file: path.join(src, p), text });
    const made = scan([
      f('features/a/components/A.tsx', "import { B } from '../../b/components/B';\nimport { x } from '../../../lib/x';"),
      f('features/b/components/B.tsx', "import type { A } from '../../a/components/A';"),
      f('features/c/api/c.ts', "export { y } from '../../a/api/a';\nconst r = () => import('../../../app/router');"),
    ]);
    expect(cycles(made.edges).map((c) => c.split('\n')[0])).toEqual(['a → b → a']);
    expect(made.intoApp).toEqual(["features/c/api/c.ts: '../../../app/router'"]);
  });
});
