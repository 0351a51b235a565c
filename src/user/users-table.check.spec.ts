import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testDatabaseUrl } from '../../test/support/test-services.js';
import { userMigrations } from './migrations/index.js';
import { userEntity } from './user.entity.js';
import { UsersService } from './user.service.js';
import { UsersTableError } from './users-table.check.js';

// The start-up checks and the table-name option, on this run's real MariaDB database.
describe('the users table, under a name of the host app’s choosing', () => {
  const table = `wx_users_${randomBytes(3).toString('hex')}`;
  let dataSource: DataSource;

  const service = () => new UsersService(dataSource.getRepository(userEntity(table)));

  beforeAll(async () => {
    dataSource = new DataSource({
      type: 'mysql',
      url: testDatabaseUrl(),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      entities: [userEntity(table)],
      migrations: userMigrations(table),
      migrationsTableName: `migrations_${table}`,
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.query(
      `DROP TABLE IF EXISTS \`${table}_identities\`, \`${table}\`, \`migrations_${table}\``,
    );
    await dataSource.destroy();
  });

  test('a missing table stops start-up with a message naming the table and the migrations', async () => {
    const error = await service()
      .onApplicationBootstrap()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsersTableError);
    expect(String(error)).toContain(`\`${table}\` does not exist`);
    expect(String(error)).toContain(`userMigrations('${table}')`);
  });

  test('a table with a case-insensitive openid (as synchronize would make it) is refused', async () => {
    await dataSource.query(
      `CREATE TABLE \`${table}\` (id int unsigned AUTO_INCREMENT PRIMARY KEY, appid varchar(32) NOT NULL,
        openid varchar(64) NOT NULL, unionid varchar(64) NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    try {
      const error = await service()
        .onApplicationBootstrap()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UsersTableError);
      expect(String(error)).toMatch(/`openid` uses utf8mb4_unicode_ci, not a binary/);
    } finally {
      await dataSource.query(`DROP TABLE \`${table}\``);
    }
  });

  test('the migrations make a table that passes, with case-sensitive openids, and synchronize leaves it alone', async () => {
    await dataSource.runMigrations();
    await expect(service().onApplicationBootstrap()).resolves.toBeUndefined();
    const users = service();
    const lower = await users.findOrCreate({ appid: 'wx0123456789abcdef', openid: 'oabcdefgh' });
    const upper = await users.findOrCreate({ appid: 'wx0123456789abcdef', openid: 'oABCDEFGH' });
    expect(upper.id).not.toBe(lower.id);
    expect(upper.snapshot).toMatchObject({ id: upper.id, nickname: null });

    // The entity opts out of synchronize: a host app synchronising its own entities changes nothing here.
    const before = await dataSource.query(`SHOW CREATE TABLE \`${table}\``);
    await dataSource.synchronize();
    expect(await dataSource.query(`SHOW CREATE TABLE \`${table}\``)).toEqual(before);
  });

  test('a table whose later migrations are pending stops start-up, naming the missing columns', async () => {
    await dataSource.runMigrations();
    await dataSource.undoLastMigration(); // CreateIdentities
    await dataSource.undoLastMigration(); // AddUserBan
    try {
      const error = await service()
        .onApplicationBootstrap()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UsersTableError);
      expect(String(error)).toContain('lacks `banned_at`, `ban_reason`');
      expect(String(error)).toContain(`userMigrations('${table}')`);
    } finally {
      await dataSource.runMigrations();
    }
  });

  test('a table without its identities table stops start-up, naming it', async () => {
    await dataSource.runMigrations();
    await dataSource.undoLastMigration(); // CreateIdentities
    try {
      const error = await service()
        .onApplicationBootstrap()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UsersTableError);
      expect(String(error)).toContain(`\`${table}_identities\` does not exist`);
    } finally {
      await dataSource.runMigrations();
    }
  });

  test('the identities migration gives every existing user exactly one identity, keeping ids and times', async () => {
    await dataSource.runMigrations();
    await dataSource.undoLastMigration(); // CreateIdentities
    const appid = 'wx' + randomBytes(8).toString('hex');
    const created = new Date('2025-01-02T03:04:05.678Z');
    const loggedIn = new Date('2026-06-07T08:09:10.111Z');
    await dataSource.query(
      `INSERT INTO \`${table}\` (appid, openid, unionid, created_at, last_login_at) VALUES (?, 'oMoveA', 'oUnionShared', ?, ?), (?, 'oMoveB', 'oUnionShared', ?, NULL)`,
      [appid, created, loggedIn, appid, created],
    );
    const before = (await dataSource.query(
      `SELECT id, openid FROM \`${table}\` WHERE appid = ? ORDER BY openid`,
      [appid],
    )) as { id: number; openid: string }[];
    await dataSource.runMigrations();
    const identities = (await dataSource.query(
      `SELECT user_id, appid, openid, kind, first_seen_at, last_seen_at FROM \`${table}_identities\` WHERE appid = ? ORDER BY openid`,
      [appid],
    )) as { user_id: number; kind: string; openid: string; first_seen_at: Date; last_seen_at: Date }[];
    expect(identities).toEqual([
      {
        user_id: before[0].id,
        appid,
        openid: 'oMoveA',
        kind: 'mini_program',
        first_seen_at: created,
        last_seen_at: loggedIn,
      },
      {
        user_id: before[1].id,
        appid,
        openid: 'oMoveB',
        kind: 'mini_program',
        first_seen_at: created,
        last_seen_at: created,
      },
    ]);
    // Two pre-existing users with one unionid stay two: a later login of a new identity with that
    // unionid is a conflict to resolve, never a silent merge.
    const users = service();
    await expect(
      users.findOrCreate({
        appid: 'wx' + randomBytes(8).toString('hex'),
        openid: 'oNew',
        unionid: 'oUnionShared',
      }),
    ).rejects.toMatchObject({ code: 'ACCOUNT_CONFLICT', mergeable: false }); // both have an identity in `appid`
    expect((await users.findOrCreate({ appid, openid: 'oMoveA' })).id).toBe(before[0].id);
  });

  test('the avatar_file migration fills the column in from avatar URLs that name a stored file', async () => {
    await dataSource.runMigrations();
    await dataSource.undoLastMigration(); // CreateIdentities
    await dataSource.undoLastMigration(); // AddUserBan
    await dataSource.undoLastMigration(); // AddAvatarFile
    const stored = `${'ab'.repeat(32)}.png`;
    const urls = {
      oStored: `https://api.example.com/avatars/${stored}`,
      oViaCdn: `https://cdn.example.com/prefix/avatars/${stored}`,
      oElsewhere: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132',
      oLookalike: `https://cdn.example.com/avatars/${stored}.html`,
      oNone: null,
    };
    for (const [openid, url] of Object.entries(urls)) {
      await dataSource.query(`INSERT INTO \`${table}\` (appid, openid, avatar_url) VALUES (?, ?, ?)`, [
        'wxBackfill',
        openid,
        url,
      ]);
    }
    await dataSource.runMigrations();
    const rows = (await dataSource.query(
      `SELECT openid, avatar_file AS file FROM \`${table}\` WHERE appid = 'wxBackfill' ORDER BY openid`,
    )) as { openid: string; file: string | null }[];
    expect(Object.fromEntries(rows.map(({ openid, file }) => [openid, file]))).toEqual({
      oElsewhere: null,
      oLookalike: null,
      oNone: null,
      oStored: stored,
      oViaCdn: stored,
    });
    expect(await service().countOthersWithAvatarFile(stored, 0)).toBe(2);
  });

  test("the migrations add WeChat userInfo's region columns, utf8mb4 with emoji byte-exact, on this table too", async () => {
    const columns = (await dataSource.query(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, CHARACTER_SET_NAME AS charset,
              COLLATION_NAME AS collation, IS_NULLABLE AS nullable
         FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME IN ('province', 'city', 'country', 'language')
        ORDER BY ORDINAL_POSITION`,
      [table],
    )) as Record<string, string>[];
    const text = { charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci', nullable: 'YES' };
    expect(columns).toEqual([
      { name: 'province', type: 'varchar(64)', ...text },
      { name: 'city', type: 'varchar(64)', ...text },
      { name: 'country', type: 'varchar(64)', ...text },
      { name: 'language', type: 'varchar(16)', ...text },
    ]);

    const users = service();
    const { id } = await users.findOrCreate({ appid: 'wx0123456789abcdef', openid: 'oRegion' });
    const region = { province: '𠀀😀', city: '广州😀', country: '😀'.repeat(64), language: 'zh_CN😀' };
    await users.updateProfile(id, region);
    const [hex] = await dataSource.query(
      `SELECT HEX(province) AS province, HEX(city) AS city, HEX(country) AS country, HEX(language) AS language
         FROM \`${table}\` WHERE id = ?`,
      [id],
    );
    const utf8Hex = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();
    expect(hex).toEqual({
      province: utf8Hex(region.province),
      city: utf8Hex(region.city),
      country: utf8Hex(region.country),
      language: utf8Hex(region.language),
    });
    // The login's hand-written upsert (RETURNING on MariaDB) reads them back too.
    expect(
      (await users.findOrCreate({ appid: 'wx0123456789abcdef', openid: 'oRegion' })).snapshot,
    ).toMatchObject(region);
  });

  test('table names that are not plain identifiers are refused', () => {
    expect(() => userEntity('users; DROP TABLE x')).toThrow(/letters, digits and underscores/);
  });
});
