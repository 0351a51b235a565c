import type { AuthEvent, AuthEventListener } from '../auth/index.js';
import type { AuditRecorder } from './audit-event.js';

/** The auth module's `events` option: its events, as audit events (the session's public id in detail). */
export class AuditAuthListener implements AuthEventListener {
  constructor(private readonly recorder: AuditRecorder) {}

  onAuthEvent({ kind, appid, userId, openid, sessionId, mergedUserIds }: AuthEvent, request: unknown): void {
    let detail: Record<string, string> | undefined;
    if (sessionId !== undefined) detail = { sessionId };
    if (mergedUserIds !== undefined) detail = { mergedUserIds: mergedUserIds.join(',') };
    this.recorder.record({ kind, appid, userId, openid, detail }, request);
  }
}
