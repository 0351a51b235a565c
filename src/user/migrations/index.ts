import type { MigrationInterface } from 'typeorm';
import { DEFAULT_USERS_TABLE } from '../user.entity.js';
import { createUsersMigration } from './1763700000000-create-users.js';

/**
 * Every migration of the users table, in order, for a DataSource's `migrations`. Use the same
 * `tableName` as `UserModule.forRoot({ tableName })` and `userEntity(tableName)`.
 * @publicApi
 */
export function userMigrations(tableName: string = DEFAULT_USERS_TABLE): (new () => MigrationInterface)[] {
  return [createUsersMigration(tableName)];
}
