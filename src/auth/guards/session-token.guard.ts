import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { applyErrorHeaders } from '../../common/api.exception.js';
import { AUTH_SESSION_PROPERTY, IS_PUBLIC_KEY } from '../auth.constants.js';
import { sessionInvalid } from '../errors/auth.exception.js';
import { SessionService } from '../session/session.service.js';
import { parseBearerToken } from '../session/session-token.js';

/**
 * The global guard: every route needs `Authorization: Bearer <token>` unless marked `@Public()`.
 * Only that header is read (never query strings or cookies, which leak into logs and caches). One
 * store read per request; no database access.
 * @publicApi
 */
@Injectable()
export class SessionTokenGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly sessions: SessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || this.isPublic(context)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    try {
      const token = this.extractToken(request);
      if (!token) throw sessionInvalid();
      const session = await this.sessions.authenticate(token);
      this.sessions.touchIfDue(session);
      (request as Record<string, unknown>)[AUTH_SESSION_PROPERTY] = session;
      return true;
    } catch (error) {
      applyErrorHeaders(http.getResponse(), error);
      throw error;
    }
  }

  protected isPublic(context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]) ===
      true
    );
  }

  protected extractToken(request: {
    headers: Record<string, string | string[] | undefined>;
  }): string | null | undefined {
    return parseBearerToken(request.headers.authorization);
  }
}
