// `weapp-auth/users`: the users of a mini program on TypeORM, the auth module's default users port.
export { UserModule, type UserModuleOptions } from './user.module.js';
export {
  UsersService,
  type PersonsMerged,
  type UserIdentity,
  type UserProfilePatch,
  type WechatLoginIdentity,
} from './user.service.js';
export { DEFAULT_USERS_TABLE, User, UserColumns, userEntity, type UserEntity } from './user.entity.js';
export { userMigrations } from './migrations/index.js';
export { UsersTableError } from './users-table.check.js';
export { mapUserProfile, type UserProfile } from './user-profile.js';
export {
  NICKNAME_MAX_CODE_POINTS,
  NICKNAME_MAX_COMBINING_MARKS,
  nicknameProblem,
  normalizeNickname,
  type NicknameProblem,
} from './nickname.js';
