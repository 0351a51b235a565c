import type { MigrationInterface, QueryRunner } from 'typeorm';
import { identitiesTableOf } from '../identities-table.js';
import { assertTableName, DEFAULT_USERS_TABLE } from '../user.entity.js';

/** The migration's identity in TypeORM's `migrations` table: the same whatever the table's name. */
const NAME = 'CreateIdentities1799000000000';

/**
 * Turns a user into a person with identities (issue 19): creates `<users>_identities`, one row per
 * (appid, openid) with its kind and when it was first and last seen, and moves every existing user's
 * own (appid, openid) into it, so each user keeps exactly one identity and its id. The users table
 * keeps `appid`/`openid` as the identity the person was created with. Also indexes the verified
 * phone number, by which a login may join a person.
 *
 * Two existing users with one unionid are not merged here: the rules treat them as a conflict the
 * person (or an operator) resolves explicitly (README "One person across WeChat").
 */
export function createIdentitiesMigration(
  tableName: string = DEFAULT_USERS_TABLE,
): new () => MigrationInterface {
  assertTableName(tableName);
  const identities = identitiesTableOf(tableName);
  return class CreateIdentities1799000000000 implements MigrationInterface {
    name = NAME;

    async up(queryRunner: QueryRunner): Promise<void> {
      const mysql = queryRunner.connection.options.type === 'mysql';
      const statements = mysql ? mysqlUp(tableName, identities) : sqliteUp(tableName, identities);
      for (const statement of statements) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const mysql = queryRunner.connection.options.type === 'mysql';
      await queryRunner.query(`DROP TABLE ${queryRunner.connection.driver.escape(identities)}`);
      await queryRunner.query(
        mysql
          ? `ALTER TABLE \`${tableName}\` DROP INDEX \`ix_${tableName}_phone\``
          : `DROP INDEX IF EXISTS "ix_${tableName}_phone"`,
      );
    }
  };
}

const MOVE_ROWS = (users: string, identities: string, quote: string) =>
  `INSERT INTO ${quote}${identities}${quote} (user_id, appid, openid, kind, first_seen_at, last_seen_at) ` +
  `SELECT id, appid, openid, 'mini_program', created_at, COALESCE(last_login_at, created_at) FROM ${quote}${users}${quote}`;

function mysqlUp(users: string, identities: string): string[] {
  return [
    `CREATE TABLE \`${identities}\` (
      \`id\` int unsigned NOT NULL AUTO_INCREMENT,
      \`user_id\` int unsigned NOT NULL,
      \`appid\` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      \`openid\` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      \`kind\` varchar(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'mini_program',
      \`first_seen_at\` datetime(3) NOT NULL,
      \`last_seen_at\` datetime(3) NOT NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE KEY \`uq_${identities}_appid_openid\` (\`appid\`, \`openid\`),
      KEY \`ix_${identities}_user\` (\`user_id\`),
      CONSTRAINT \`fk_${identities}_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`${users}\` (\`id\`) ON DELETE CASCADE
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    MOVE_ROWS(users, identities, '`'),
    `ALTER TABLE \`${users}\` ADD KEY \`ix_${users}_phone\` (\`pure_phone_number\`, \`country_code\`)`,
  ];
}

function sqliteUp(users: string, identities: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS "${identities}" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "user_id" integer NOT NULL REFERENCES "${users}" ("id") ON DELETE CASCADE,
      "appid" varchar(32) NOT NULL,
      "openid" varchar(64) NOT NULL,
      "kind" varchar(16) NOT NULL DEFAULT ('mini_program'),
      "first_seen_at" datetime NOT NULL,
      "last_seen_at" datetime NOT NULL
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS "uq_${identities}_appid_openid" ON "${identities}" ("appid", "openid")`,
    `CREATE INDEX IF NOT EXISTS "ix_${identities}_user" ON "${identities}" ("user_id")`,
    `${MOVE_ROWS(users, identities, '"')} WHERE true ON CONFLICT DO NOTHING`,
    `CREATE INDEX IF NOT EXISTS "ix_${users}_phone" ON "${users}" ("pure_phone_number", "country_code")`,
  ];
}
