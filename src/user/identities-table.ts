import { assertTableName } from './user.entity.js';

/**
 * The table holding a users table's identities: `<users table>_identities` (`users_identities` by
 * default). Only hand-written SQL reads it (the login's hot path and the linking rules), so it has no
 * TypeORM entity for the host app to register.
 */
export function identitiesTableOf(usersTable: string): string {
  assertTableName(usersTable);
  const table = `${usersTable}_identities`;
  if (table.length > 64) {
    throw new Error(
      `weapp-auth: users table name ${JSON.stringify(usersTable)} is too long: ${table} exceeds 64 characters`,
    );
  }
  return table;
}
