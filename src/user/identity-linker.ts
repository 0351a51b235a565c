import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError, type DataSource, type QueryRunner } from 'typeorm';
import { AccountConflictError, type ConflictingAccount } from '../common/account-conflict.error.js';
import type { LoginEvidence, MergedUser, VerifiedPhone, WechatIdentity } from '../common/identity.js';
import { formatSqlTime, parseSqlTime } from '../common/sql-time.js';
import { mergedColumns, orphanedAvatarFile } from './merged-profile.js';
import { USER_COLUMNS, type UserRow } from './user-row.js';

export type Dialect = 'mariadb' | 'mysql' | 'sqlite';

/** What linking decided: the person, and who was merged into it (with the avatar files they left). */
export interface LinkOutcome {
  userId: number;
  merged: MergedUser[];
  orphanedAvatarFiles: string[];
}

type Reason = ConflictingAccount['matchedBy'][number];
type Sql = (query: string, parameters?: unknown[]) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How long a login waits for another login holding one of its evidence locks (seconds). */
const LOCK_WAIT_SECONDS = 5;
const MAX_ATTEMPTS = 4;
const DEADLOCK_ERRNO = 1213;
const LOCK_WAIT_TIMEOUT_ERRNO = 1205;
const DUPLICATE_KEY_ERRNO = 1062;

/**
 * The linking rules (README "One person across WeChat"), enforced here and nowhere else. A login
 * whose identity (appid, openid) is already known and brings nothing new never gets here: the
 * users service answers it from one batched read. Everything else does:
 *
 * 1. The evidence: the identity's owner, the person holding the login's unionid, the person holding
 *    the verified phone number the login carries.
 * 2. No one: a new person with this identity. One person: the identity joins it (a person has at most
 *    one identity per app; another openid in the same app is another WeChat account: conflict).
 * 3. Two or more: 409 ACCOUNT_CONFLICT and nothing changes, unless the login asks to merge. A merge
 *    keeps the oldest person and moves the others' identities and fields into it (merged-profile.ts),
 *    refused when the persons have identities in one app, two different unionids, or a ban.
 *
 * Each decision is one transaction. On MySQL/MariaDB it runs under named locks (GET_LOCK) on the
 * unionid and the phone number, taken in sorted order: two first logins of one person from two apps
 * wait for each other, and the second joins the person the first created. That holds at any isolation
 * level, where gap locks would depend on REPEATABLE READ. The identity needs no lock: its unique key
 * makes a concurrent duplicate fail, and the retry finds the winner's person. SQLite (development,
 * one connection) runs decisions one at a time. A first login without a unionid or phone costs five
 * statements: BEGIN, the evidence, the person, the identity, COMMIT.
 */
