// Starts the real `handoff serve` against a fresh Postgres database for one e2e test file,
// and tears both down afterwards. Nothing is shared between test files.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
const pgBase = process.env.E2E_PG_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function handoffBin() {
  if (process.env.HANDOFF_BIN) return process.env.HANDOFF_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, 'target');
  return path.join(target, 'debug', 'handoff');
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function psql(sql) {
  execFileSync('psql', [pgBase, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: 'pipe' });
}

function dbUrl(name) {
  const u = new URL(pgBase);
  u.pathname = '/' + name;
  return u.toString();
}

/**
 * Starts a server. Returns { url, port, databaseUrl, dataDir, stop() }.
 * extraEnv overrides the environment (e.g. AI_PROVIDER, SMTP_URL).
 */
export async function startServer(extraEnv = {}) {
  const db = `handoff_e2e_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  psql(`CREATE DATABASE ${db}`);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handoff-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  const { DEMO_BIND: _demo, ...inherited } = process.env;
  const env = {
    ...inherited,
    DATABASE_URL: dbUrl(db),
    BIND: `127.0.0.1:${port}`,
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    // `serve` needs 32 random bytes of signing key (or DATA_DIR/jwt_secret).
    JWT_SECRET: randomBytes(32).toString('base64'),
    RATE_LIMITS: 'off',
    // The tests' webhook receivers listen on loopback, which the server refuses by default.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
    ...extraEnv,
  };
  const child = spawn(handoffBin(), ['serve'], { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (exited !== null) throw new Error(`handoff serve exited with ${exited}`);
      try {
        const r = await fetch(`${url}/readyz`);
        if (r.ok) break;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error('handoff serve did not become ready in 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    // Never leave a database or a process behind when the server fails to start.
    if (exited === null) child.kill('SIGTERM');
    try { psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`); } catch { /* best effort */ }
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    port,
    databaseUrl: env.DATABASE_URL,
    dataDir,
    /** Sets a workspace's plan the way the instance operator does: `handoff workspace plan`. */
    setPlan(ws, plan) {
      execFileSync(handoffBin(), ['workspace', 'plan', ws, plan], {
        cwd: repoRoot,
        env: { ...env, RUST_LOG: 'warn' },
        stdio: 'pipe',
      });
    },
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000); });
      }
      try { psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`); } catch { /* best effort */ }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Small JSON client for driving the API from tests. */
export function api(base, token) {
  return async (method, p, body) => {
    const r = await fetch(base + p, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: r.status, body: json, headers: r.headers };
  };
}

export const chromiumArgs = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // The widget speaks the browser's language: English unless a test's context says otherwise.
  '--lang=en-US',
];
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
