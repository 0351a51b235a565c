import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEventKind } from './audit-event.js';
import { formatSqlTime, parseSqlTime } from '../common/sql-time.js';
import type { AuditEventRow } from './audit-row.js';
import { AUDIT_TABLE } from './migrations/1798500000000-create-audit-events.js';

/** Largest page {@link AuditQuery.find} returns. */
export const AUDIT_PAGE_MAX = 200;

export interface AuditQueryFilter {
  userId?: number;
  kind?: AuditEventKind;
  /** Only events that occurred before this time. */
  before?: Date;
  /**
   * Only events with a smaller id: the keyset cursor. The next page of a listing is the same filter
   * with `beforeId` set to the last row's id.
   */
  beforeId?: number;
  /** 1 to {@link AUDIT_PAGE_MAX}; larger values are capped. */
  limit: number;
}

/**
 * Reads the audit trail, newest first (by id, which follows insertion order), a page at a time with
 * keyset paging: `(user_id, id)` serves a user's events, the primary key everything else.
 */
@Injectable()
export class AuditQuery {
  constructor(private readonly dataSource: DataSource) {}

  async find(filter: AuditQueryFilter): Promise<AuditEventRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.userId !== undefined) {
      where.push('user_id = ?');
      params.push(filter.userId);
    }
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.before !== undefined) {
      where.push('occurred_at < ?');
      params.push(formatSqlTime(filter.before));
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const limit = Math.max(1, Math.min(AUDIT_PAGE_MAX, Math.floor(filter.limit) || 1));
    const rows = (await this.dataSource.query(
      `SELECT id, occurred_at, kind, user_id, appid, openid, code, operator, ip, user_agent, request_id, detail ` +
        `FROM ${AUDIT_TABLE} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`,
      params,
    )) as RawAuditRow[];
    return rows.map(toEventRow);
  }
}

interface RawAuditRow {
  id: number | string;
  occurred_at: Date | string;
  kind: AuditEventKind;
  user_id: number | string | null;
  appid: string | null;
  openid: string | null;
  code: string | null;
  operator: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  detail: string | null;
}

function toEventRow(raw: RawAuditRow): AuditEventRow {
  return {
    id: Number(raw.id),
    occurredAt: parseSqlTime(raw.occurred_at),
    kind: raw.kind,
    userId: raw.user_id === null ? null : Number(raw.user_id),
    appid: raw.appid,
    openid: raw.openid,
    code: raw.code,
    operator: raw.operator,
    ip: raw.ip,
    userAgent: raw.user_agent,
    requestId: raw.request_id,
    detail: raw.detail === null ? null : (JSON.parse(raw.detail) as AuditEventRow['detail']),
  };
}
