import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionService } from '../src/auth/index.js';
import { DEFAULT_SIMULATOR_APP } from '../src/wechat-simulator/index.js';
import { http, type TestResponse } from './support/http.js';
import { startTestApp, type RunningTestApp } from './support/test-app.js';
import { testDatabaseUrl, testRedisUrl } from './support/test-services.js';
import { newOpenid, startTestStack, TEST_SESSION_KEY_SECRET, type TestStack } from './support/test-stack.js';

// Issue 20, point 1: the operator API under /admin.

const credential = () => `wxop_${randomBytes(32).toString('base64url')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ALICE = credential();
const BOB = credential();
const OPERATOR_CREDENTIALS = `alice:${sha256(ALICE)},bob:${sha256(BOB).toUpperCase()}`;

describe('operator API (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;
  /** A second instance on the same database and Redis. */
  let other: RunningTestApp;

  beforeAll(async () => {
    stack = await startTestStack('operators-api', { OPERATOR_CREDENTIALS });
    other = await startTestApp({
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: stack.redisPrefix,
      WECHAT_APPID: DEFAULT_SIMULATOR_APP.appid,
      WECHAT_SECRET: DEFAULT_SIMULATOR_APP.secret,
      WECHAT_API_BASE_URL: stack.simulator.url,
      SESSION_KEY_SECRET: TEST_SESSION_KEY_SECRET,
      OPERATOR_CREDENTIALS,
    });
  });

  afterAll(async () => {
    await other?.close();
    await stack?.close();
  });

  const admin = (method: string, path: string, body?: unknown, token = ALICE) =>
    http(method, `${stack.url}/admin${path}`, { token, body });
  const me = (token: string, url = stack.url) => http('GET', `${url}/users/me`, { token });

  async function newUser(options: { unionid?: string } = {}) {
    const openid = newOpenid();
    const response = await stack.login({ openid, ...options });
    expect(response.status).toBe(200);
    return { token: response.body.token as string, id: response.body.user.id as number, openid };
  }

  const expectError = (response: TestResponse, status: number, code: string) =>
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });

  test('no credential, a wrong one, or a user session token: 401 OPERATOR_UNAUTHORIZED', async () => {
    const user = await newUser();
    for (const token of [undefined, credential(), user.token, ALICE.slice(0, -1)]) {
      const response = await http('GET', `${stack.url}/admin/users?id=${user.id}`, { token });
      expectError(response, 401, 'OPERATOR_UNAUTHORIZED');
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="operator"');
    }
    // Both configured operators get in; hashes are compared case-insensitively.
    for (const token of [ALICE, BOB])
      expect((await admin('GET', `/users?id=${user.id}`, undefined, token)).status).toBe(200);
  });

  test('find users by id, openid, unionid or phone number, paged', async () => {
    const unionid = `oUnion${randomBytes(10).toString('hex')}`;
    const user = await newUser({ unionid });
    const phone = `139${String(randomInt(0, 1e8)).padStart(8, '0')}`;
    const { code } = await stack.sim.mintPhoneCode({
      appid: stack.appid,
      openid: user.openid,
      phoneNumber: phone,
    });
    expect(
      (await http('POST', `${stack.url}/users/me/phone`, { token: user.token, body: { code } })).status,
    ).toBe(200);

    for (const query of [
      `id=${user.id}`,
      `openid=${user.openid}`,
      `unionid=${unionid}`,
      `phone=${phone}`,
      `phone=%2B86${phone}`,
      `phone=%2B86%20${phone}`,
    ]) {
      const response = await admin('GET', `/users?${query}`);
      expect({ query, status: response.status, found: response.body.items?.length }).toEqual({
        query,
        status: 200,
        found: 1,
      });
      expect(response.body.items[0]).toMatchObject({
        id: user.id,
        appid: stack.appid,
        openid: user.openid,
        unionid,
        bannedAt: null,
      });
      expect(JSON.stringify(response.body)).not.toMatch(/session_?key|token/i);
    }
    expect((await admin('GET', `/users?openid=${newOpenid()}`)).body).toEqual({ items: [], next: null });

    // Paging: two per page, no user twice, none skipped. Other suites create and delete users in the
    // same appid concurrently, so each page is checked against its cursor, and our three users must
    // all turn up, in order.
    const ids = [(await newUser()).id, (await newUser()).id, (await newUser()).id];
    const paged: number[] = [];
    let after: number | null = ids[0] - 1;
    while (after !== null && after < ids[2]) {
      const page = await admin('GET', `/users?appid=${stack.appid}&after=${after}&limit=2`);
      const pageIds = page.body.items.map((item: { id: number }) => item.id) as number[];
      expect(pageIds.length).toBeLessThanOrEqual(2);
      expect(pageIds.every((id, k) => id > (k === 0 ? (after as number) : pageIds[k - 1]))).toBe(true);
      expect(page.body.next).toBe(pageIds.length === 2 ? pageIds[1] : null);
      paged.push(...pageIds);
      after = page.body.next;
    }
    expect(paged.filter((id) => ids.includes(id))).toEqual(ids);

    for (const bad of ['id=abc', 'limit=0', 'limit=101', 'openid=x%27%20OR%201%3D1', 'nonsense=1']) {
      expectError(await admin('GET', `/users?${bad}`), 400, 'VALIDATION_FAILED');
    }
  });

  test('read one user: identities and live sessions, never a token', async () => {
    const user = await newUser();
    await stack.loginToken({ openid: user.openid });
    const response = await admin('GET', `/users/${user.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: user.id,
      identities: [{ kind: 'mini_program', appid: stack.appid, openid: user.openid }],
    });
    expect(response.body.sessions).toHaveLength(2);
    expect(response.body.sessions[0]).toEqual({
      id: expect.any(String),
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      expiresAt: expect.any(String),
      userAgent: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toContain(user.token);
    expectError(await admin('GET', '/users/999999999'), 404, 'USER_NOT_FOUND');
    expectError(await admin('GET', '/users/abc'), 400, 'VALIDATION_FAILED');
  });

  test("revoke one session, then all of a user's sessions", async () => {
    const user = await newUser();
    const second = await stack.loginToken({ openid: user.openid });
    const third = await stack.loginToken({ openid: user.openid });
    const { sessions } = (await admin('GET', `/users/${user.id}`)).body as { sessions: { id: string }[] };
    const mine = (await http('GET', `${stack.url}/auth/sessions`, { token: user.token })).body as {
      id: string;
      current: boolean;
    }[];
    const firstId = mine.find((session) => session.current)!.id;
    expect(sessions.map((session) => session.id)).toContain(firstId);

    expect((await admin('DELETE', `/users/${user.id}/sessions/${firstId}`)).status).toBe(204);
    expectError(await me(user.token), 401, 'SESSION_INVALID');
    expect((await me(second)).status).toBe(200);
    expectError(await admin('DELETE', `/users/${user.id}/sessions/${firstId}`), 404, 'SESSION_NOT_FOUND');

    const all = await admin('DELETE', `/users/${user.id}/sessions`);
    expect(all).toMatchObject({ status: 200, body: { revoked: 2 } });
    for (const token of [second, third]) expectError(await me(token), 401, 'SESSION_INVALID');
  });

  test('a ban ends every session on every instance at once, refuses logins with 403 USER_BANNED; unban lifts it', async () => {
    const user = await newUser();
    const elsewhere = await stack.loginToken({ openid: user.openid });
    expect((await me(elsewhere, other.url)).status).toBe(200);

    const banned = await admin('POST', `/users/${user.id}/ban`, { reason: 'spam 😀' });
    expect(banned).toMatchObject({ status: 200, body: { revoked: 2 } });
    // The other instance refuses the remaining session within a second (at once: sessions are shared).
    const deadline = Date.now() + 1000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) status = (await me(elsewhere, other.url)).status;
    expect(status).toBe(401);
    expectError(await me(user.token), 401, 'SESSION_INVALID');

    const login = await stack.login({ openid: user.openid });
    expectError(login, 403, 'USER_BANNED');
    expect(login.body.token).toBeUndefined();
    const found = await admin('GET', `/users?id=${user.id}`);
    expect(found.body.items[0]).toMatchObject({ bannedAt: expect.any(String), banReason: 'spam 😀' });

    expect((await admin('POST', `/users/${user.id}/unban`)).status).toBe(204);
    expect((await stack.login({ openid: user.openid })).status).toBe(200);
    expect((await admin('GET', `/users?id=${user.id}`)).body.items[0]).toMatchObject({
      bannedAt: null,
      banReason: null,
    });
  });

  test('a session issued by a login already past its ban check when the ban landed ends within a second', async () => {
    const user = await newUser();
    const ban = await admin('POST', `/users/${user.id}/ban`, {});
    expect(ban.status).toBe(200);
    // What such a login does next: issue the session (the window is too narrow to hit over HTTP).
    const late = await stack.app.app
      .get(SessionService)
      .issue(user.id, stack.appid, 'racing login', { id: user.id });
    expect((await me(late.token, other.url)).status).toBe(200);
    await sleep(1500);
    expectError(await me(late.token, other.url), 401, 'SESSION_INVALID');
  });

  test('logins racing a ban: each is refused or its session ends', async () => {
    const user = await newUser();
    const codes = await Promise.all(
      Array.from({ length: 10 }, () => stack.sim.mintLoginCode({ appid: stack.appid, openid: user.openid })),
    );
    const logins = codes.map(({ code }, i) =>
      sleep(i * 3).then(() =>
        http('POST', `${(i % 2 ? other : stack.app).url}/auth/login`, { body: { code } }),
      ),
    );
    const [ban, ...answers] = await Promise.all([admin('POST', `/users/${user.id}/ban`, {}), ...logins]);
    expect(ban.status).toBe(200);
    await sleep(1500);
    for (const answer of answers) expect([200, 403]).toContain(answer.status);
    for (const answer of answers.filter((a) => a.status === 200)) {
      expect((await me(answer.body.token as string)).status).toBe(401);
    }
  });

  test('delete a user as DELETE /users/me does', async () => {
    const user = await newUser();
    expect((await admin('DELETE', `/users/${user.id}`)).status).toBe(204);
    expectError(await me(user.token), 401, 'SESSION_INVALID');
    expect((await admin('GET', `/users?id=${user.id}`)).body.items).toEqual([]);
    expectError(await admin('DELETE', `/users/${user.id}`), 404, 'USER_NOT_FOUND');
  });

  test('the audit trail records every operator call by name, bans and refused attempts, and pages newest first', async () => {
    const user = await newUser();
    expect((await admin('GET', `/users/${user.id}`)).status).toBe(200);
    expect((await admin('POST', `/users/${user.id}/ban`, { reason: 'abuse' }, BOB)).status).toBe(200);
    expect((await admin('POST', `/users/${user.id}/unban`)).status).toBe(204);
    expect(
      (await http('GET', `${stack.url}/admin/users?id=${user.id}`, { token: credential() })).status,
    ).toBe(401);

    type Row = {
      kind: string;
      operator: string | null;
      userId: number | null;
      code: string | null;
      detail: unknown;
    };
    let rows: Row[] = [];
    for (let i = 0; i < 50 && rows.length < 5; i++) {
      await sleep(100);
      rows = (await admin('GET', `/audit?userId=${user.id}&limit=200`)).body.items as Row[];
    }
    const summary = rows.map(({ kind, operator, code }) => `${kind} ${operator} ${code ?? ''}`.trim());
    expect(summary).toEqual(
      expect.arrayContaining([
        'operator.call alice',
        'user.banned bob',
        'operator.call bob',
        'user.unbanned alice',
        'login.succeeded null',
      ]),
    );
    expect(rows[0].kind).not.toBe('login.succeeded'); // newest first
    const aliceCalls = rows.filter((row) => row.kind === 'operator.call' && row.operator === 'alice');
    expect(aliceCalls.map((row) => row.detail)).toEqual([
      { route: 'POST /admin/users/:id/unban' },
      { route: 'GET /admin/users/:id' },
    ]);

    const refused = await admin(
      'GET',
      `/audit?kind=operator.call&before=${new Date().toISOString()}&limit=200`,
    );
    const attempts = (refused.body.items as Row[]).filter((row) => row.code === 'OPERATOR_UNAUTHORIZED');
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts[0]).toMatchObject({ operator: null, detail: { credential: 'wrong' } });

    // Paging: two at a time, no event twice.
    const first = await admin('GET', `/audit?userId=${user.id}&limit=2`);
    const second = await admin('GET', `/audit?userId=${user.id}&limit=2&after=${first.body.next}`);
    const ids = [...first.body.items, ...second.body.items].map((row: { id: number }) => row.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const everything = JSON.stringify((await admin('GET', `/audit?limit=200`)).body);
    for (const secret of [ALICE, BOB, user.token]) expect(everything).not.toContain(secret);
    for (const bad of ['kind=nonsense', 'limit=201', 'before=yesterday']) {
      expectError(await admin('GET', `/audit?${bad}`), 400, 'VALIDATION_FAILED');
    }
  });

  test('the OpenAPI document lists the operator routes under their own security scheme', async () => {
    const document = (await http('GET', `${stack.url}/docs-json`)).body;
    expect(document.components.securitySchemes.operator).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, method] of [
      ['/admin/users', 'get'],
      ['/admin/users/{id}', 'get'],
      ['/admin/users/{id}', 'delete'],
      ['/admin/users/{id}/sessions', 'delete'],
      ['/admin/users/{id}/sessions/{sessionId}', 'delete'],
      ['/admin/users/{id}/ban', 'post'],
      ['/admin/users/{id}/unban', 'post'],
      ['/admin/audit', 'get'],
    ]) {
      expect(document.paths[path]?.[method]?.security).toEqual([{ operator: [] }]);
    }
  });
});

describe('operator API without OPERATOR_CREDENTIALS', () => {
  test('every /admin route answers 404 OPERATOR_API_DISABLED, whatever the credential', async () => {
    const stack = await startTestStack('operators-off');
    try {
      for (const token of [undefined, ALICE]) {
        const response = await http('GET', `${stack.url}/admin/users?id=1`, { token });
        expect({ status: response.status, code: response.body.code }).toEqual({
          status: 404,
          code: 'OPERATOR_API_DISABLED',
        });
      }
    } finally {
      await stack.close();
    }
  });
});
