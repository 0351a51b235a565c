import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startAppProcess, type AppProcess } from './support/app-process.js';
import { killAndWait } from './support/child-process.js';
import { http } from './support/http.js';

const MAIN = resolve('dist/src/main.js');
const DEV_APPID = 'wx0123456789abcdef';

/** The banner line that holds the login command, as a user would copy it. */
function loginCommandOf(app: AppProcess): string {
  const line = app
    .output()
    .split('\n')
    .find((text) => text.trim().startsWith("node -e '"));
  if (!line) throw new Error(`no login command in the banner:\n${app.output()}`);
  return line.trim();
}

function bannerValue(app: AppProcess, label: string): string {
  const match = new RegExp(`^  ${label} +(\\S+)`, 'm').exec(app.output());
  if (!match) throw new Error(`no "${label}" line in the banner:\n${app.output()}`);
  return match[1];
}

/** Runs the command in a POSIX shell, as pasted into a terminal; resolves with what it printed. */
async function runInShell(command: string): Promise<string> {
  const { stdout } = await promisify(execFile)('sh', ['-c', command], { timeout: 20_000 });
  return stdout.trim();
}

/** Starts main.js expecting it to fail; resolves with its exit code and everything it printed. */
function startExpectingFailure(
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** Logs `openid` in through the instance's simulator; resolves with the user id. */
async function loginAs(app: AppProcess, openid: string): Promise<number> {
  const simulator = bannerValue(app, 'Simulator');
  const minted = await http<{ code: string }>('POST', `${simulator}/__sim/login-codes`, {
    body: { appid: DEV_APPID, openid },
  });
  const login = await http<{ user: { id: number } }>('POST', `${app.url}/auth/login`, {
    body: { code: minted.body.code },
  });
  expect(login.status).toBe(200);
  return login.body.user.id;
}

describe('trying it: `npm start` in development, twice, from one folder', () => {
  let dir: string;
  let first: AppProcess;
  let second: AppProcess;

  beforeAll(async () => {
    // Only PORT differs (startAppProcess picks a free one each): simulator port, database file and
    // avatar folder are the development defaults, under this folder.
    dir = mkdtempSync(join(tmpdir(), 'weapp-auth-try-it-'));
    first = await startAppProcess({}, { cwd: dir });
    second = await startAppProcess({}, { cwd: dir });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([killAndWait(first?.child), killAndWait(second?.child)]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('both instances are live, each with its own simulator and database file', async () => {
    for (const app of [first, second]) {
      expect((await http('GET', `${app.url}/health/live`)).status).toBe(200);
      expect(bannerValue(app, 'API')).toBe(app.url);
      expect(bannerValue(app, 'API docs')).toBe(`${app.url}/docs`);
    }
    expect(bannerValue(second, 'Simulator')).not.toBe(bannerValue(first, 'Simulator'));
    const port = new URL(second.url).port;
    expect(second.output()).toContain(`embedded SQLite file data/weapp-auth.${port}.sqlite`);
    expect(existsSync(join(dir, `data/weapp-auth.${port}.sqlite`))).toBe(true);
  });

  test("the banner's one command logs in and prints a token that works", async () => {
    for (const app of [first, second]) {
      const token = await runInShell(loginCommandOf(app));
      expect(token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      const sessions = await http('GET', `${app.url}/auth/sessions`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(sessions.status).toBe(200);
    }
  }, 60_000);

  test("Swagger's prefilled login body reaches the development app (a fresh code, not UNKNOWN_APPID)", async () => {
    const document = await http<{
      info: { description: string };
      components: { schemas: { LoginRequestDto: { properties: { appid: { example: string } } } } };
    }>('GET', `${first.url}/docs-json`);
    const appid = document.body.components.schemas.LoginRequestDto.properties.appid.example;
    expect(appid).toBe(DEV_APPID);
    // The page says where codes come from: this instance's simulator.
    expect(document.body.info.description).toContain(`${bannerValue(first, 'Simulator')}/__sim/login-codes`);
    const minted = await http<{ code: string }>(
      'POST',
      `${bannerValue(first, 'Simulator')}/__sim/login-codes`,
      {
        body: { appid },
      },
    );
    const login = await http('POST', `${first.url}/auth/login`, { body: { code: minted.body.code, appid } });
    expect(login.status).toBe(200);
  });

  test('a port, simulator port or database file in use: exit 1 with one line naming the variable', async () => {
    const port = new URL(first.url).port;
    const simulatorPort = new URL(bannerValue(first, 'Simulator')).port;
    const cases: [Record<string, string>, string][] = [
      [
        { PORT: port, WECHAT_SIMULATOR_PORT: '0', SQLITE_PATH: 'data/other.sqlite' },
        `port ${port} is in use: set PORT=`,
      ],
      [
        { PORT: '0', WECHAT_SIMULATOR_PORT: simulatorPort },
        `port ${simulatorPort} is in use: set WECHAT_SIMULATOR_PORT=`,
      ],
      [
        { PORT: '0', SQLITE_PATH: 'data/weapp-auth.sqlite' },
        'data/weapp-auth.sqlite is in use by another weapp-auth',
      ],
    ];
    const results = await Promise.all(cases.map(([env]) => startExpectingFailure(env, dir)));
    results.forEach(({ code, output }, index) => {
      expect(code).toBe(1);
      expect(output).toContain(cases[index][1]);
    });
    expect(results[2].output).toContain('set SQLITE_PATH=');
  }, 90_000);

  test('the embedded database keeps its users across a restart', async () => {
    const alice = await loginAs(first, 'o_try_it_alice');
    const port = new URL(first.url).port;
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    first = await startAppProcess({ PORT: port }, { cwd: dir });
    expect(await loginAs(first, 'o_try_it_alice')).toBe(alice);
    expect(await loginAs(first, 'o_try_it_bob')).not.toBe(alice);
  }, 90_000);
});
