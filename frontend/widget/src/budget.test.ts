// @vitest-environment node
// Size budgets over the production build (make test builds before testing):
// loader ≤ 5 KB gzipped, frame JS + CSS ≤ 25 KB gzipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/widget', import.meta.url));
const built = existsSync(join(dist, 'widget.js')) && existsSync(join(dist, 'frame.html'));
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const SKIP = 'dist/widget is absent: run `npm run build:widget` first (make test builds before testing)';

describe('widget bundle budgets', () => {
  if (!built) console.warn(`[widget budgets] skipped: ${SKIP}`);

  it.skipIf(!built)('loader widget.js is at most 5 KB gzipped', () => {
    const size = gz(join(dist, 'widget.js'));
    console.info(`[widget budgets] loader widget.js: ${size} B gzipped`);
    expect(size).toBeLessThanOrEqual(5 * 1024);
  });

  it.skipIf(!built)('frame JS + CSS is at most 25 KB gzipped, and no framework sneaked in', () => {
    const html = readFileSync(join(dist, 'frame.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="\/widget\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThanOrEqual(1);
    // Lazily imported chunks count too.
    const assets = readdirSync(join(dist, 'assets')).filter((f) => /\.(js|css)$/.test(f)).map((f) => `assets/${f}`);
    const files = [...new Set([...refs, ...assets])];
    const size = files.reduce((n, f) => n + gz(join(dist, f)), 0);
    console.info(`[widget budgets] frame ${files.join(' + ')}: ${size} B gzipped`);
    expect(size).toBeLessThanOrEqual(25 * 1024);
    for (const f of files) expect(readFileSync(join(dist, f), 'utf8')).not.toMatch(/react-dom|__PREACT|innerHTML\s*=\s*[a-z]/);
  });

  it.skipIf(!built)('the loader is a single self-contained script', () => {
    const src = readFileSync(join(dist, 'widget.js'), 'utf8');
    expect(src).not.toMatch(/\bimport\s*\(|^import |^export /m);
    expect(src).not.toContain("'*'");
  });
});
