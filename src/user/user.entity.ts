import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { LANGUAGE_MAX_CODE_POINTS, REGION_MAX_CODE_POINTS } from './profile-text.js';

/** The table the users live in unless `UserModule.forRoot({ tableName })` says otherwise. @publicApi */
export const DEFAULT_USERS_TABLE = 'users';

/** A table name we put into SQL unquoted-safe: letters, digits, underscores. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The columns of a mini-program user, one row per (appid, openid). Entities for a table name extend
 * this class (see {@link userEntity}); it is not an entity itself.
 *
 * The schema (utf8mb4 text, binary collation on identifiers) is owned by the migrations
 * (migrations/), never by TypeORM's `synchronize`: the entities say `synchronize: false`, so a host
 * app that synchronises its own entities can neither alter this table nor create it with a
 * case-insensitive openid. session_key is never stored here.
 * @publicApi
 */
export abstract class UserColumns {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true })
  id!: number;

  @Column({ type: 'varchar', length: 32 })
  appid!: string;

  @Column({ type: 'varchar', length: 64 })
  openid!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  unionid!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  nickname!: string | null;

  @Column({ name: 'avatar_url', type: 'varchar', length: 512, nullable: true })
  avatarUrl!: string | null;

  /**
   * The stored avatar file avatarUrl points at (`<sha256>.jpg`), null for an avatar hosted elsewhere.
   * Kept by the host app's avatar upload; indexed so that "does anyone else use this file?" is a lookup.
   */
  @Column({ name: 'avatar_file', type: 'varchar', length: 80, nullable: true })
  avatarFile!: string | null;

  /** 0 unknown, 1 male, 2 female — WeChat's encoding. */
  @Column({ type: 'tinyint', unsigned: true, default: 0 })
  gender!: number;

  /** From WeChat's userInfo (`province`); free text, e.g. "Guangdong". */
  @Column({ type: 'varchar', length: REGION_MAX_CODE_POINTS, nullable: true })
  province!: string | null;

  @Column({ type: 'varchar', length: REGION_MAX_CODE_POINTS, nullable: true })
  city!: string | null;

  /** WeChat's userInfo `country` (e.g. "China"), not the phone number's `countryCode`. */
  @Column({ type: 'varchar', length: REGION_MAX_CODE_POINTS, nullable: true })
  country!: string | null;

  /** WeChat's userInfo `language`, e.g. "zh_CN". */
  @Column({ type: 'varchar', length: LANGUAGE_MAX_CODE_POINTS, nullable: true })
  language!: string | null;

  @Column({ name: 'phone_number', type: 'varchar', length: 32, nullable: true })
  phoneNumber!: string | null;

  @Column({ name: 'pure_phone_number', type: 'varchar', length: 32, nullable: true })
  purePhoneNumber!: string | null;

  @Column({ name: 'country_code', type: 'varchar', length: 8, nullable: true })
  countryCode!: string | null;

  @CreateDateColumn({ name: 'created_at', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', precision: 3 })
  updatedAt!: Date;

  @Column({ name: 'last_login_at', type: 'datetime', precision: 3, nullable: true })
  lastLoginAt!: Date | null;

  /** When an operator banned the user (logins refused, sessions revoked); null when not banned. */
  @Column({ name: 'banned_at', type: 'datetime', precision: 3, nullable: true })
  bannedAt!: Date | null;

  /** The operator's note on the ban. */
  @Column({ name: 'ban_reason', type: 'varchar', length: 200, nullable: true })
  banReason!: string | null;
}

/** The user entity on the default `users` table. @publicApi */
@Entity({ name: DEFAULT_USERS_TABLE, synchronize: false })
@Index('uq_users_appid_openid', ['appid', 'openid'], { unique: true })
@Index('ix_users_unionid', ['unionid'])
@Index('ix_users_avatar_file', ['avatarFile'])
export class User extends UserColumns {}

/** A user entity class, on any table. @publicApi */
export type UserEntity = new () => User;

const entities = new Map<string, UserEntity>([[DEFAULT_USERS_TABLE, User]]);

/**
 * The entity class for users kept in `tableName` (one class per name, so TypeORM and
 * `UserModule.forRoot({ tableName })` see the same one). List it in your DataSource's `entities`.
 * @publicApi
 */
export function userEntity(tableName: string = DEFAULT_USERS_TABLE): UserEntity {
  let entity = entities.get(tableName);
  if (!entity) {
    assertTableName(tableName);
    @Entity({ name: tableName, synchronize: false })
    @Index(`uq_${tableName}_appid_openid`, ['appid', 'openid'], { unique: true })
    @Index(`ix_${tableName}_unionid`, ['unionid'])
    @Index(`ix_${tableName}_avatar_file`, ['avatarFile'])
    class UserOnCustomTable extends UserColumns {}
    entity = UserOnCustomTable;
    entities.set(tableName, entity);
  }
  return entity;
}

/** Throws unless `tableName` is a plain SQL identifier (it is written into hand-made SQL). @internal */
export function assertTableName(tableName: string): void {
  if (!TABLE_NAME.test(tableName)) {
    throw new Error(
      `weapp-auth: users table name ${JSON.stringify(tableName)} must be letters, digits and underscores`,
    );
  }
}
