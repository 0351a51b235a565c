import { identitiesTableOf } from './identities-table.js';
import type { DataSource, QueryRunner } from 'typeorm';

/** Identifier columns that must compare byte-wise: WeChat's openids are case-sensitive. */
const IDENTIFIER_COLUMNS = ['appid', 'openid', 'unionid'];
/** Columns of later migrations (AddUserRegion…, AddAvatarFile…, AddUserBan…), which the login's hand-written SQL reads. */
const LATER_COLUMNS = ['province', 'city', 'country', 'language', 'avatar_file', 'banned_at', 'ban_reason'];

/** The users table is missing or unsafe; raised at start-up. @publicApi */
export class UsersTableError extends Error {
  override readonly name = 'UsersTableError';
}

/**
 * Checks, once at start-up, what the login's hand-written SQL relies on: the table exists, and on
 * MySQL/MariaDB its identifiers use a binary collation. A table made by TypeORM's `synchronize` (or
 * by hand) gets the server's default, case-insensitive collation: the second user whose openid
 * differs only in case would then collide with the first and fail every login.
 */
export async function verifyUsersTable(dataSource: DataSource, table: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(table))) {
      throw new UsersTableError(
        `weapp-auth: the users table \`${table}\` does not exist. Run weapp-auth's migrations ` +
          `(userMigrations('${table}') from weapp-auth/users in your DataSource's \`migrations\`) before starting.`,
      );
    }
    if (dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb') {
      await verifyColumns(runner, table);
    }
    const identities = identitiesTableOf(table);
    if (!(await runner.hasTable(identities))) {
      throw new UsersTableError(
        `weapp-auth: the identities table \`${identities}\` does not exist: the users table's migrations are not ` +
          `all applied. Run userMigrations('${table}') from weapp-auth/users before starting.`,
      );
    }
  } finally {
    await runner.release();
  }
}

/** MySQL/MariaDB: binary identifiers, and every later migration's columns. */
async function verifyColumns(runner: QueryRunner, table: string): Promise<void> {
  const columns = (await runner.query(
    `SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [table],
  )) as { name: string; collation: string | null }[];
  const unsafe = columns.filter(
    ({ name, collation }) => IDENTIFIER_COLUMNS.includes(name) && !/_bin$/i.test(collation ?? ''),
  );
  const missing = IDENTIFIER_COLUMNS.filter((name) => !columns.some((column) => column.name === name));
  if (missing.length > 0 || unsafe.length > 0) {
    const problems = [
      ...missing.map((name) => `column \`${name}\` is missing`),
      ...unsafe.map(
        ({ name, collation }) => `column \`${name}\` uses ${collation}, not a binary (_bin) collation`,
      ),
    ];
    throw new UsersTableError(
      `weapp-auth: the users table \`${table}\` was not made by weapp-auth's migrations: ${problems.join('; ')}. ` +
        `Create it with userMigrations('${table}') from weapp-auth/users (never with synchronize).`,
    );
  }
  const pending = LATER_COLUMNS.filter((name) => !columns.some((column) => column.name === name));
  if (pending.length > 0) {
    throw new UsersTableError(
      `weapp-auth: the users table \`${table}\` lacks ${pending.map((name) => `\`${name}\``).join(', ')}: ` +
        `its migrations are not all applied. Run userMigrations('${table}') from weapp-auth/users ` +
        '(migrationsRun: true, or typeorm migration:run) before starting.',
    );
  }
}
