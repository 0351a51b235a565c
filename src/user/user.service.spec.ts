import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError, type DataSource } from 'typeorm';
import { openTestDataSource } from '../../test/support/test-database.js';
import { User } from './user.entity.js';
import { UsersService } from './user.service.js';

/** The same service forced onto the MySQL statements (no RETURNING), which MariaDB also understands. */
class UsersServiceOnMysqlSql extends UsersService {
  protected override dialect() {
    return Promise.resolve('mysql' as const);
  }
}

// Runs on the machine's real MariaDB, in this run's own database (see test/support/global-setup.js).
describe.each([
  ['MariaDB statements', UsersService],
  ['MySQL statements', UsersServiceOnMysqlSql],
])('UsersService on MariaDB, %s', (_sql, Service) => {
  let dataSource: DataSource;
  let users: UsersService;
  const appid = 'wx' + randomBytes(8).toString('hex');
  const newOpenid = () => 'o' + randomBytes(20).toString('base64url').slice(0, 27);
  const unionPrefix = 'oU' + randomBytes(6).toString('hex');

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    users = new Service(dataSource.getRepository(User));
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  test('the connection speaks utf8mb4', async () => {
    const [row] = await dataSource.query('SELECT @@character_set_connection AS cs, HEX(?) AS hex', ['😀']);
    expect(row).toEqual({ cs: 'utf8mb4', hex: 'F09F9880' });
  });

  test('a 4-byte emoji nickname round-trips byte-exact', async () => {
    const nickname = '😀👨‍👩‍👧𠀀テスト';
    const user = await users.upsertLogin(appid, newOpenid());
    await users.updateProfile(user.id, { nickname });

    const [row] = await dataSource.query('SELECT HEX(nickname) AS hex FROM users WHERE id = ?', [user.id]);
    expect(row.hex).toBe(Buffer.from(nickname, 'utf8').toString('hex').toUpperCase());
    const reloaded = await users.findById(user.id);
    expect(Buffer.from(reloaded!.nickname!, 'utf8')).toEqual(Buffer.from(nickname, 'utf8'));
  });

  test('50 concurrent first logins of one openid make exactly one row and 50 successes', async () => {
    const openid = newOpenid();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => users.upsertLogin(appid, openid, 'oUnion' + openid.slice(6))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<User>).value.id));
    expect(ids.size).toBe(1);
    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM users WHERE appid = ? AND openid = ?', [
      appid,
      openid,
    ]);
    expect(Number(n)).toBe(1);
  });

  test('concurrent logins of many users each get their own row, a repeat within them its first row', async () => {
    const openids = Array.from({ length: 80 }, newOpenid);
    const before = await Promise.all(openids.slice(0, 40).map((openid) => users.upsertLogin(appid, openid)));
    // One event-loop turn: on MariaDB these share statements (at most 64 users each), repeats included.
    const results = await Promise.all([
      ...openids.map((openid, i) => users.upsertLogin(appid, openid, `${unionPrefix}${i}`)),
      users.upsertLogin(appid, openids[0]),
    ]);
    openids.forEach((openid, i) => {
      expect(results[i]).toMatchObject({ appid, openid, unionid: `${unionPrefix}${i}` });
      if (i < 40) expect(results[i].id).toBe(before[i].id);
    });
    expect(results[80].id).toBe(results[0].id);
    expect(new Set(results.map((user) => user.id)).size).toBe(80);
  });

  test('a login the database refuses fails alone, not the logins that shared its turn', async () => {
    const good = [newOpenid(), newOpenid()];
    const results = await Promise.allSettled([
      users.upsertLogin(appid, good[0]),
      users.upsertLogin(appid, 'o'.repeat(65)), // the column holds 64 characters
      users.upsertLogin(appid, good[1]),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(QueryFailedError);
    const [{ n }] = await dataSource.query(
      'SELECT COUNT(*) AS n FROM users WHERE appid = ? AND openid IN (?, ?)',
      [appid, ...good],
    );
    expect(Number(n)).toBe(2);
  });

  test('two openids differing only in case are two users', async () => {
    const openid = 'oCaseTest' + randomBytes(9).toString('hex').toLowerCase();
    const lower = await users.upsertLogin(appid, openid);
    const upper = await users.upsertLogin(appid, openid.toUpperCase());
    expect(upper.id).not.toBe(lower.id);
    expect(upper.openid).toBe(openid.toUpperCase());
    expect((await users.upsertLogin(appid, openid)).id).toBe(lower.id);
  });

  test('the same openid under two appids is two users', async () => {
    const openid = newOpenid();
    const a = await users.upsertLogin(appid, openid);
    const b = await users.upsertLogin('wx' + randomBytes(8).toString('hex'), openid);
    expect(a.id).not.toBe(b.id);
  });

  test('a login records its time (written shortly after) and never clears a known unionid', async () => {
    const openid = newOpenid();
    const unionid = `${unionPrefix}kept`;
    const first = await users.upsertLogin(appid, openid, unionid);
    await sleep(20);
    const second = await users.upsertLogin(appid, openid);
    expect(second.id).toBe(first.id);
    expect(second.unionid).toBe(unionid);
    await users.beforeApplicationShutdown(); // writes the pending last-seen times now
    const [row] = await dataSource.query(
      'SELECT u.last_login_at AS login, i.last_seen_at AS seen, i.first_seen_at AS first FROM users u JOIN users_identities i ON i.user_id = u.id WHERE u.id = ?',
      [first.id],
    );
    expect(row.login.getTime()).toBeGreaterThan(first.lastLoginAt!.getTime());
    expect(row.seen.getTime()).toBe(row.login.getTime());
    expect(row.first.getTime()).toBe(first.lastLoginAt!.getTime());
  });

  test('a repeat login returns the whole stored row, profile included', async () => {
    const openid = newOpenid();
    const first = await users.upsertLogin(appid, openid);
    await users.updateProfile(first.id, {
      nickname: '小明',
      gender: 2,
      phoneNumber: '+85212345678',
      countryCode: '852',
    });
    const again = await users.upsertLogin(appid, openid);
    expect(again).toMatchObject({
      id: first.id,
      nickname: '小明',
      gender: 2,
      phoneNumber: '+85212345678',
      countryCode: '852',
    });
    expect(again.createdAt).toBeInstanceOf(Date);
  });

  test('the column refuses a nickname longer than 32 code points (validation must stop it first)', async () => {
    const user = await users.upsertLogin(appid, newOpenid());
    await expect(users.updateProfile(user.id, { nickname: '字'.repeat(33) })).rejects.toThrow(/too long/i);
    await users.updateProfile(user.id, { nickname: '😀'.repeat(32) });
    expect((await users.findById(user.id))!.nickname).toBe('😀'.repeat(32));
  });

  test('deleteById removes the row once (idempotent), and the openid can sign up again as a new user', async () => {
    const openid = newOpenid();
    const user = await users.upsertLogin(appid, openid);
    await users.updateProfile(user.id, { nickname: '删除', phoneNumber: '13800138000' });
    expect(await users.deleteById(user.id)).toBe(true);
    expect(await users.deleteById(user.id)).toBe(false);
    expect(await users.findById(user.id)).toBeNull();
    const again = await users.upsertLogin(appid, openid);
    expect(again.id).not.toBe(user.id);
    expect(again).toMatchObject({ nickname: null, phoneNumber: null });
  });

  test('countOthersWithAvatarFile counts the other rows using a stored file, by exact name', async () => {
    const file = `${randomBytes(32).toString('hex')}.jpg`;
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => users.upsertLogin(appid, newOpenid())));
    await users.updateProfile(a.id, {
      avatarUrl: `https://api.example.com/avatars/${file}`,
      avatarFile: file,
    });
    await users.updateProfile(b.id, {
      avatarUrl: `https://cdn.example.com/avatars/${file}`,
      avatarFile: file,
    });
    await users.updateProfile(c.id, { avatarUrl: 'https://cdn.example.com/a.png', avatarFile: null });
    expect(await users.countOthersWithAvatarFile(file, a.id)).toBe(1);
    expect(await users.countOthersWithAvatarFile(file, c.id)).toBe(2);
    expect(await users.countOthersWithAvatarFile(file.toUpperCase(), c.id)).toBe(0);
    expect(await users.countOthersWithAvatarFile(file.slice(1), c.id)).toBe(0);
  });
});
