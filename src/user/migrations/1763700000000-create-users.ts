import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertTableName, DEFAULT_USERS_TABLE } from '../user.entity.js';

/** The migration's identity in TypeORM's `migrations` table: the same whatever the table's name. */
const NAME = 'CreateUsers1763700000000';

/**
 * Creates the users table under `tableName`.
 *
 * MySQL/MariaDB: identifiers (appid, openid, unionid) use utf8mb4_bin, since openids are
 * case-sensitive and a case-insensitive collation would merge two users whose openids differ only in
 * case; text columns use utf8mb4_unicode_ci so 4-byte emoji are stored byte-exact. SQLite (the
 * embedded development default) compares text byte-wise already. `IF NOT EXISTS` there adopts a
 * development file made when the schema still came from `synchronize`.
 */
export function createUsersMigration(tableName: string = DEFAULT_USERS_TABLE): new () => MigrationInterface {
  assertTableName(tableName);
  return class CreateUsers1763700000000 implements MigrationInterface {
    name = NAME;

    async up(queryRunner: QueryRunner): Promise<void> {
      if (queryRunner.connection.options.type === 'mysql') {
        await queryRunner.query(mysqlTable(tableName));
        return;
      }
      for (const statement of sqliteTable(tableName)) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${queryRunner.connection.driver.escape(tableName)}`);
    }
  };
}

function mysqlTable(table: string): string {
  return `
    CREATE TABLE \`${table}\` (
      \`id\` int unsigned NOT NULL AUTO_INCREMENT,
      \`appid\` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      \`openid\` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      \`unionid\` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
      \`nickname\` varchar(32) NULL,
      \`avatar_url\` varchar(512) NULL,
      \`gender\` tinyint unsigned NOT NULL DEFAULT 0,
      \`phone_number\` varchar(32) NULL,
      \`pure_phone_number\` varchar(32) NULL,
      \`country_code\` varchar(8) NULL,
      \`created_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      \`updated_at\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      \`last_login_at\` datetime(3) NULL,
      PRIMARY KEY (\`id\`),
      UNIQUE KEY \`uq_${table}_appid_openid\` (\`appid\`, \`openid\`),
      KEY \`ix_${table}_unionid\` (\`unionid\`)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `;
}

function sqliteTable(table: string): string[] {
  const now = `(STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW'))`;
  return [
    `CREATE TABLE IF NOT EXISTS "${table}" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "appid" varchar(32) NOT NULL,
      "openid" varchar(64) NOT NULL,
      "unionid" varchar(64),
      "nickname" varchar(32),
      "avatar_url" varchar(512),
      "gender" tinyint NOT NULL DEFAULT (0),
      "phone_number" varchar(32),
      "pure_phone_number" varchar(32),
      "country_code" varchar(8),
      "created_at" datetime NOT NULL DEFAULT ${now},
      "updated_at" datetime NOT NULL DEFAULT ${now},
      "last_login_at" datetime
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS "uq_${table}_appid_openid" ON "${table}" ("appid", "openid")`,
    `CREATE INDEX IF NOT EXISTS "ix_${table}_unionid" ON "${table}" ("unionid")`,
  ];
}