export class IdentityLinker {
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: string,
    private readonly identities: string,
    private readonly dialect: () => Promise<Dialect>,
  ) {}

  async link(identity: WechatIdentity, evidence: LoginEvidence, now: Date): Promise<LinkOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.linkOnce(identity, evidence, now);
      } catch (error) {
        // Lost a race the locks do not cover (a deadlock, or a concurrent insert of the same key):
        // the next attempt sees the winner's rows.
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
        await sleep(5 * attempt + Math.random() * 10);
      }
    }
  }

  /** Merges `mergedId` into `survivorId` (the operator's merge): the same rules and precedence. */
  async merge(survivorId: number, mergedId: number): Promise<LinkOutcome> {
    const names = [`user:${Math.min(survivorId, mergedId)}`, `user:${Math.max(survivorId, mergedId)}`];
    return this.inTransaction(names, async (sql, mysql) => {
      const present = (await sql(`SELECT id FROM \`${this.users}\` WHERE id IN (?, ?)`, [
        survivorId,
        mergedId,
      ])) as { id: number }[];
      if (present.length < 2) return { userId: survivorId, merged: [], orphanedAvatarFiles: [] };
      const reasons = new Map<number, Set<Reason>>([
        [survivorId, new Set()],
        [mergedId, new Set()],
      ]);
      if (await this.mergeProblem(sql, [survivorId, mergedId])) {
        throw new AccountConflictError(await this.describe(sql, reasons), false);
      }
      const outcome: LinkOutcome = { userId: survivorId, merged: [], orphanedAvatarFiles: [] };
      await this.mergeInto(sql, mysql, survivorId, mergedId, outcome);
      return outcome;
    });
  }

  private async linkOnce(identity: WechatIdentity, evidence: LoginEvidence, now: Date): Promise<LinkOutcome> {
    // The identity itself needs no lock: its unique key turns a concurrent duplicate into a retry.
    const { unionid } = identity;
    const names: string[] = [];
    if (unionid !== undefined) names.push(`unionid:${unionid}`);
    if (evidence.phone) names.push(`phone:${evidence.phone.countryCode}:${evidence.phone.purePhoneNumber}`);
    return this.inTransaction(names, (sql, mysql) => this.decide(sql, mysql, identity, evidence, now));
  }

  private async decide(
    sql: Sql,
    mysql: boolean,
    { appid, openid, unionid, kind = 'mini_program' }: WechatIdentity,
    { phone, merge }: LoginEvidence,
    now: Date,
  ): Promise<LinkOutcome> {
    const at = mysql ? now : formatSqlTime(now);
    const reasons = new Map<number, Set<Reason>>();
    const note = (rows: { id: number }[], reason: Reason) => {
      for (const { id } of rows) {
        const key = Number(id);
        if (!reasons.has(key)) reasons.set(key, new Set());
        reasons.get(key)!.add(reason);
      }
    };
    // The evidence in one statement: the identity's owner, the unionid's and the phone's holders.
    const parts = [
      `SELECT 'identity' AS reason, user_id AS id FROM \`${this.identities}\` WHERE appid = ? AND openid = ?`,
    ];
    const values: unknown[] = [appid, openid];
    if (unionid !== undefined) {
      parts.push(`SELECT 'unionid', id FROM \`${this.users}\` WHERE unionid = ?`);
      values.push(unionid);
    }
    if (phone) {
      parts.push(
        `SELECT 'phone', id FROM \`${this.users}\` WHERE pure_phone_number = ? AND country_code = ?`,
      );
      values.push(phone.purePhoneNumber, phone.countryCode);
    }
    const found = (await sql(parts.join(' UNION ALL '), values)) as { reason: Reason; id: number }[];
    for (const { reason, id } of found) note([{ id }], reason);
    const owner = found.find(({ reason }) => reason === 'identity');

    const outcome: LinkOutcome = { userId: 0, merged: [], orphanedAvatarFiles: [] };
    const candidates = [...reasons.keys()].sort((a, b) => a - b);
    if (candidates.length > 1) {
      const problem = await this.mergeProblem(sql, candidates);
      if (!merge || problem) throw new AccountConflictError(await this.describe(sql, reasons), !problem);
      // The oldest account survives: its id is the one other systems most likely hold.
      outcome.userId = candidates[0];
      for (const other of candidates.slice(1))
        await this.mergeInto(sql, mysql, outcome.userId, other, outcome);
    } else if (candidates.length === 1) {
      outcome.userId = candidates[0];
    } else {
      // A new person, with everything this login knows: nothing left to update but the identity.
      outcome.userId = await this.createPerson(sql, mysql, { appid, openid, unionid, phone }, at);
      await this.insertIdentity(sql, outcome.userId, appid, openid, kind, at);
      return outcome;
    }

    if (owner) {
      await sql(`UPDATE \`${this.identities}\` SET last_seen_at = ? WHERE appid = ? AND openid = ?`, [
        at,
        appid,
        openid,
      ]);
    } else {
      const [sameApp] = (await sql(
        `SELECT openid FROM \`${this.identities}\` WHERE user_id = ? AND appid = ?`,
        [outcome.userId, appid],
      )) as { openid: string }[];
      if (sameApp) throw new AccountConflictError(await this.describe(sql, reasons), false);
      await this.insertIdentity(sql, outcome.userId, appid, openid, kind, at);
    }
    const set = ['last_login_at = ?', 'unionid = COALESCE(unionid, ?)'];
    const changes: unknown[] = [at, unionid ?? null];
    if (phone) {
      // The number WeChat verified just now is the person's current one.
      set.push('phone_number = ?', 'pure_phone_number = ?', 'country_code = ?');
      changes.push(phone.phoneNumber, phone.purePhoneNumber, phone.countryCode);
    }
    await sql(`UPDATE \`${this.users}\` SET ${set.join(', ')} WHERE id = ?`, [...changes, outcome.userId]);
    return outcome;
  }

  private async insertIdentity(
    sql: Sql,
    userId: number,
    appid: string,
    openid: string,
    kind: string,
    at: unknown,
  ): Promise<void> {
    await sql(
      `INSERT INTO \`${this.identities}\` (user_id, appid, openid, kind, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [userId, appid, openid, kind, at, at],
    );
  }

  private async createPerson(
    sql: Sql,
    mysql: boolean,
    { appid, openid, unionid, phone }: WechatIdentity & { phone?: VerifiedPhone },
    at: unknown,
  ): Promise<number> {
    const insert =
      `INSERT INTO \`${this.users}\` (appid, openid, unionid, created_at, last_login_at, phone_number, pure_phone_number, country_code) ` +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
    // Created at the first login's own time: the login never predates the person.
    const values = [
      appid,
      openid,
      unionid ?? null,
      at,
      at,
      phone?.phoneNumber ?? null,
      phone?.purePhoneNumber ?? null,
      phone?.countryCode ?? null,
    ];
    if (mysql) {
      const result = (await sql(insert, values)) as { insertId: number };
      return Number(result.insertId);
    }
    const [row] = (await sql(`${insert} RETURNING id`, values)) as { id: number }[];
    return Number(row.id);
  }

  /**
   * Why these persons cannot be merged, or null: identities in one app, two unionids, or a ban (an
   * operator lifts it first).
   */
  private async mergeProblem(sql: Sql, ids: number[]): Promise<string | null> {
    const marks = ids.map(() => '?').join(', ');
    const sharedApps = (await sql(
      `SELECT appid FROM \`${this.identities}\` WHERE user_id IN (${marks}) GROUP BY appid HAVING COUNT(*) > 1`,
      ids,
    )) as unknown[];
    if (sharedApps.length > 0) return 'two WeChat accounts in one app';
    const [{ unionids }] = (await sql(
      `SELECT COUNT(DISTINCT unionid) AS unionids FROM \`${this.users}\` WHERE id IN (${marks}) AND unionid IS NOT NULL`,
      ids,
    )) as { unionids: number }[];
    if (Number(unionids) > 1) return 'two different unionids';
    // A merge would either lift a ban or ban the other account's live sessions behind their back.
    const [{ banned }] = (await sql(
      `SELECT COUNT(*) AS banned FROM \`${this.users}\` WHERE id IN (${marks}) AND banned_at IS NOT NULL`,
      ids,
    )) as { banned: number }[];
    return Number(banned) > 0 ? 'a banned account' : null;
  }

  /** Moves `mergedId`'s identities and fields into `survivorId` and deletes it; records it in `outcome`. */
  private async mergeInto(
    sql: Sql,
    mysql: boolean,
    survivorId: number,
    mergedId: number,
    outcome: LinkOutcome,
  ): Promise<void> {
    const rows = (await sql(
      `SELECT ${USER_COLUMNS} FROM \`${this.users}\` WHERE id IN (?, ?)${mysql ? ' FOR UPDATE' : ''}`,
      [survivorId, mergedId],
    )) as UserRow[];
    const survivor = rows.find((row) => Number(row.id) === survivorId)!;
    const merged = rows.find((row) => Number(row.id) === mergedId)!;
    const columns = mergedColumns(survivor, merged);
    const orphan = orphanedAvatarFile(survivor, merged);
    const appids = (
      (await sql(`SELECT DISTINCT appid FROM \`${this.identities}\` WHERE user_id = ?`, [mergedId])) as {
        appid: string;
      }[]
    ).map(({ appid }) => appid);
    await sql(`UPDATE \`${this.identities}\` SET user_id = ? WHERE user_id = ?`, [survivorId, mergedId]);
    await sql(`DELETE FROM \`${this.users}\` WHERE id = ?`, [mergedId]);
    const names = Object.keys(columns);
    await sql(`UPDATE \`${this.users}\` SET ${names.map((name) => `${name} = ?`).join(', ')} WHERE id = ?`, [
      ...names.map((name) => columns[name as keyof typeof columns]),
      survivorId,
    ]);
    outcome.merged.push({ userId: mergedId, appids });
    if (orphan !== null) outcome.orphanedAvatarFiles.push(orphan);
  }

  /** The accounts a conflict involves, as the client may show them (no profile, no phone number). */
  private async describe(sql: Sql, reasons: Map<number, Set<Reason>>): Promise<ConflictingAccount[]> {
    const ids = [...reasons.keys()].sort((a, b) => a - b);
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(', ');
    const apps = (await sql(
      `SELECT user_id, appid, kind FROM \`${this.identities}\` WHERE user_id IN (${marks}) ORDER BY id`,
      ids,
    )) as { user_id: number; appid: string; kind: string }[];
    const created = (await sql(
      `SELECT id, created_at FROM \`${this.users}\` WHERE id IN (${marks})`,
      ids,
    )) as {
      id: number;
      created_at: Date | string;
    }[];
    return ids.map((id) => {
      const createdAt = created.find((row) => Number(row.id) === id)?.created_at;
      return {
        matchedBy: [...reasons.get(id)!],
        apps: apps.filter((row) => Number(row.user_id) === id).map(({ appid, kind }) => ({ appid, kind })),
        createdAt: createdAt === undefined ? '' : parseSqlTime(createdAt).toISOString(),
      };
    });
  }

  /** Runs `work` in one transaction, under the named locks on MySQL/MariaDB, one at a time on SQLite. */
  private async inTransaction<T>(
    lockNames: string[],
    work: (sql: Sql, mysql: boolean) => Promise<T>,
  ): Promise<T> {
    const mysql = (await this.dialect()) !== 'sqlite';
    if (!mysql) {
      const run = this.sqliteQueue.then(() => this.transaction(null, work, false));
      this.sqliteQueue = run.catch(() => undefined);
      return run;
    }
    return this.transaction([...new Set(lockNames)].sort(), work, true);
  }

  private async transaction<T>(
    lockNames: string[] | null,
    work: (sql: Sql, mysql: boolean) => Promise<T>,
    mysql: boolean,
  ): Promise<T> {
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    const sql: Sql = (query, parameters) => runner.query(query, parameters);
    await runner.connect();
    try {
      if (lockNames && lockNames.length > 0) {
        // All in one statement, in sorted order (the caller sorted them): one round trip.
        const calls = lockNames.map((_, i) => `GET_LOCK(?, ${LOCK_WAIT_SECONDS}) AS l${i}`).join(', ');
        const [row] = (await sql(
          `SELECT ${calls}`,
          lockNames.map((name) => lockName(this.users, name)),
        )) as Record<string, number | null>[];
        if (Object.values(row).some((locked) => Number(locked) !== 1)) {
          throw new Error('another login of this person held its lock too long');
        }
      }
      await runner.startTransaction();
      try {
        const result = await work(sql, mysql);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    } finally {
      // Named locks belong to the connection: free them before it goes back to the pool.
      if (lockNames && lockNames.length > 0) await sql('SELECT RELEASE_ALL_LOCKS()').catch(() => undefined);
      await runner.release();
    }
  }
}

/** GET_LOCK names are at most 64 characters and server-wide: a digest, scoped by the users table. */
function lockName(table: string, name: string): string {
  const digest = createHash('sha256').update(`${table}\0${name}`).digest('base64url');
  return `wxauth:${digest.slice(0, 40)}`;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { errno?: number; message?: string } | undefined;
  const errno = driverError?.errno;
  if (errno === DEADLOCK_ERRNO || errno === LOCK_WAIT_TIMEOUT_ERRNO || errno === DUPLICATE_KEY_ERRNO) {
    return true;
  }
  return /UNIQUE constraint failed/.test(driverError?.message ?? error.message);
}
