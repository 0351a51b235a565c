import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError, type Repository } from 'typeorm';
import { User } from './user.entity.js';
import { USER_COLUMNS, userFromRow, type UserRow } from './user-row.js';

export type UserProfilePatch = Partial<
  Pick<
    User,
    'nickname' | 'avatarUrl' | 'gender' | 'phoneNumber' | 'purePhoneNumber' | 'countryCode' | 'unionid'
  >
>;

const DEADLOCK_ERRNO = 1213;
const LOCK_WAIT_TIMEOUT_ERRNO = 1205;
const MAX_UPSERT_ATTEMPTS = 4;

@Injectable()
export class UsersService {
  private dialectPromise?: Promise<'mariadb' | 'mysql' | 'sqlite'>;

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /**
   * Creates the user on first login, otherwise records the login, and returns the row. Race-safe:
   * the unique (appid, openid) key turns concurrent first logins into one row. A unionid, once known,
   * is never cleared by a login whose answer lacks it.
   *
   * This is the login's hot path, so on MySQL/MariaDB it is hand-written SQL: one statement on
   * MariaDB (`… ON DUPLICATE KEY UPDATE … RETURNING`), an upsert plus a primary-key read on MySQL
   * (which has no RETURNING). The query builder and a second lookup cost ~4x the CPU (bench/).
   */
  async upsertLogin(appid: string, openid: string, unionid?: string): Promise<User> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.upsertOnce(appid, openid, unionid ?? null, new Date());
      } catch (error) {
        // InnoDB may pick concurrent upserts on one unique key as deadlock victims; the retry is safe.
        if (attempt >= MAX_UPSERT_ATTEMPTS || !isTransientLockError(error)) throw error;
        await sleep(5 * attempt + Math.random() * 10);
      }
    }
  }

  private async upsertOnce(appid: string, openid: string, unionid: string | null, now: Date): Promise<User> {
    const dialect = await this.dialect();
    if (dialect === 'sqlite') {
      await this.users
        .createQueryBuilder()
        .insert()
        .into(User)
        .values({ appid, openid, unionid, lastLoginAt: now })
        .orUpdate(unionid ? ['unionid', 'last_login_at'] : ['last_login_at'], ['appid', 'openid'])
        .updateEntity(false)
        .execute();
      return this.users.findOneByOrFail({ appid, openid });
    }
    const upsert =
      'INSERT INTO users (appid, openid, unionid, last_login_at) VALUES (?, ?, ?, ?) ' +
      'ON DUPLICATE KEY UPDATE unionid = COALESCE(VALUES(unionid), unionid), last_login_at = VALUES(last_login_at)';
    if (dialect === 'mariadb') {
      const [row] = (await this.users.query(`${upsert} RETURNING ${USER_COLUMNS}`, [
        appid,
        openid,
        unionid,
        now,
      ])) as UserRow[];
      return userFromRow(row);
    }
    // LAST_INSERT_ID(id) makes insertId the existing row's id when the key already existed.
    const result = (await this.users.query(`${upsert}, id = LAST_INSERT_ID(id)`, [
      appid,
      openid,
      unionid,
      now,
    ])) as {
      insertId: number;
    };
    const [row] = (await this.users.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [
      result.insertId,
    ])) as UserRow[];
    return userFromRow(row);
  }

  /** Which SQL this database speaks, asked once. */
  protected dialect(): Promise<'mariadb' | 'mysql' | 'sqlite'> {
    this.dialectPromise ??= (async () => {
      if (this.users.manager.connection.options.type !== 'mysql') return 'sqlite';
      const [{ version }] = (await this.users.query('SELECT VERSION() AS version')) as { version: string }[];
      return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
    })();
    this.dialectPromise.catch(() => (this.dialectPromise = undefined));
    return this.dialectPromise;
  }

  findById(id: number): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async updateProfile(id: number, patch: UserProfilePatch): Promise<User> {
    if (Object.keys(patch).length > 0) await this.users.update({ id }, patch);
    return this.users.findOneByOrFail({ id });
  }
}

function isTransientLockError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const errno = (error.driverError as { errno?: number } | undefined)?.errno;
  return errno === DEADLOCK_ERRNO || errno === LOCK_WAIT_TIMEOUT_ERRNO;
}
