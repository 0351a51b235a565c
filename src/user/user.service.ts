import type { OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Brackets, QueryFailedError, type Repository } from 'typeorm';
import { LoginUpsertBatcher, type LoginWrite } from './login-upsert.batcher.js';
import { mapUserProfile, type UserProfile } from './user-profile.js';
import type { User } from './user.entity.js';
import { USER_COLUMNS, userFromRow, type UserRow } from './user-row.js';
import { verifyUsersTable } from './users-table.check.js';

export type UserProfilePatch = Partial<
  Pick<
    User,
    | 'nickname'
    | 'avatarUrl'
    | 'avatarFile'
    | 'gender'
    | 'province'
    | 'city'
    | 'country'
    | 'language'
    | 'phoneNumber'
    | 'purePhoneNumber'
    | 'countryCode'
    | 'unionid'
  >
>;

const DEADLOCK_ERRNO = 1213;
const LOCK_WAIT_TIMEOUT_ERRNO = 1205;
const MAX_UPSERT_ATTEMPTS = 4;

/** `INSERT … VALUES <rows> ON DUPLICATE KEY UPDATE …`: rows of (appid, openid, unionid, last_login_at). */
const upsertLoginSql = (table: string, rowCount: number): string =>
  `INSERT INTO \`${table}\` (appid, openid, unionid, last_login_at) VALUES ` +
  Array.from({ length: rowCount }, () => '(?, ?, ?, ?)').join(', ') +
  ' ON DUPLICATE KEY UPDATE unionid = COALESCE(VALUES(unionid), unionid), last_login_at = VALUES(last_login_at)';

/** What an operator may look users up by; every given field must match. */
export interface UserSearch {
  id?: number;
  appid?: string;
  openid?: string;
  unionid?: string;
  /**
   * A phone number as WeChat gave it (`phoneNumber`), without its country code (`purePhoneNumber`), or
   * in international form, `+` country code and number (`+8613800138000`, spaces and dashes allowed).
   */
  phone?: string;
}

/** A WeChat login as the auth module's users port hands it over. */
export interface WechatLoginIdentity {
  appid: string;
  openid: string;
  unionid?: string;
}

/**
 * The users of a mini program on TypeORM (MySQL/MariaDB, or SQLite for development), and the auth
 * module's users port: pass it as `AuthModuleOptions.users`. Built by `UserModule.forRoot()`, which
 * picks the table; on start-up it checks that the table exists and that its identifiers compare
 * case-sensitively, and refuses to start otherwise.
 * @publicApi
 */
export class UsersService implements OnApplicationBootstrap {
  private dialectPromise?: Promise<'mariadb' | 'mysql' | 'sqlite'>;
  /** MariaDB only: concurrent logins share one `INSERT … RETURNING` statement. */
  private readonly loginBatch = new LoginUpsertBatcher(
    (writes) => this.upsertRows(writes),
    (error) => isRowError(error),
  );
  private readonly table: string;
  /** MySQL: LAST_INSERT_ID(id) makes insertId the existing row's id when the key already existed. */
  private readonly upsertOneLoginMysql: string;

  constructor(private readonly users: Repository<User>) {
    this.table = users.metadata.tableName;
    this.upsertOneLoginMysql = `${upsertLoginSql(this.table, 1)}, id = LAST_INSERT_ID(id)`;
  }

  /** Refuses to start on a missing table or a case-insensitive openid, rather than failing logins later. */
  async onApplicationBootstrap(): Promise<void> {
    await verifyUsersTable(this.users.manager.connection, this.table);
  }

  /**
   * The auth module's users port: the user for this WeChat identity, created on first login, with
   * its public profile as the session's snapshot.
   */
  async findOrCreate({
    appid,
    openid,
    unionid,
  }: WechatLoginIdentity): Promise<{ id: number; snapshot: UserProfile; banned: boolean }> {
    const user = await this.upsertLogin(appid, openid, unionid);
    return { id: user.id, snapshot: mapUserProfile(user), banned: user.bannedAt !== null };
  }

