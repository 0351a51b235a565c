import type { SessionRecord } from '../session/session.store.js';
import { expiresAt } from '../session/session.service.js';

/** One of the caller's sessions, as listed to them: never a token or its hash. @publicApi */
export interface SessionSummary {
  id: string;
  /** True for the session making the request. */
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
}

/** A session record as its user sees it in a list; `current` marks `currentSessionId`. @publicApi */
export function mapSessionSummary(record: SessionRecord, currentSessionId: string): SessionSummary {
  return {
    id: record.id,
    current: record.id === currentSessionId,
    createdAt: new Date(record.createdAt).toISOString(),
    lastSeenAt: new Date(record.lastSeenAt).toISOString(),
    expiresAt: new Date(expiresAt(record)).toISOString(),
    userAgent: record.userAgent,
  };
}
