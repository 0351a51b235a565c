import {
  HttpException,
  Inject,
  Injectable,
  Optional,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { applyErrorHeaders } from '../../common/api.exception.js';
import {
  AUTH_FAILED_LOOKUP_PROPERTY,
  AUTH_RESOLVED_OPTIONS,
  AUTH_SESSION_PROPERTY,
  IS_PUBLIC_KEY,
} from '../auth.constants.js';
import type { ResolvedAuthOptions } from '../auth-options.validation.js';
import { FOR_APPS_KEY } from '../decorators/for-apps.decorator.js';
import { sessionInvalid, sessionWrongApp } from '../errors/auth.exception.js';
import { SessionService } from '../session/session.service.js';
import { hashSessionToken, parseBearerToken } from '../session/session-token.js';
import { SessionLookupHook } from './session-lookup.hook.js';
import { httpRequestOf, httpResponseOf } from '../../common/http-context.js';

/**
 * True when the request carried a bearer token that matched no live session: the guard refused it
 * (401), or `POST /auth/logout` found nothing to revoke. Not set when the store could not answer (503).
 * For host-app limiters counting token guesses, which can then leave valid tokens alone.
 * @publicApi
 */
export function tokenLookupFailed(request: unknown): boolean {
  return (request as Record<string, unknown>)[AUTH_FAILED_LOOKUP_PROPERTY] === true;
}

/**
 * Marks a bearer token on this request as a failed lookup (it matched nothing), so that the host's
 * guessing limiter counts it: for routes with credentials of their own (an operator API, say).
 * @publicApi
 */
export function markTokenLookupFailed(request: unknown): void {
  (request as Record<string, unknown>)[AUTH_FAILED_LOOKUP_PROPERTY] = true;
}

/**
 * The global guard: every route needs `Authorization: Bearer <token>` unless marked `@Public()`.
 * Only that header is read (never query strings or cookies, which leak into logs and caches). One
 * store read per request; no database access. A {@link SessionLookupHook}, when provided, is called as
 * the read starts. A route bound to some apps (`@ForApps()`, or the module's `sessionApps`) refuses a
 * session of another app with 403 `SESSION_WRONG_APP`.
 * @publicApi
 */
@Injectable()
export class SessionTokenGuard implements CanActivate {
  private readonly publicRoutes = new WeakMap<object, WeakMap<object, boolean>>();
  private readonly routeApps = new WeakMap<object, WeakMap<object, ReadonlySet<string> | null>>();
  /** The module's `sessionApps`: what routes without `@ForApps()` accept (null: any app). */
  private readonly serviceApps: ReadonlySet<string> | null;

  constructor(
    protected readonly reflector: Reflector,
    protected readonly sessions: SessionService,
    @Optional() protected readonly lookupHook?: SessionLookupHook,
    @Optional() @Inject(AUTH_RESOLVED_OPTIONS) options?: Pick<ResolvedAuthOptions, 'sessionApps'>,
  ) {
    this.serviceApps = options?.sessionApps ?? null;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http' || this.isPublic(context)) return true;
    const request = httpRequestOf<{ headers: Record<string, string | string[] | undefined> }>(context);
    let token: string | null | undefined;
    try {
      token = this.extractToken(request);
    } catch (error) {
      return refuse(context, error);
    }
    if (!token) return refuse(context, sessionInvalid());
    const tokenHash = hashSessionToken(token);
    // Before the read, so that what the hook sends shares the read's Redis batch (SessionLookupHook).
    this.lookupHook?.onLookup(context, tokenHash);
    // `then`, not async/await: one promise fewer on every guarded request.
    return this.sessions.authenticateHash(tokenHash).then(
      (session) => {
        const apps = this.allowedApps(context);
        if (apps !== null && !apps.has(session.record.appid)) return refuse(context, sessionWrongApp());
        this.sessions.touchIfDue(session);
        (request as Record<string, unknown>)[AUTH_SESSION_PROPERTY] = session;
        return true;
      },
      (error: unknown) => {
        // A token the store answered "no" for (unknown, expired, revoked), not a store outage.
        if (error instanceof HttpException && error.getStatus() === 401) markTokenLookupFailed(request);
        return refuse(context, error);
      },
    );
  }

  protected isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const controller = context.getClass();
    // Decorators are fixed once the app is built: read them once per route, not per request.
    let byHandler = this.publicRoutes.get(controller);
    if (!byHandler) this.publicRoutes.set(controller, (byHandler = new WeakMap()));
    let isPublic = byHandler.get(handler);
    if (isPublic === undefined) {
      isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, controller]) === true;
      byHandler.set(handler, isPublic);
    }
    return isPublic;
  }

  /**
   * The appids whose sessions this route accepts (`@ForApps()` on the method, else on the class, else
   * the module's `sessionApps`), or null for any. Read once per route, like {@link isPublic}.
   */
  protected allowedApps(context: ExecutionContext): ReadonlySet<string> | null {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.routeApps.get(controller);
    if (!byHandler) this.routeApps.set(controller, (byHandler = new WeakMap()));
    let apps = byHandler.get(handler);
    if (apps === undefined) {
      const listed = this.reflector.getAllAndOverride<readonly string[] | undefined>(FOR_APPS_KEY, [
        handler,
        controller,
      ]);
      apps = listed ? new Set(listed) : this.serviceApps;
      byHandler.set(handler, apps);
    }
    return apps;
  }

  protected extractToken(request: {
    headers: Record<string, string | string[] | undefined>;
  }): string | null | undefined {
    return parseBearerToken(request.headers.authorization);
  }
}

/** Sends the error's headers (WWW-Authenticate, say) with the refusal, then throws it. */
function refuse(context: ExecutionContext, error: unknown): never {
  applyErrorHeaders(httpResponseOf(context), error);
  throw error;
}
