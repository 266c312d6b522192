// The dashboard's initial JavaScript (the entry script and everything index.html preloads)
// stays within 250 KB gzipped; every screen is a lazily loaded chunk on top of it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const built = existsSync(path.join(dist, 'index.html'));

describe('dashboard bundle budget', () => {
  it.skipIf(!built)(built ? 'initial JS ≤ 250 KB gzipped' : 'SKIPPED: dist/ is absent (run `npm run build` first; make test builds before testing)', () => {
    const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
    const files = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThanOrEqual(1);
    const size = files.reduce((n, f) => n + gzipSync(readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
    console.info(`[dashboard budget] initial JS: ${(size / 1024).toFixed(1)} KB gzipped (${files.join(', ')})`);
    expect(size).toBeLessThanOrEqual(250 * 1024);
  });
});
