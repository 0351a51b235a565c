import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertTableName, DEFAULT_USERS_TABLE } from '../user.entity.js';

/** The migration's identity in TypeORM's `migrations` table: the same whatever the table's name. */
const NAME = 'AddAvatarFile1797000000000';

/** How an avatar URL names a file the service stored itself: `…/avatars/<sha256>.<png|jpg|webp>`. */
const STORED_AVATAR_URL = /\/avatars\/([0-9a-f]{64}\.(?:png|jpg|webp))$/;

/**
 * Adds `avatar_file`, the name of the stored avatar file the row's avatarUrl points at (null for an
 * avatar hosted elsewhere), with an index: replacing or deleting an avatar asks whether any other row
 * still uses the file, and without the index that question scans the table. Existing rows are filled in
 * from their avatarUrl.
 *
 * MySQL/MariaDB: ASCII with a binary collation (the name is hex and an extension). SQLite: the backfill
 * runs in JavaScript, having no REGEXP; a column already there (a file touched by hand) is kept.
 */
export function addAvatarFileMigration(
  tableName: string = DEFAULT_USERS_TABLE,
): new () => MigrationInterface {
  assertTableName(tableName);
  const index = `ix_${tableName}_avatar_file`;
  return class AddAvatarFile1797000000000 implements MigrationInterface {
    name = NAME;

    async up(queryRunner: QueryRunner): Promise<void> {
      if (queryRunner.connection.options.type === 'mysql') {
        await queryRunner.query(
          `ALTER TABLE \`${tableName}\` ADD COLUMN \`avatar_file\` varchar(80) CHARACTER SET ascii ` +
            `COLLATE ascii_bin NULL AFTER \`avatar_url\`, ADD KEY \`${index}\` (\`avatar_file\`)`,
        );
        await queryRunner.query(
          `UPDATE \`${tableName}\` SET avatar_file = SUBSTRING_INDEX(avatar_url, '/', -1) ` +
            `WHERE avatar_url REGEXP '/avatars/[0-9a-f]{64}[.](png|jpg|webp)$'`,
        );
        return;
      }
      const existing = (await queryRunner.query(`PRAGMA table_info("${tableName}")`)) as { name: string }[];
      if (!existing.some((column) => column.name === 'avatar_file')) {
        await queryRunner.query(`ALTER TABLE "${tableName}" ADD COLUMN "avatar_file" varchar(80)`);
      }
      await queryRunner.query(`CREATE INDEX IF NOT EXISTS "${index}" ON "${tableName}" ("avatar_file")`);
      const rows = (await queryRunner.query(
        `SELECT id, avatar_url AS url FROM "${tableName}" WHERE avatar_url LIKE '%/avatars/%'`,
      )) as { id: number; url: string }[];
      for (const { id, url } of rows) {
        const file = STORED_AVATAR_URL.exec(url)?.[1];
        if (file)
          await queryRunner.query(`UPDATE "${tableName}" SET avatar_file = ? WHERE id = ?`, [file, id]);
      }
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const table = queryRunner.connection.driver.escape(tableName);
      if (queryRunner.connection.options.type === 'mysql') {
        await queryRunner.query(`ALTER TABLE ${table} DROP KEY \`${index}\`, DROP COLUMN \`avatar_file\``);
        return;
      }
      await queryRunner.query(`DROP INDEX IF EXISTS "${index}"`);
      await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN "avatar_file"`);
    }
  };
}
