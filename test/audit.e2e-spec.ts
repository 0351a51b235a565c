import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../src/audit/audit-event.js';
import { formatSqlTime } from '../src/common/sql-time.js';
import { AuditQuery } from '../src/audit/audit.query.js';
import { AuditRetention } from '../src/audit/audit.retention.js';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';
import { testDatabaseUrl } from './support/test-services.js';

const DAY_MS = 86_400_000;
const mobile = () => `139${String(randomInt(0, 1e8)).padStart(8, '0')}`;
/** A random private address per request: the client as the proxy (TRUST_PROXY=1) reports it. */
const clientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const requestId = () => `audit-${randomBytes(6).toString('hex')}`;

interface AuditRow {
  id: number;
  occurred_at: Date;
  kind: string;
  user_id: number | null;
  appid: string | null;
  openid: string | null;
  code: string | null;
  operator: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  detail: string | null;
}

/** Polls until `query` returns at least `count` rows (the trail writes in batches, a few hundred ms later). */
async function rowsOf(db: DataSource, where: string, params: unknown[], count = 1): Promise<AuditRow[]> {
  let rows: AuditRow[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    rows = await db.query(`SELECT * FROM audit_events WHERE ${where} ORDER BY id`, params);
    if (rows.length >= count) return rows;
    await sleep(100);
  }
  throw new Error(
    `expected ${count} audit rows where ${where} ${JSON.stringify(params)}, found ${rows.length}`,
  );
}

