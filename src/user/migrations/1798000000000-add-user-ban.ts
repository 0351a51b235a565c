import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertTableName, DEFAULT_USERS_TABLE } from '../user.entity.js';

/** The migration's identity in TypeORM's `migrations` table: the same whatever the table's name. */
const NAME = 'AddUserBan1798000000000';

/**
 * Adds `banned_at` (null: not banned) and `ban_reason` (the operator's note, utf8mb4) to the users
 * table. The login reads `banned_at` in the statement it already runs, so a ban costs it nothing.
 * SQLite: columns already there (a development file touched by hand) are skipped.
 */
export function addUserBanMigration(tableName: string = DEFAULT_USERS_TABLE): new () => MigrationInterface {
  assertTableName(tableName);
  return class AddUserBan1798000000000 implements MigrationInterface {
    name = NAME;

    async up(queryRunner: QueryRunner): Promise<void> {
      if (queryRunner.connection.options.type === 'mysql') {
        await queryRunner.query(
          `ALTER TABLE \`${tableName}\` ADD COLUMN \`banned_at\` datetime(3) NULL AFTER \`last_login_at\`, ` +
            'ADD COLUMN `ban_reason` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL AFTER `banned_at`',
        );
        return;
      }
      const existing = (await queryRunner.query(`PRAGMA table_info("${tableName}")`)) as { name: string }[];
      const has = (name: string) => existing.some((column) => column.name === name);
      if (!has('banned_at'))
        await queryRunner.query(`ALTER TABLE "${tableName}" ADD COLUMN "banned_at" datetime`);
      if (!has('ban_reason')) {
        await queryRunner.query(`ALTER TABLE "${tableName}" ADD COLUMN "ban_reason" varchar(200)`);
      }
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const table = queryRunner.connection.driver.escape(tableName);
      if (queryRunner.connection.options.type === 'mysql') {
        await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN \`banned_at\`, DROP COLUMN \`ban_reason\``);
        return;
      }
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN "ban_reason"`);
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN "banned_at"`);
    }
  };
}
