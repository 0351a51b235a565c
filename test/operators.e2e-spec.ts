import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SIMULATOR_APP } from '../src/wechat-simulator/index.js';
import { startAppProcess } from './support/app-process.js';
import { freePort, killAndWait } from './support/child-process.js';
import { http } from './support/http.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from './support/test-services.js';
import { PRODUCTION_TEST_APP, TEST_SESSION_KEY_SECRET } from './support/test-stack.js';

const MAIN = resolve('dist/src/main.js');
/** Wrong password: rejected at once. Unreachable: two attempts a second apart, 5 s connect timeout. */
const EXIT_WITHIN_MS = 15_000;

/** A fully valid production environment; each test breaks one thing. */
function productionEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    REDIS_KEY_PREFIX: `${testRedisPrefix('operators')}${randomBytes(3).toString('hex')}:`,
    WECHAT_APPID: DEFAULT_SIMULATOR_APP.appid,
    WECHAT_SECRET: PRODUCTION_TEST_APP.secret,
    SESSION_KEY_SECRET: TEST_SESSION_KEY_SECRET,
    PUBLIC_BASE_URL: 'https://api.example.com',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

/** Runs the built server to its exit (killing it past the bound) and returns what it printed. */
async function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; ms: number }> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WITHIN_MS + 5000);
  const code = await exited;
  clearTimeout(timer);
  return { code, output, ms: Date.now() - started };
}

/** The one-line contract: exactly one JSON line, no terminal colours, no stack frames. */
function expectOneJsonLine(output: string): Record<string, unknown> {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(output).not.toContain('\u001b');
  expect(output).not.toMatch(/(^|\n|\\n)\s*at \S/);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

function withUrl(url: string, change: (url: URL) => void): string {
  const parsed = new URL(url);
  change(parsed);
  return parsed.toString();
}

describe('operators: a failed production start-up is one JSON line naming the dependency', () => {
  test('a wrong database password: exit 1, one line with host:port, never the password', async () => {
    const password = `wrong-${randomBytes(6).toString('hex')}`;
    const url = withUrl(testDatabaseUrl(), (u) => {
      u.username = 'weapp_no_such_user';
      u.password = password;
    });
    const { hostname, port } = new URL(url);
    const run = await runToExit(productionEnv({ DATABASE_URL: url }));
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(EXIT_WITHIN_MS);
    const line = expectOneJsonLine(run.output);
    expect(line).toMatchObject({ dependency: 'MySQL', address: `${hostname}:${port || 3306}` });
    expect(String(line.cause)).toMatch(/ACCESS_DENIED/);
    expect(run.output).not.toContain(password);
  }, 30_000);

  test('an unreachable database: exit 1 within the bound, one line with 127.0.0.1:<port>', async () => {
    const closed = await freePort();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const run = await runToExit(
      productionEnv({ DATABASE_URL: `mysql://app:${password}@127.0.0.1:${closed}/weapp` }),
    );
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(EXIT_WITHIN_MS);
    const line = expectOneJsonLine(run.output);
    expect(line).toMatchObject({
      dependency: 'MySQL',
      address: `127.0.0.1:${closed}`,
      cause: 'ECONNREFUSED',
    });
    expect(run.output).not.toContain(password);
  }, 30_000);

  test('a missing database: exit 1, one line naming it', async () => {
    const url = withUrl(testDatabaseUrl(), (u) => {
      u.pathname = `/weapp_missing_${randomBytes(4).toString('hex')}`;
    });
    const { hostname, port } = new URL(url);
    const run = await runToExit(productionEnv({ DATABASE_URL: url }));
    expect(run.code).toBe(1);
    const line = expectOneJsonLine(run.output);
    expect(line).toMatchObject({ dependency: 'MySQL', address: `${hostname}:${port || 3306}` });
    expect(String(line.cause)).toMatch(/ER_BAD_DB_ERROR|ER_DBACCESS_DENIED_ERROR/);
  }, 30_000);

  test('a bad environment: exit 1, one line listing the problems', async () => {
    const run = await runToExit(productionEnv({ SESSION_KEY_SECRET: 'too-short' }));
    expect(run.code).toBe(1);
    const line = expectOneJsonLine(run.output);
    expect(line.cause).toBe('INVALID_ENVIRONMENT');
    expect(JSON.stringify(line.problems)).toContain('SESSION_KEY_SECRET');
  }, 30_000);
});

describe('operators: Redis at a closed port', () => {
  test('the service starts, logs the address (not the password), and /health/ready names redis', async () => {
    const closed = await freePort();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const app = await startAppProcess(
      productionEnv({ REDIS_URL: `redis://:${password}@127.0.0.1:${closed}` }),
    );
    try {
      for (let i = 0; i < 50 && !app.output().includes(`127.0.0.1:${closed}`); i++) await sleep(100);
      expect(app.output()).toMatch(new RegExp(`Redis[^\\n]*127\\.0\\.0\\.1:${closed}`));
      expect(app.output()).not.toContain(password);
      const ready = await http('GET', `${app.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', failing: ['redis'] });
      expect(ready.body.message).toMatch(/redis/);
    } finally {
      await killAndWait(app.child);
    }
  }, 40_000);
});