  /**
   * Creates the user on first login, otherwise records the login, and returns the row. Race-safe:
   * the unique (appid, openid) key turns concurrent first logins into one row. A unionid, once known,
   * is never cleared by a login whose answer lacks it.
   *
   * This is the login's hot path, so on MySQL/MariaDB it is hand-written SQL: on MariaDB one
   * `… ON DUPLICATE KEY UPDATE … RETURNING` statement for all the logins of an event-loop turn
   * (LoginUpsertBatcher), on MySQL (no RETURNING) an upsert plus a primary-key read per login.
   * The query builder and a second lookup cost ~4x the CPU (bench/).
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
        .into(this.users.target)
        .values({ appid, openid, unionid, lastLoginAt: now })
        .orUpdate(unionid ? ['unionid', 'last_login_at'] : ['last_login_at'], ['appid', 'openid'])
        .updateEntity(false)
        .execute();
      return this.users.findOneByOrFail({ appid, openid });
    }
    if (dialect === 'mariadb') {
      return userFromRow(await this.loginBatch.upsert({ appid, openid, unionid, at: now }));
    }
    const result = (await this.users.query(this.upsertOneLoginMysql, [appid, openid, unionid, now])) as {
      insertId: number;
    };
    const [row] = (await this.users.query(`SELECT ${USER_COLUMNS} FROM \`${this.table}\` WHERE id = ?`, [
      result.insertId,
    ])) as UserRow[];
    return userFromRow(row);
  }

  /** MariaDB: one statement for several users' logins; the rows come back as written. */
  private upsertRows(writes: readonly LoginWrite[]): Promise<UserRow[]> {
    const values: unknown[] = [];
    for (const { appid, openid, unionid, at } of writes) values.push(appid, openid, unionid, at);
    return this.users.query(`${upsertLoginSql(this.table, writes.length)} RETURNING ${USER_COLUMNS}`, values);
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

  /**
   * Deletes the user's row, and with it every profile field and the phone number (account deletion).
   * Idempotent: false when there was no such row. A later login with the same openid creates a new,
   * empty user.
   */
  async deleteById(id: number): Promise<boolean> {
    const { affected } = await this.users.delete({ id });
    return (affected ?? 0) > 0;
  }

  /**
   * How many users other than `exceptId` use the stored avatar file `fileName` (their `avatar_file`):
   * whether a shared, content-addressed file may be deleted. An index lookup.
   */
  countOthersWithAvatarFile(fileName: string, exceptId: number): Promise<number> {
    return this.users
      .createQueryBuilder('user')
      .where('user.avatarFile = :fileName', { fileName })
      .andWhere('user.id <> :exceptId', { exceptId })
      .getCount();
  }

  /**
   * Users matching every given field, oldest first, `limit` at most, after the id `afterId` (keyset
   * paging: stable under inserts). `phone` matches the number with or without its country code.
   * Each field is indexed except the phone number, which operators search rarely.
   */
  search(filter: UserSearch, limit: number, afterId = 0): Promise<User[]> {
    const query = this.users
      .createQueryBuilder('user')
      .where('user.id > :afterId', { afterId })
      .orderBy('user.id', 'ASC')
      .take(limit);
    if (filter.id !== undefined) query.andWhere('user.id = :id', { id: filter.id });
    if (filter.appid !== undefined) query.andWhere('user.appid = :appid', { appid: filter.appid });
    if (filter.openid !== undefined) query.andWhere('user.openid = :openid', { openid: filter.openid });
    if (filter.unionid !== undefined) query.andWhere('user.unionid = :unionid', { unionid: filter.unionid });
    if (filter.phone !== undefined) {
      const international = /^\+[\d -]+$/.test(filter.phone) ? filter.phone.replace(/\D/g, '') : null;
      if (international) {
        // Country codes are 1 to 4 digits and prefix-free (E.164): at most one split matches.
        const splits = [1, 2, 3, 4].filter((length) => length < international.length);
        query.andWhere(
          new Brackets((any) => {
            for (const length of splits) {
              any.orWhere(`(user.countryCode = :code${length} AND user.purePhoneNumber = :pure${length})`, {
                [`code${length}`]: international.slice(0, length),
                [`pure${length}`]: international.slice(length),
              });
            }
          }),
        );
      } else {
        query.andWhere('(user.phoneNumber = :phone OR user.purePhoneNumber = :phone)', {
          phone: filter.phone,
        });
      }
    }
    return query.getMany();
  }

  /** Bans (`at` a time) or unbans (`at` null) the user; false when there is no such user. */
  async setBanned(id: number, at: Date | null, reason: string | null): Promise<boolean> {
    const { affected } = await this.users.update({ id }, { bannedAt: at, banReason: at ? reason : null });
    return (affected ?? 0) > 0;
  }

  async updateProfile(id: number, patch: UserProfilePatch): Promise<User> {
    if (Object.keys(patch).length > 0) await this.users.update({ id }, patch);
    return this.users.findOneByOrFail({ id });
  }
}

/** The server refused the statement (a bad value, say), as opposed to a lost connection. */
function isRowError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError) || isTransientLockError(error)) return false;
  const driverError = error.driverError as { errno?: number; fatal?: boolean } | undefined;
  return typeof driverError?.errno === 'number' && driverError.fatal !== true;
}

function isTransientLockError(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const errno = (error.driverError as { errno?: number } | undefined)?.errno;
  return errno === DEADLOCK_ERRNO || errno === LOCK_WAIT_TIMEOUT_ERRNO;
}
