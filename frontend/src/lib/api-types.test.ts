// Fails when src/lib/api-types.ts is not what openapi-typescript generates from the server's
// committed spec (../openapi.yaml). Fix with `npm run gen:api` (or `make openapi`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const spec = path.resolve(frontend, '../openapi.yaml');
const committed = path.join(frontend, 'src/lib/api-types.ts');
const cli = path.join(frontend, 'node_modules/openapi-typescript/bin/cli.js');

function generate(from: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'api-types-'));
  const out = path.join(dir, 'api-types.ts');
  try {
    execFileSync(process.execPath, [cli, from, '-o', out], { cwd: frontend, stdio: 'pipe' });
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('generated API types', () => {
  it.skipIf(!existsSync(spec))(
    existsSync(spec) ? 'src/lib/api-types.ts matches ../openapi.yaml' : 'SKIPPED: ../openapi.yaml does not exist yet',
    () => {
      expect(readFileSync(committed, 'utf8') === generate(spec), 'src/lib/api-types.ts is stale: run `npm run gen:api` in frontend/').toBe(true);
    },
    60_000,
  );
});
