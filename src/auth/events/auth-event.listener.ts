import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../../common/error-message.js';
import { AUTH_RESOLVED_OPTIONS } from '../auth.constants.js';
import type { ResolvedAuthOptions } from '../auth-options.validation.js';

/**
 * What the module reports to {@link AuthEventListener}: successful logins and the session routes. A failed
 * login is not among them: most failures (a bad body, a rate limit, WeChat refusing the code) are answered
 * before the module's own code runs, so the host records those from the HTTP response instead.
 * @publicApi
 */
export type AuthEventKind =
  'login.succeeded' | 'logout' | 'session.revoked' | 'sessions.revoked_all' | 'accounts.merged';

/** One auth event. Never carries a token, a login code or a session_key. @publicApi */
export interface AuthEvent {
  kind: AuthEventKind;
  appid: string;
  userId: number;
  /** The user's openid in `appid`, when the module knows it (login). */
  openid?: string;
  /**
   * The public session id (as `GET /auth/sessions` lists it, never the token): the session issued
   * (login), ended (logout) or revoked (`DELETE /auth/sessions/:id`).
   */
  sessionId?: string;
  /** `accounts.merged`: the users merged into `userId` by this login (their sessions moved to it). */
  mergedUserIds?: number[];
}

/**
 * The `events` option of `AuthModule`: told of every {@link AuthEvent} synchronously, on the request
 * that caused it (after the fact: the session exists, or is gone). `request` is the framework's request
 * object (Fastify's or Express's), for the client address, user agent and request id. Keep it cheap and
 * never wait on I/O in it (queue the event): it runs on the login path. A listener that throws is logged
 * and otherwise ignored; the request succeeds.
 * @publicApi
 */
export interface AuthEventListener {
  onAuthEvent(event: AuthEvent, request: unknown): void;
}

/** Calls the configured listener, if any, and keeps its failures away from the request. @internal */
@Injectable()
export class AuthEvents {
  private readonly logger = new Logger(AuthEvents.name);
  private readonly listener: AuthEventListener | null;

  constructor(@Inject(AUTH_RESOLVED_OPTIONS) options: ResolvedAuthOptions) {
    this.listener = options.source.events ?? null;
  }

  emit(event: AuthEvent, request: unknown): void {
    if (this.listener === null) return;
    try {
      this.listener.onAuthEvent(event, request);
    } catch (error) {
      this.logger.warn(`auth event listener failed on ${event.kind}: ${errorMessage(error)}`);
    }
  }
}