describe('audit trail (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;
  let firstId = 0;
  /** Every secret these tests handed to the app: none may appear in an audit row. */
  const canaries: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack('audit', { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
    const [{ maxId }] = await stack.db.query('SELECT COALESCE(MAX(id), 0) AS maxId FROM audit_events');
    firstId = Number(maxId);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** A request as a mini program behind a proxy sends it: its own address, user agent and request id. */
  function send(method: string, path: string, options: { token?: string; body?: unknown; ip?: string } = {}) {
    const id = requestId();
    const ip = options.ip ?? clientIp();
    const response = http(method, `${stack.url}${path}`, {
      token: options.token,
      body: options.body,
      headers: { 'x-forwarded-for': ip, 'x-request-id': id, 'user-agent': `audit-test/1.0 (${id})` },
    });
    return { response, requestId: id, ip };
  }

  async function login(openid = newOpenid()) {
    const { code } = await stack.sim.mintLoginCode({ appid: stack.appid, openid });
    canaries.push(code);
    const sent = send('POST', '/auth/login', { body: { code } });
    const response = await sent.response;
    expect(response.status).toBe(200);
    const token = response.body.token as string;
    canaries.push(token, (await stack.sim.getSessionKey(stack.appid, openid))!.sessionKey);
    return { ...sent, openid, token, userId: response.body.user.id as number };
  }

  test('login.succeeded: user, identity, client address, user agent, request id and the public session id', async () => {
    const user = await login();
    const [row] = await rowsOf(stack.db, 'request_id = ?', [user.requestId]);
    const sessions = await http('GET', `${stack.url}/auth/sessions`, { token: user.token });
    expect(row).toMatchObject({
      kind: 'login.succeeded',
      user_id: user.userId,
      appid: stack.appid,
      openid: user.openid,
      code: null,
      operator: null,
      ip: user.ip,
      user_agent: `audit-test/1.0 (${user.requestId})`,
    });
    expect(JSON.parse(row.detail!)).toEqual({ sessionId: sessions.body[0].id });
    expect(Math.abs(new Date(row.occurred_at).getTime() - Date.now())).toBeLessThan(60_000);
  });

  test.each([
    ['an unknown code', 401, 'LOGIN_CODE_INVALID', null],
    ['WeChat busy (-1)', 503, 'WECHAT_UNAVAILABLE', -1],
    ['a high-risk user (40226)', 403, 'WECHAT_RISK_BLOCKED', 40226],
  ] as const)('login.failed with its code: %s', async (_what, status, code, errcode) => {
    const loginCode =
      errcode === null
        ? 'NoSuchCode' + randomBytes(11).toString('hex')
        : (await stack.sim.mintLoginCode({ appid: stack.appid })).code;
    canaries.push(loginCode);
    if (errcode !== null) await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode });
    const sent = send('POST', '/auth/login', { body: { code: loginCode } });
    expect((await sent.response).status).toBe(status);
    const [row] = await rowsOf(stack.db, 'request_id = ?', [sent.requestId]);
    expect(row).toMatchObject({ kind: 'login.failed', code, user_id: null, ip: sent.ip });
    expect(JSON.parse(row.detail!)).toEqual({ status });
  });

  test('login.failed: a malformed body and the rate limiter’s 429 are recorded too', async () => {
    const malformed = send('POST', '/auth/login', { body: { code: 42 } });
    expect((await malformed.response).status).toBe(400);
    const ip = clientIp();
    const attempts = [];
    for (let i = 0; i < 4; i++) attempts.push(send('POST', '/auth/login', { body: { code: `x${i}` }, ip }));
    const statuses = [];
    for (const attempt of attempts) statuses.push((await attempt.response).status);
    expect(statuses).toContain(429);
    const limited = attempts[statuses.indexOf(429)];

    expect((await rowsOf(stack.db, 'request_id = ?', [malformed.requestId]))[0]).toMatchObject({
      kind: 'login.failed',
      code: 'VALIDATION_FAILED',
    });
    expect((await rowsOf(stack.db, 'request_id = ?', [limited.requestId]))[0]).toMatchObject({
      kind: 'login.failed',
      code: 'RATE_LIMITED',
      ip,
    });
  });

  test('logout, session.revoked and sessions.revoked_all', async () => {
    const user = await login();
    const second = await login(user.openid);
    const third = await login(user.openid);
    const sessions = await http('GET', `${stack.url}/auth/sessions`, { token: second.token });
    const secondId = sessions.body.find((s: { current: boolean }) => s.current).id as string;

    const revoke = send('DELETE', `/auth/sessions/${secondId}`, { token: user.token });
    expect((await revoke.response).status).toBe(204);
    const logout = send('POST', '/auth/logout', { token: third.token });
    expect((await logout.response).status).toBe(204);
    const revokeAll = send('DELETE', '/auth/sessions', { token: user.token });
    expect((await revokeAll.response).status).toBe(204);

    const [revoked] = await rowsOf(stack.db, 'request_id = ?', [revoke.requestId]);
    expect(revoked).toMatchObject({ kind: 'session.revoked', user_id: user.userId, appid: stack.appid });
    expect(JSON.parse(revoked.detail!)).toEqual({ sessionId: secondId });
    const [loggedOut] = await rowsOf(stack.db, 'request_id = ?', [logout.requestId]);
    expect(loggedOut).toMatchObject({ kind: 'logout', user_id: user.userId, ip: logout.ip });
    expect(JSON.parse(loggedOut.detail!).sessionId).toMatch(/\S/);
    const [all] = await rowsOf(stack.db, 'request_id = ?', [revokeAll.requestId]);
    expect(all).toMatchObject({ kind: 'sessions.revoked_all', user_id: user.userId });

    // AuditQuery (the operator API's reader): a user's events newest first, paged by id.
    const audit = stack.app.app.get(AuditQuery);
    const page = await audit.find({ userId: user.userId, limit: 2 });
    expect(page.map((row) => row.kind)).toEqual(['sessions.revoked_all', 'logout']);
    expect(page[1]).toMatchObject({ ip: logout.ip, requestId: logout.requestId, appid: stack.appid });
    const rest = await audit.find({ userId: user.userId, limit: 200, beforeId: page[1].id });
    expect(rest.map((row) => row.kind)).toEqual([
      'session.revoked',
      'login.succeeded',
      'login.succeeded',
      'login.succeeded',
    ]);
  });

  test('phone.bound, profile.changed (field names only) and account.deleted', async () => {
    const user = await login();
    const phone = mobile();
    canaries.push(phone);
    const { code } = await stack.sim.mintPhoneCode({
      appid: stack.appid,
      openid: user.openid,
      phoneNumber: phone,
    });
    canaries.push(code);
    const bind = send('POST', '/users/me/phone', { token: user.token, body: { code } });
    expect((await bind.response).status).toBe(200);
    const nickname = `审计${randomBytes(3).toString('hex')}😀`;
    canaries.push(nickname);
    const patch = send('PATCH', '/users/me', { token: user.token, body: { nickname, gender: 2 } });
    expect((await patch.response).status).toBe(200);
    const remove = send('DELETE', '/users/me', { token: user.token });
    expect((await remove.response).status).toBe(204);

    expect((await rowsOf(stack.db, 'request_id = ?', [bind.requestId]))[0]).toMatchObject({
      kind: 'phone.bound',
      user_id: user.userId,
      openid: user.openid,
      detail: null,
    });
    const [changed] = await rowsOf(stack.db, 'request_id = ?', [patch.requestId]);
    expect(changed).toMatchObject({ kind: 'profile.changed', user_id: user.userId });
    expect(JSON.parse(changed.detail!)).toEqual({ fields: 'nickname,gender' });
    const [deleted] = await rowsOf(stack.db, 'request_id = ?', [remove.requestId]);
    expect(deleted).toMatchObject({ kind: 'account.deleted', user_id: user.userId, openid: user.openid });
    expect(JSON.parse(deleted.detail!)).toEqual({ sessionsRevoked: 1 });
  });

  test('twenty concurrent logins all appear within a few seconds', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => login()));
    const rows = await rowsOf(
      stack.db,
      `request_id IN (${users.map(() => '?').join(',')})`,
      users.map((user) => user.requestId),
      20,
    );
    expect(new Set(rows.map((row) => row.user_id))).toEqual(new Set(users.map((user) => user.userId)));
    expect(stack.app.app.get(AuditRecorder).stats()).toMatchObject({ dropped: 0, failedWrites: 0 });
  });

  test('retention deletes rows older than AUDIT_RETENTION_DAYS (180) and keeps the rest', async () => {
    const marker = requestId();
    const insert = (ageDays: number) =>
      stack.db.query('INSERT INTO audit_events (occurred_at, kind, request_id) VALUES (?, ?, ?)', [
        formatSqlTime(Date.now() - ageDays * DAY_MS),
        'logout',
        marker,
      ]);
    for (const age of [400, 181, 181, 179, 1]) await insert(age);

    const deleted = await stack.app.app.get(AuditRetention).runOnce();
    expect(deleted).toBeGreaterThanOrEqual(3);
    const left: { occurred_at: Date }[] = await stack.db.query(
      'SELECT occurred_at FROM audit_events WHERE request_id = ? ORDER BY occurred_at',
      [marker],
    );
    expect(left).toHaveLength(2);
    expect(Date.now() - new Date(left[0].occurred_at).getTime()).toBeLessThan(180 * DAY_MS);
  });

  test('no row holds a token, session_key, login or phone code, phone number or nickname', async () => {
    const rows = await stack.db.query('SELECT * FROM audit_events WHERE id > ?', [firstId]);
    expect(rows.length).toBeGreaterThan(10);
    expect(canaries.length).toBeGreaterThan(20);
    const dump = JSON.stringify(rows);
    for (const canary of canaries) expect(dump).not.toContain(canary);
  });
});

