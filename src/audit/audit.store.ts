import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditRow } from './audit-row.js';
import { AUDIT_TABLE } from './migrations/1798500000000-create-audit-events.js';

const COLUMNS =
  'occurred_at, kind, user_id, appid, openid, code, operator, ip, user_agent, request_id, detail';
const PLACEHOLDERS = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** Where audit rows are written and purged: the app's database, or a fake in unit specs. @internal */
export abstract class AuditStore {
  /** Inserts every row, in one statement; rejects if none was written. */
  abstract insert(rows: readonly AuditRow[]): Promise<void>;

  /**
   * Deletes up to `limit` rows older than `cutoff` (`YYYY-MM-DD HH:MM:SS.mmm` UTC), returns how many.
   * `session` is what {@link exclusively} handed out.
   */
  abstract deleteOlderThan(cutoff: string, limit: number, session: unknown): Promise<number>;

  /**
   * Runs `work` unless another instance is running it under the same name, in which case it resolves
   * null at once: the retention job needs no coordination to be correct, this only saves duplicate work.
   */
  abstract exclusively<T>(name: string, work: (session: unknown) => Promise<T>): Promise<T | null>;
}

/** The app's TypeORM DataSource: MySQL/MariaDB, or sql.js (SQLite) in development. */
@Injectable()
export class TypeOrmAuditStore extends AuditStore {
  private readonly mysql: boolean;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.mysql = dataSource.options.type === 'mysql';
  }

  async insert(rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    for (const row of rows) {
      params.push(
        row.occurredAt,
        row.kind,
        row.userId,
        row.appid,
        row.openid,
        row.code,
        row.operator,
        row.ip,
        row.userAgent,
        row.requestId,
        row.detail,
      );
    }
    const values = new Array<string>(rows.length).fill(PLACEHOLDERS).join(', ');
    await this.dataSource.query(`INSERT INTO ${AUDIT_TABLE} (${COLUMNS}) VALUES ${values}`, params);
  }

  async deleteOlderThan(cutoff: string, limit: number, session: unknown): Promise<number> {
    const runner = session as ReturnType<DataSource['createQueryRunner']>;
    // SQLite has no DELETE … LIMIT unless compiled with it: go through the ids.
    const sql = this.mysql
      ? `DELETE FROM ${AUDIT_TABLE} WHERE occurred_at < ? ORDER BY occurred_at LIMIT ${limit}`
      : `DELETE FROM ${AUDIT_TABLE} WHERE id IN ` +
        `(SELECT id FROM ${AUDIT_TABLE} WHERE occurred_at < ? ORDER BY id LIMIT ${limit})`;
    const result = await runner.query(sql, [cutoff], true);
    return Number(result.affected ?? 0);
  }

  async exclusively<T>(name: string, work: (session: unknown) => Promise<T>): Promise<T | null> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      // sql.js is one process per file (development-database.ts locks it): nothing to coordinate.
      if (!this.mysql) return await work(runner);
      // A MySQL named lock lives on one connection, hence the dedicated runner; wait 0 s: skip if taken.
      // Named per database: instances of other deployments on the same server do not wait for us.
      const lock = "CONCAT(?, ':', DATABASE())";
      const [{ acquired }] = (await runner.query(`SELECT GET_LOCK(${lock}, 0) AS acquired`, [name])) as {
        acquired: number | null;
      }[];
      if (Number(acquired) !== 1) return null;
      try {
        return await work(runner);
      } finally {
        await runner.query(`SELECT RELEASE_LOCK(${lock})`, [name]);
      }
    } finally {
      await runner.release();
    }
  }
}
