import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Brackets, type Repository } from 'typeorm';
import type { IdentityKind, LoginEvidence, MergedUser, WechatIdentity } from '../common/identity.js';
import { identitiesTableOf } from './identities-table.js';
import { formatSqlTime, parseSqlTime } from '../common/sql-time.js';
import { IdentityLinker, type Dialect, type LinkOutcome } from './identity-linker.js';
import { LastSeenRecorder } from './last-seen.recorder.js';
import { LoginLookupBatcher, type IdentityKey, type IdentityUserRow } from './login-lookup.batcher.js';
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
export type WechatLoginIdentity = WechatIdentity;

/** One way a person logs in: an app's openid for them, and when it was first and last used. @publicApi */
export interface UserIdentity {
  appid: string;
  openid: string;
  kind: IdentityKind;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** A committed merge: who survived, who was merged into them, which avatar files lost their owner. @publicApi */
export interface PersonsMerged {
  survivorId: number;
  mergedUserIds: number[];
  orphanedAvatarFiles: string[];
}

/** `WHERE` over identities (alias `i`) by (appid, openid): a range scan of the unique index. */
function identityKeys(keys: readonly IdentityKey[]): string {
  return keys.map(() => '(i.appid = ? AND i.openid = ?)').join(' OR ');
}

/** USER_COLUMNS on the alias `u`. */
const PREFIXED_USER_COLUMNS = USER_COLUMNS.split(', ')
  .map((column) => `u.${column}`)
  .join(', ');

/**
 * The users of a mini program on TypeORM (MySQL/MariaDB, or SQLite for development), and the auth
 * module's users port: pass it as `AuthModuleOptions.users`. Built by `UserModule.forRoot()`, which
 * picks the table; on start-up it checks that the table exists and that its identifiers compare
 * case-sensitively, and refuses to start otherwise.
 * @publicApi
 */
export class UsersService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private dialectPromise?: Promise<Dialect>;
  private readonly table: string;
  /** `<table>_identities`: every (appid, openid) a person logged in with (identities-table.ts). */
  private readonly identities: string;
  /** MySQL/MariaDB: the logins of known identities in one event-loop turn share one read. */
  private readonly loginLookups: LoginLookupBatcher;
  /** MySQL/MariaDB: and their times are written a quarter second later, many logins per statement. */
  private readonly lastSeen: LastSeenRecorder;
  /** The linking rules: every login that is not a known identity bringing nothing new. */
  private readonly linker: IdentityLinker;
  private readonly mergeListeners: ((merge: PersonsMerged) => void)[] = [];

  constructor(private readonly users: Repository<User>) {
    this.table = users.metadata.tableName;
    this.identities = identitiesTableOf(this.table);
    this.loginLookups = new LoginLookupBatcher((keys) => this.lookupRows(keys));
    const logger = new Logger(UsersService.name);
    this.lastSeen = new LastSeenRecorder(
      (keys, at) => this.writeLastSeen(keys, at),
      (message) => logger.warn(message),
    );
    this.linker = new IdentityLinker(users.manager.connection, this.table, this.identities, () =>
      this.dialect(),
    );
  }

  /** Refuses to start on a missing table or a case-insensitive openid, rather than failing logins later. */
  async onApplicationBootstrap(): Promise<void> {
    await verifyUsersTable(this.users.manager.connection, this.table);
  }

  /** Writes the pending last-seen times while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.lastSeen.flush();
  }

  /**
   * The auth module's users port: the person behind this WeChat identity, found or created by the
   * linking rules (identity-linker.ts), with their public profile as the session's snapshot. Throws
   * AccountConflictError (409) when the evidence points at two persons and the login does not merge.
   */
  async findOrCreate(
    identity: WechatLoginIdentity,
    evidence: LoginEvidence = {},
  ): Promise<{ id: number; snapshot: UserProfile; banned: boolean; merged?: MergedUser[] }> {
    const { user, merged } = await this.login(identity, evidence);
    const found = { id: user.id, snapshot: mapUserProfile(user), banned: user.bannedAt !== null };
    return merged.length > 0 ? { ...found, merged } : found;
  }

  /** A login with no evidence besides the identity: the person, created on first login. */
  async upsertLogin(appid: string, openid: string, unionid?: string): Promise<User> {
    const identity: WechatLoginIdentity = { appid, openid };
    if (unionid !== undefined) identity.unionid = unionid;
    return (await this.login(identity, {})).user;
  }

  /**
   * Calls `listener` after each committed merge of persons (a login's or an operator's), e.g. to
   * release the avatar files the merge left without an owner.
   */
  onPersonsMerged(listener: (merge: PersonsMerged) => void): void {
    this.mergeListeners.push(listener);
  }

  /** Merges person `mergedId` into `survivorId` by the merge precedence; throws AccountConflictError when they cannot be. */
  async merge(survivorId: number, mergedId: number): Promise<MergedUser[]> {
    const outcome = await this.linker.merge(survivorId, mergedId);
    this.announce(outcome);
    return outcome.merged;
  }

  /** The identities of a person, oldest first. */
  async identitiesOf(userId: number): Promise<UserIdentity[]> {
    const rows = (await this.users.query(
      `SELECT appid, openid, kind, first_seen_at, last_seen_at FROM \`${this.identities}\` WHERE user_id = ? ORDER BY id`,
      [userId],
    )) as {
      appid: string;
      openid: string;
      kind: IdentityKind;
      first_seen_at: Date | string;
      last_seen_at: Date | string;
    }[];
    return rows.map((row) => ({
      appid: row.appid,
      openid: row.openid,
      kind: row.kind,
      firstSeenAt: parseSqlTime(row.first_seen_at),
      lastSeenAt: parseSqlTime(row.last_seen_at),
    }));
  }

