import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { hashSessionToken } from '../src/auth/session/session-token.js';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { http } from './support/http.js';
import { avatarFileOf, testImage } from './support/images.js';
import { startDisposableMariaDb, type DisposableMariaDb } from './support/mariadb-server.js';
import { startDisposableRedis, type DisposableRedis } from './support/redis-server.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

const mobile = () => `139${String(randomInt(0, 1e8)).padStart(8, '0')}`;

/** The Redis keys of one user (session index, sealed session_key) under a stack's prefix. */
const userKeys = (redis: Redis, prefix: string, appid: string, userId: number) =>
  redis.keys(`${prefix}user:{${appid}:${userId}}:*`);
const sessionKeyOf = (prefix: string, appid: string, userId: number) =>
  `${prefix}user:{${appid}:${userId}}:session-key`;
const sessionRecordKey = (prefix: string, token: string) => `${prefix}session:{${hashSessionToken(token)}}`;

describe('DELETE /users/me and GET /users/me/export (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;
  const avatarDir = mkdtempSync(join(tmpdir(), 'weapp-avatars-'));

  beforeAll(async () => {
    stack = await startTestStack('account', { AVATAR_DIR: avatarDir });
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(avatarDir, { recursive: true, force: true });
  });

  async function newUser(options: { openid?: string; unionid?: string; userAgent?: string } = {}) {
    const openid = options.openid ?? newOpenid();
    const response = await stack.login({ ...options, openid });
    expect(response.status).toBe(200);
    return { token: response.body.token as string, id: response.body.user.id as number, openid };
  }

  const remove = (token: string) => http('DELETE', `${stack.url}/users/me`, { token });
  const exportData = (token: string) => http('GET', `${stack.url}/users/me/export`, { token });
  const me = (token: string) => http('GET', `${stack.url}/users/me`, { token });
  const rowCount = async (id: number) =>
    Number((await stack.db.query('SELECT COUNT(*) AS n FROM users WHERE id = ?', [id]))[0].n);

  async function uploadAvatar(token: string, bytes: Buffer): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'avatar.png');
    const response = await fetch(`${stack.url}/users/me/avatar`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { avatarUrl: string }).avatarUrl;
  }

  async function bindPhone(user: { token: string; openid: string }, phoneNumber: string) {
    const { code } = await stack.sim.mintPhoneCode({ appid: stack.appid, openid: user.openid, phoneNumber });
    const response = await http('POST', `${stack.url}/users/me/phone`, {
      token: user.token,
      body: { code },
    });
    expect(response.status).toBe(200);
  }

  describe('DELETE /users/me', () => {
    test('204: the row with its phone number, every session, the session_key and the unshared avatar are gone', async () => {
      const user = await newUser({ userAgent: 'phone A' });
      const otherDevice = await stack.loginToken({ openid: user.openid });
      const bystander = await newUser();
      const phone = mobile();
      await bindPhone(user, phone);
      const avatarUrl = await uploadAvatar(user.token, await testImage());
      const file = avatarFileOf(avatarUrl);
      expect(file).toMatch(/^[0-9a-f]{64}\.jpg$/);
      expect(existsSync(join(avatarDir, file))).toBe(true);
      expect(await stack.redis.exists(sessionKeyOf(stack.redisPrefix, stack.appid, user.id))).toBe(1);

      const response = await remove(user.token);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      expect(await rowCount(user.id)).toBe(0);
      const [{ n }] = await stack.db.query('SELECT COUNT(*) AS n FROM users WHERE pure_phone_number = ?', [
        phone,
      ]);
      expect(Number(n)).toBe(0);
      expect(existsSync(join(avatarDir, file))).toBe(false);
      for (const token of [user.token, otherDevice]) {
        const after = await me(token);
        expect({ status: after.status, code: after.body.code }).toEqual({
          status: 401,
          code: 'SESSION_INVALID',
        });
        expect(await stack.redis.exists(sessionRecordKey(stack.redisPrefix, token))).toBe(0);
      }
      expect(await userKeys(stack.redis, stack.redisPrefix, stack.appid, user.id)).toEqual([]);

      // Nobody else was touched.
      expect((await me(bystander.token)).status).toBe(200);
      expect(await rowCount(bystander.id)).toBe(1);
    });

    test('an avatar file another user shares stays, whatever host their URL names, until its last user goes', async () => {
      const bytes = await testImage();
      const first = await newUser();
      const second = await newUser();
      const url = await uploadAvatar(first.token, bytes);
      const file = avatarFileOf(url);
      expect(await uploadAvatar(second.token, bytes)).toBe(url);
      // The second user's URL points at the same file through another host (a CDN in front, say).
      const viaCdn = `https://cdn.example.com/avatars/${file}`;
      const patched = await http('PATCH', `${stack.url}/users/me`, {
        token: second.token,
        body: { avatarUrl: viaCdn },
      });
      expect(patched.status).toBe(200);

      expect((await remove(first.token)).status).toBe(204);
      expect(existsSync(join(avatarDir, file))).toBe(true);
      expect((await fetch(url)).status).toBe(200);

      expect((await remove(second.token)).status).toBe(204);
      expect(existsSync(join(avatarDir, file))).toBe(false);
    });

    test('an avatar hosted elsewhere is left alone, and an already missing file is no obstacle', async () => {
      const user = await newUser();
      const file = avatarFileOf(await uploadAvatar(user.token, await testImage()));
      rmSync(join(avatarDir, file));
      expect((await remove(user.token)).status).toBe(204);

      const wechatAvatar = await newUser();
      await http('PATCH', `${stack.url}/users/me`, {
        token: wechatAvatar.token,
        body: { avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132' },
      });
      expect((await remove(wechatAvatar.token)).status).toBe(204);
      expect(await rowCount(wechatAvatar.id)).toBe(0);
    });

    test('repeating it is harmless: the token is revoked by then, so the repeat answers 401', async () => {
      const user = await newUser();
      expect((await remove(user.token)).status).toBe(204);
      const again = await remove(user.token);
      expect({ status: again.status, code: again.body.code }).toEqual({
        status: 401,
        code: 'SESSION_INVALID',
      });
    });

    test('a later login with the same openid creates a new, empty user', async () => {
      const unionid = 'oUnion' + randomBytes(8).toString('hex');
      const user = await newUser({ unionid });
      await bindPhone(user, mobile());
      await http('PATCH', `${stack.url}/users/me`, {
        token: user.token,
        body: { nickname: '要删除的😀', gender: 1 },
      });
      expect((await remove(user.token)).status).toBe(204);

      const again = await stack.login({ openid: user.openid });
      expect(again.status).toBe(200);
      expect(again.body.user.id).not.toBe(user.id);
      expect(again.body.user).toMatchObject({
        nickname: null,
        avatarUrl: null,
        gender: 0,
        phoneNumber: null,
        countryCode: null,
      });
      const [row] = await stack.db.query(
        'SELECT openid, unionid, nickname, phone_number AS phone FROM users WHERE id = ?',
        [again.body.user.id],
      );
      // The unionid is WeChat's answer to the new login, not a leftover of the deleted row.
      expect(row).toEqual({ openid: user.openid, unionid, nickname: null, phone: null });
    });

    test('refuses a query string, and deletes nothing then', async () => {
      const user = await newUser();
      const response = await http('DELETE', `${stack.url}/users/me?openid=${user.openid}`, {
        token: user.token,
      });
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 400,
        code: 'QUERY_NOT_ALLOWED',
      });
      expect(await rowCount(user.id)).toBe(1);
      expect((await me(user.token)).status).toBe(200);
    });
  });

  describe('GET /users/me/export', () => {
    test('everything stored, from the database, no-store, never a session_key, token or token hash', async () => {
      const unionid = 'oUnion' + randomBytes(8).toString('hex');
      const user = await newUser({ unionid, userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50' });
      const otherDevice = await stack.login({
        openid: user.openid,
        userAgent: 'Mozilla/5.0 (Android) tablet',
      });
      const phone = mobile();
      await bindPhone(user, phone);
      // Changed behind the session cache: the export reads the database.
      await stack.db.query('UPDATE users SET nickname = ? WHERE id = ?', ['改在SQL😀', user.id]);

      const response = await exportData(user.token);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({
        exportedAt: expect.any(String),
        profile: expect.objectContaining({
          id: user.id,
          nickname: '改在SQL😀',
          avatarUrl: null,
          gender: 0,
          phoneNumber: phone,
          countryCode: '86',
        }),
        phone: { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' },
        wechat: { appid: stack.appid, openid: user.openid, unionid },
        identities: [
          {
            kind: 'mini_program',
            appid: stack.appid,
            openid: user.openid,
            firstSeenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            lastSeenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          },
        ],
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        lastLoginAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        sessions: expect.any(Array),
      });
      // Whatever the profile holds: the same fields as GET /users/me.
      expect(Object.keys(response.body.profile).sort()).toEqual(
        Object.keys((await me(user.token)).body).sort(),
      );
      expect(
        response.body.sessions
          .map((s: { current: boolean; userAgent: string }) => [s.current, s.userAgent])
          .sort(),
      ).toEqual([
        [false, 'Mozilla/5.0 (Android) tablet'],
        [true, 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50'],
      ]);
      expect(Date.parse(response.body.lastLoginAt)).toBeGreaterThanOrEqual(
        Date.parse(response.body.createdAt),
      );
      for (const session of response.body.sessions) {
        expect(Object.keys(session).sort()).toEqual(
          ['createdAt', 'current', 'expiresAt', 'id', 'lastSeenAt', 'userAgent'].sort(),
        );
      }

      const sealed = await stack.redis.get(sessionKeyOf(stack.redisPrefix, stack.appid, user.id));
      const raw = await stack.sim.getSessionKey(stack.appid, user.openid);
      expect(sealed).toBeTruthy();
      expect(raw?.sessionKey).toBeTruthy();
      const otherToken = otherDevice.body.token as string;
      for (const secret of [
        sealed!,
        raw!.sessionKey,
        user.token,
        otherToken,
        hashSessionToken(user.token),
        hashSessionToken(otherToken),
      ]) {
        expect(response.text).not.toContain(secret);
      }
      expect(response.text).not.toMatch(/session_?key|token/i);
    });

    test('refuses a query string; 404 when the row is gone behind a live session', async () => {
      const user = await newUser();
      const query = await http('GET', `${stack.url}/users/me/export?userId=1`, { token: user.token });
      expect({ status: query.status, code: query.body.code }).toEqual({
        status: 400,
        code: 'QUERY_NOT_ALLOWED',
      });

      await stack.db.query('DELETE FROM users WHERE id = ?', [user.id]);
      const gone = await exportData(user.token);
      expect({ status: gone.status, code: gone.body.code }).toEqual({ status: 404, code: 'USER_NOT_FOUND' });
      // DELETE /users/me still finishes the job: the sessions and the session_key go.
      expect((await remove(user.token)).status).toBe(204);
      expect(await userKeys(stack.redis, stack.redisPrefix, stack.appid, user.id)).toEqual([]);
    });
  });
});

/**
 * Deletion cannot be half-done: a private MariaDB and a private Redis, stopped or hung midway. Each
 * failure answers 503, leaves the caller's token working, and a retry with it finishes the deletion.
 */
describe('DELETE /users/me during outages (a private MariaDB and redis-server)', () => {
  let mariadb: DisposableMariaDb;
  let redisServer: DisposableRedis;
  let stack: TestStack;
  let db: DataSource;
  let redis: Redis;

  beforeAll(async () => {
    [mariadb, redisServer] = await Promise.all([startDisposableMariaDb(), startDisposableRedis()]);
    stack = await startTestStack('account-outage', { DATABASE_URL: mariadb.url, REDIS_URL: redisServer.url });
    db = new DataSource(buildDataSourceOptions({ kind: 'mysql', url: mariadb.url, migrationsRun: false }));
    await db.initialize();
    redis = new Redis(redisServer.url);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await db?.destroy();
    await stack?.close();
    await mariadb?.dispose();
    await redisServer?.dispose();
  });

  const remove = (token: string) => http('DELETE', `${stack.url}/users/me`, { token });
  const sessions = (token: string) => http('GET', `${stack.url}/auth/sessions`, { token });
  /** Retried: right after a restart the pool may first hand out a connection the old server dropped. */
  const rowCount = async (id: number): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return Number((await db.query('SELECT COUNT(*) AS n FROM users WHERE id = ?', [id]))[0].n);
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(200);
      }
    }
  };

  async function newUserOnTwoDevices() {
    const openid = newOpenid();
    const login = await stack.login({ openid });
    expect(login.status).toBe(200);
    return {
      id: login.body.user.id as number,
      token: login.body.token as string,
      otherDevice: await stack.loginToken({ openid }),
    };
  }

  async function expectAllGone(user: { id: number; token: string; otherDevice: string }) {
    expect(await rowCount(user.id)).toBe(0);
    for (const token of [user.token, user.otherDevice]) {
      expect((await sessions(token)).status).toBe(401);
      expect(await redis.exists(sessionRecordKey(stack.redisPrefix, token))).toBe(0);
    }
    expect(await userKeys(redis, stack.redisPrefix, stack.appid, user.id)).toEqual([]);
  }

  test('MySQL down: 503 DATABASE_UNAVAILABLE and nothing revoked; the retry with the same token finishes it', async () => {
    const user = await newUserOnTwoDevices();
    await mariadb.stop();
    try {
      const response = await remove(user.token);
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
      });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      // The guard reads Redis only: both devices still work, and the session_key is still there.
      expect((await sessions(user.token)).status).toBe(200);
      expect((await sessions(user.otherDevice)).status).toBe(200);
      expect(await redis.exists(sessionKeyOf(stack.redisPrefix, stack.appid, user.id))).toBe(1);
    } finally {
      await mariadb.start();
    }
    expect(await rowCount(user.id)).toBe(1);

    let status = 0;
    for (let i = 0; i < 50 && status !== 204; i++) {
      status = (await remove(user.token)).status;
      if (status !== 204) {
        expect(status).toBe(503);
        await sleep(200);
      }
    }
    expect(status).toBe(204);
    await expectAllGone(user);
  }, 60_000);

  test('Redis hung after the row went: 503 SESSION_STORE_UNAVAILABLE, the token still works, the retry finishes it', async () => {
    const user = await newUserOnTwoDevices();
    // Hold the row's lock, so the app's DELETE waits in MariaDB; hang Redis meanwhile, then let it go.
    const lock = db.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    let pending: ReturnType<typeof remove> | undefined;
    try {
      await lock.query('SELECT id FROM users WHERE id = ? FOR UPDATE', [user.id]);
      pending = remove(user.token);
      await waitFor(async () => {
        const [{ n }] = await db.query(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DELETE FROM%users%'",
        );
        return Number(n) > 0;
      });
      redisServer.pause();
      await lock.commitTransaction();
    } finally {
      await lock.release();
    }
    let response: Awaited<ReturnType<typeof remove>>;
    try {
      response = await pending!;
    } finally {
      redisServer.resume();
    }
    expect({ status: response.status, code: response.body.code }).toEqual({
      status: 503,
      code: 'SESSION_STORE_UNAVAILABLE',
    });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await rowCount(user.id)).toBe(0);

    // The row is gone, but the sessions are not: the caller's token still gets through to retry.
    let status = 0;
    for (let i = 0; i < 50 && status !== 204; i++) {
      status = (await remove(user.token)).status;
      if (status !== 204) {
        expect(status).toBe(503);
        await sleep(100);
      }
    }
    expect(status).toBe(204);
    await expectAllGone(user);
  }, 60_000);
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition()) return;
    await sleep(50);
  }
  throw new Error('condition not met within 5 s');
}
