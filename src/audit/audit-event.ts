/**
 * What the audit trail records. Kinds are stable strings (they are stored and filtered on). Never a
 * token, session_key, login code or phone number in clear: `detail` holds small, non-secret facts only.
 */
export const AUDIT_EVENT_KINDS = [
  'login.succeeded',
  'login.failed',
  'logout',
  'session.revoked',
  'sessions.revoked_all',
  'accounts.merged',
  'user.banned',
  'user.unbanned',
  'phone.bound',
  'profile.changed',
  'account.deleted',
  'operator.call',
] as const;

export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

/** The request an event came from, as the rate limiter sees it (client address after TRUST_PROXY). */
export interface AuditRequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditEventInput {
  kind: AuditEventKind;
  userId?: number | null;
  /** The identity involved (the mini program's appid and the user's openid there), when known. */
  appid?: string | null;
  openid?: string | null;
  /** The stable error code of a failure (`login.failed`), or null. */
  code?: string | null;
  /** The operator's configured name, for operator calls and what they cause. */
  operator?: string | null;
  /** Small non-secret facts: a session's public id, the fields a profile change touched, a route. */
  detail?: Record<string, string | number | boolean | null>;
}

/** Records audit events; implemented by AuditTrail (audit.trail.ts). */
export abstract class AuditRecorder {
  /**
   * Queues one event; returns at once. Never throws and never waits on the database: writes are
   * batched off the request path, and an outage is counted and logged, not passed on.
   * `request` is the framework request (Fastify's), from which the address, user agent and request id
   * are taken.
   */
  abstract record(event: AuditEventInput, request?: unknown): void;

  /** Events queued and not yet written, dropped (queue full) and failed batch writes, since start. */
  abstract stats(): { backlog: number; dropped: number; failedWrites: number };
}
