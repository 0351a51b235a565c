import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { queryNotAllowed } from './profile.errors.js';
import { httpRequestOf } from '../common/http-context.js';

/**
 * Refuses any query string on routes that take none. The caller's identity comes from the session
 * token only, so an `?openid=` or `?userId=` is at best a client bug and at worst a probe: answer 400
 * rather than silently ignoring it (bodies get the same treatment from ValidBody's
 * `forbidNonWhitelisted`).
 */
@Injectable()
export class NoQueryParamsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { query } = httpRequestOf<{ query?: unknown }>(context);
    if (query !== null && typeof query === 'object' && Object.keys(query).length > 0) throw queryNotAllowed();
    return true;
  }
}
