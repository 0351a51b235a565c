import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AUTH_SESSION_PROPERTY } from '../auth.constants.js';
import type { AuthenticatedSession } from '../session/session.service.js';
import { httpRequestOf } from '../../common/http-context.js';

/** Who is calling, as established by the session guard. @publicApi */
export interface CurrentUserContext {
  userId: number;
  appid: string;
  sessionId: string;
  /** The openid the session logged in with, in `appid` (absent in sessions from before identities). */
  openid?: string;
}

/** The authenticated request's session, or undefined on a public route (for guards and interceptors). @publicApi */
export function sessionOf(request: unknown): AuthenticatedSession | undefined {
  return (request as Record<string, AuthenticatedSession | undefined>)[AUTH_SESSION_PROPERTY];
}

/** `{ userId, appid, sessionId }` of an authenticated session. @publicApi */
export function callerOf({ record }: AuthenticatedSession): CurrentUserContext {
  const caller: CurrentUserContext = { userId: record.userId, appid: record.appid, sessionId: record.id };
  if (record.openid !== undefined) caller.openid = record.openid;
  return caller;
}

/**
 * Injects `{ userId, appid, sessionId }` of the caller. Only meaningful on guarded routes.
 * @publicApi
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CurrentUserContext => {
    const session = sessionOf(httpRequestOf(context));
    if (!session) throw new Error('@CurrentUser() used on a route the session guard did not authenticate');
    return callerOf(session);
  },
);

/**
 * Injects the caller's whole authenticated session (record with cached profile, token hash).
 * @publicApi
 */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedSession => {
    const session = sessionOf(httpRequestOf(context));
    if (!session) throw new Error('@CurrentSession() used on a route the session guard did not authenticate');
    return session;
  },
);