describe('audit outage during login (own database, table renamed away)', () => {
  const url = new URL(testDatabaseUrl());
  url.pathname = `${url.pathname}_audit_outage`;
  const database = url.pathname.slice(1);
  let admin: mysql.Connection;
  let db: DataSource;
  let stack: TestStack;

  beforeAll(async () => {
    admin = await mysql.createConnection(testDatabaseUrl());
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    stack = await startTestStack('audit-outage', { DATABASE_URL: url.toString() });
    db = new DataSource(buildDataSourceOptions({ kind: 'mysql', url: url.toString(), migrationsRun: false }));
    await db.initialize();
  });

  afterAll(async () => {
    await stack?.close();
    await db?.destroy();
    await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin?.end();
  });

  test('the login succeeds, the failed writes are counted, and the events are written once the table is back', async () => {
    const recorder = stack.app.app.get(AuditRecorder);
    await db.query('RENAME TABLE audit_events TO audit_events_away');
    try {
      const openid = newOpenid();
      const response = await stack.login({ openid, userAgent: 'outage-test' });
      expect(response.status).toBe(200);
      for (let i = 0; i < 100 && recorder.stats().failedWrites === 0; i++) await sleep(100);
      expect(recorder.stats().failedWrites).toBeGreaterThanOrEqual(1);
      expect(recorder.stats().backlog).toBeGreaterThanOrEqual(1);
      // Still serving while the audit table is gone.
      expect((await http('GET', `${stack.url}/users/me`, { token: response.body.token })).status).toBe(200);
    } finally {
      await db.query('RENAME TABLE audit_events_away TO audit_events');
    }
    const rows = await rowsOf(db, 'kind = ? AND user_agent = ?', ['login.succeeded', 'outage-test']);
    expect(rows).toHaveLength(1);
    for (let i = 0; i < 100 && recorder.stats().backlog > 0; i++) await sleep(100);
    expect(recorder.stats()).toMatchObject({ backlog: 0, dropped: 0 });
  });
});

describe('audit trail at shutdown', () => {
  test('events still queued when the app closes are written before the database closes', async () => {
    const stack = await startTestStack('audit-shutdown');
    const userAgent = `shutdown-${randomBytes(6).toString('hex')}`;
    try {
      expect((await stack.login({ userAgent })).status).toBe(200);
      // Straight after the answer: the event is most likely still queued (written every 250 ms).
      await stack.app.close();
      const rows = await stack.db.query('SELECT kind FROM audit_events WHERE user_agent = ?', [userAgent]);
      expect(rows).toEqual([{ kind: 'login.succeeded' }]);
    } finally {
      await stack.simulator.close();
      stack.redis.disconnect();
      await stack.db.destroy();
    }
  });

  test('AUDIT_ENABLED=false records nothing', async () => {
    const stack = await startTestStack('audit-off', { AUDIT_ENABLED: 'false' });
    const userAgent = `off-${randomBytes(6).toString('hex')}`;
    try {
      expect((await stack.login({ userAgent })).status).toBe(200);
      expect((await http('POST', `${stack.url}/auth/login`, { body: { code: 'x' } })).status).toBe(401);
      expect(stack.app.app.get(AuditRecorder).stats()).toEqual({ backlog: 0, dropped: 0, failedWrites: 0 });
      stack.app.app.get(AuditRecorder).record({ kind: 'logout', userId: 1 });
      await sleep(500);
      const rows = await stack.db.query('SELECT id FROM audit_events WHERE user_agent = ?', [userAgent]);
      expect(rows).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});