  /** The person's openid in `appid`, or null when they have no identity there. */
  async openidIn(userId: number, appid: string): Promise<string | null> {
    const [row] = (await this.users.query(
      `SELECT openid FROM \`${this.identities}\` WHERE user_id = ? AND appid = ?`,
      [userId, appid],
    )) as { openid: string }[];
    return row?.openid ?? null;
  }

  /** The apps a person has identities in (where their sessions and session_keys live). */
  async appidsOf(userId: number): Promise<string[]> {
    return [...new Set((await this.identitiesOf(userId)).map(({ appid }) => appid))];
  }

  /**
   * The known identity's person in one batched read (MySQL/MariaDB), when the login brings nothing
   * the person lacks; everything else goes through the linking rules in a transaction.
   */
  private async login(
    identity: WechatLoginIdentity,
    evidence: LoginEvidence,
  ): Promise<{ user: User; merged: MergedUser[] }> {
    if (!evidence.phone && !evidence.merge) {
      const known = await this.findKnownIdentity(identity);
      if (known && (identity.unionid === undefined || known.unionid === identity.unionid)) {
        return { user: known, merged: [] };
      }
    }
    const outcome = await this.linker.link(identity, evidence, new Date());
    this.announce(outcome);
    return { user: await this.loadLoggedIn(outcome.userId), merged: outcome.merged };
  }

  /** The person a login resolved to (a hand-written read on MySQL/MariaDB: cheaper than the entity's). */
  private async loadLoggedIn(id: number): Promise<User> {
    if ((await this.dialect()) === 'sqlite') return this.users.findOneByOrFail({ id });
    const [row] = (await this.users.query(`SELECT ${USER_COLUMNS} FROM \`${this.table}\` WHERE id = ?`, [
      id,
    ])) as UserRow[];
    if (!row) throw new Error(`user ${id} vanished after its login`);
    return userFromRow(row);
  }

  private announce(outcome: LinkOutcome): void {
    if (outcome.merged.length === 0) return;
    const merge: PersonsMerged = {
      survivorId: outcome.userId,
      mergedUserIds: outcome.merged.map(({ userId }) => userId),
      orphanedAvatarFiles: outcome.orphanedAvatarFiles,
    };
    for (const listener of this.mergeListeners) listener(merge);
  }

  /** The person of a known identity, its login recorded; null when the identity is new. */
  private async findKnownIdentity({ appid, openid }: WechatLoginIdentity): Promise<User | null> {
    if ((await this.dialect()) === 'sqlite') return this.findKnownIdentitySqlite(appid, openid);
    const row = await this.loginLookups.lookup({ appid, openid });
    if (row === null) return null;
    this.lastSeen.record({ appid, openid });
    return userFromRow(row);
  }

  /**
   * MySQL/MariaDB: the users behind these identities, one statement. Hand-written SQL: this is the
   * login's hot path (the query builder costs ~4x the CPU, bench/).
   */
  private lookupRows(keys: readonly IdentityKey[]): Promise<IdentityUserRow[]> {
    const values: unknown[] = [];
    for (const { appid, openid } of keys) values.push(appid, openid);
    return this.users.query(
      `SELECT ${PREFIXED_USER_COLUMNS}, i.appid AS identity_appid, i.openid AS identity_openid ` +
        `FROM \`${this.identities}\` i JOIN \`${this.table}\` u ON u.id = i.user_id WHERE ${identityKeys(keys)}`,
      values,
    ) as Promise<IdentityUserRow[]>;
  }

  /** MySQL/MariaDB: when these identities (and their persons) last logged in. */
  private async writeLastSeen(keys: readonly IdentityKey[], at: Date): Promise<void> {
    const values: unknown[] = [at, at];
    for (const { appid, openid } of keys) values.push(appid, openid);
    await this.users.query(
      `UPDATE \`${this.identities}\` i JOIN \`${this.table}\` u ON u.id = i.user_id ` +
        `SET i.last_seen_at = ?, u.last_login_at = ? WHERE ${identityKeys(keys)}`,
      values,
    );
  }

  /** SQLite (development): the same, one login at a time. */
  private async findKnownIdentitySqlite(appid: string, openid: string): Promise<User | null> {
    const [identity] = (await this.users.query(
      `SELECT user_id FROM \`${this.identities}\` WHERE appid = ? AND openid = ?`,
      [appid, openid],
    )) as { user_id: number }[];
    if (!identity) return null;
    const at = formatSqlTime(new Date());
    await this.users.query(
      `UPDATE \`${this.identities}\` SET last_seen_at = ? WHERE appid = ? AND openid = ?`,
      [at, appid, openid],
    );
    await this.users.query(`UPDATE \`${this.table}\` SET last_login_at = ? WHERE id = ?`, [
      at,
      identity.user_id,
    ]);
    return this.users.findOneBy({ id: Number(identity.user_id) });
  }

  /** Which SQL this database speaks, asked once. */
  protected dialect(): Promise<Dialect> {
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
    // The foreign key cascades on MySQL/MariaDB; SQLite enforces it only when asked, so say it here too.
    await this.users.query(`DELETE FROM \`${this.identities}\` WHERE user_id = ?`, [id]);
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
    // Any of the person's identities: an IN over the identities table's unique (appid, openid) index.
    if (filter.appid !== undefined || filter.openid !== undefined) {
      const conditions: string[] = [];
      if (filter.appid !== undefined) conditions.push('identity.appid = :appid');
      if (filter.openid !== undefined) conditions.push('identity.openid = :openid');
      query.andWhere(
        `user.id IN (SELECT identity.user_id FROM \`${this.identities}\` identity WHERE ${conditions.join(' AND ')})`,
        { appid: filter.appid, openid: filter.openid },
      );
    }
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
