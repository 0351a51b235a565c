import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertTableName, DEFAULT_USERS_TABLE } from '../user.entity.js';
import { LANGUAGE_MAX_CODE_POINTS, REGION_MAX_CODE_POINTS } from '../profile-text.js';

/** The migration's identity in TypeORM's `migrations` table: the same whatever the table's name. */
const NAME = 'AddUserRegion1796000000000';

/** The userInfo fields WeChat sends besides nickName/avatarUrl/gender, with their VARCHAR lengths. */
const COLUMNS: readonly (readonly [name: string, length: number])[] = [
  ['province', REGION_MAX_CODE_POINTS],
  ['city', REGION_MAX_CODE_POINTS],
  ['country', REGION_MAX_CODE_POINTS],
  ['language', LANGUAGE_MAX_CODE_POINTS],
];

/**
 * Adds WeChat userInfo's `province`, `city`, `country` and `language` to the users table under
 * `tableName`, nullable (null until a client sends them).
 *
 * MySQL/MariaDB: utf8mb4 with utf8mb4_unicode_ci, spelled out rather than inherited from the table, so a
 * table whose default was changed by hand still stores 4-byte emoji byte-exact. SQLite cannot position
 * columns and has no `ADD COLUMN IF NOT EXISTS`: columns already there (a development file touched by
 * hand) are skipped.
 */
export function addUserRegionMigration(
  tableName: string = DEFAULT_USERS_TABLE,
): new () => MigrationInterface {
  assertTableName(tableName);
  return class AddUserRegion1796000000000 implements MigrationInterface {
    name = NAME;

    async up(queryRunner: QueryRunner): Promise<void> {
      if (queryRunner.connection.options.type === 'mysql') {
        const columns = COLUMNS.map(
          ([name, length], index) =>
            `ADD COLUMN \`${name}\` varchar(${length}) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL ` +
            `AFTER \`${index === 0 ? 'gender' : COLUMNS[index - 1][0]}\``,
        );
        await queryRunner.query(`ALTER TABLE \`${tableName}\` ${columns.join(', ')}`);
        return;
      }
      const existing = (await queryRunner.query(`PRAGMA table_info("${tableName}")`)) as { name: string }[];
      for (const [name, length] of COLUMNS) {
        if (existing.some((column) => column.name === name)) continue;
        await queryRunner.query(`ALTER TABLE "${tableName}" ADD COLUMN "${name}" varchar(${length})`);
      }
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const table = queryRunner.connection.driver.escape(tableName);
      if (queryRunner.connection.options.type === 'mysql') {
        await queryRunner.query(
          `ALTER TABLE ${table} ${COLUMNS.map(([name]) => `DROP COLUMN \`${name}\``).join(', ')}`,
        );
        return;
      }
      for (const [name] of COLUMNS) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN "${name}"`);
    }
  };
}
