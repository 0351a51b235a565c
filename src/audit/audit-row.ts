import { formatSqlTime } from '../common/sql-time.js';
import type { AuditEventInput, AuditEventKind } from './audit-event.js';

/** Column bounds of `audit_events` (migrations/): values are cut to fit, never refused. */
const MAX = { appid: 32, openid: 64, code: 64, operator: 64, ip: 45, userAgent: 255, requestId: 64 };
const MAX_DETAIL_CHARS = 1024;

/** One event as it is inserted, captured when it is recorded (the request is not kept). @internal */
export interface AuditRow {
  /** UTC, `YYYY-MM-DD HH:MM:SS.mmm`: what DATETIME(3) and SQLite's text dates both take and compare. */
  occurredAt: string;
  kind: AuditEventKind;
  userId: number | null;
  appid: string | null;
  openid: string | null;
  code: string | null;
  operator: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** JSON, or null. */
  detail: string | null;
}

/** A stored event, as `AuditQuery` returns it. @publicApi */
export interface AuditEventRow {
  id: number;
  occurredAt: Date;
  kind: AuditEventKind;
  userId: number | null;
  appid: string | null;
  openid: string | null;
  code: string | null;
  operator: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  detail: Record<string, string | number | boolean | null> | null;
}

export function toAuditRow(event: AuditEventInput, request: unknown, now: number): AuditRow {
  const http = request as FastifyLike | null | undefined;
  return {
    occurredAt: formatSqlTime(now),
    kind: event.kind,
    userId: event.userId ?? null,
    appid: cut(event.appid, MAX.appid),
    openid: cut(event.openid, MAX.openid),
    code: cut(event.code, MAX.code),
    operator: cut(event.operator, MAX.operator),
    // Fastify's `request.ip`: the client address after TRUST_PROXY, the one the rate limiter keys on.
    ip: cut(http?.ip, MAX.ip),
    userAgent: cut(http?.headers?.['user-agent'], MAX.userAgent),
    requestId: cut(http?.id, MAX.requestId),
    detail: detailJson(event.detail),
  };
}

interface FastifyLike {
  ip?: unknown;
  id?: unknown;
  headers?: Record<string, unknown>;
}

/** Cut to `max` characters (code points, as the column counts them); non-strings become null. */
function cut(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  if (value.length <= max) return value;
  return Array.from(value).slice(0, max).join('');
}

function detailJson(detail: AuditEventInput['detail']): string | null {
  if (!detail || Object.keys(detail).length === 0) return null;
  const json = JSON.stringify(detail);
  return json.length <= MAX_DETAIL_CHARS ? json : JSON.stringify({ truncated: true });
}
