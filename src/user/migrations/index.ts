import type { MigrationInterface } from 'typeorm';
import { DEFAULT_USERS_TABLE } from '../user.entity.js';
import { createUsersMigration } from './1763700000000-create-users.js';
import { addUserRegionMigration } from './1796000000000-add-user-region.js';
import { addAvatarFileMigration } from './1797000000000-add-avatar-file.js';
import { addUserBanMigration } from './1798000000000-add-user-ban.js';
import { createIdentitiesMigration } from './1799000000000-create-identities.js';

/**
 * Every migration of the users table, in order, for a DataSource's `migrations`. Use the same
 * `tableName` as `UserModule.forRoot({ tableName })` and `userEntity(tableName)`.
 * @publicApi
 */
export function userMigrations(tableName: string = DEFAULT_USERS_TABLE): (new () => MigrationInterface)[] {
  return [
    createUsersMigration(tableName),
    addUserRegionMigration(tableName),
    addAvatarFileMigration(tableName),
    addUserBanMigration(tableName),
    createIdentitiesMigration(tableName),
  ];
}
