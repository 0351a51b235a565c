import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * A mini-program user, one row per (appid, openid).
 *
 * The MySQL schema (utf8mb4 text, binary collation on identifiers) is owned by the migrations in
 * src/database/migrations; this entity stays dialect-neutral so the embedded SQLite default can be
 * synchronised from it. session_key is never stored here.
 */
@Entity({ name: 'users' })
@Index('uq_users_appid_openid', ['appid', 'openid'], { unique: true })
export class User {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true })
  id!: number;

  @Column({ type: 'varchar', length: 32 })
  appid!: string;

  @Column({ type: 'varchar', length: 64 })
  openid!: string;

  @Index('ix_users_unionid')
  @Column({ type: 'varchar', length: 64, nullable: true })
  unionid!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  nickname!: string | null;

  @Column({ name: 'avatar_url', type: 'varchar', length: 512, nullable: true })
  avatarUrl!: string | null;

  /** 0 unknown, 1 male, 2 female — WeChat's encoding. */
  @Column({ type: 'tinyint', unsigned: true, default: 0 })
  gender!: number;

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
}
