import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponseBody } from '../common/api.exception.js';
import { ERROR_CATALOGUE } from '../common/error-catalogue.js';
import { tokenLookupFailed } from '../auth/index.js';
import type { RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 60_000;

/**
 * Per-IP limit on failed token lookups: a bearer token that matched no session, on a guarded route
 * (401) or on `POST /auth/logout` (still 204 below the limit). Only those count, and only those are
 * refused past the limit (429 instead of their 401/204): a valid token always passes, so a guesser
 * behind a carrier NAT cannot lock out the honest users sharing its address.
 *
 * The decision is taken in `onSend`, once the auth module has marked the request (`tokenLookupFailed`),
 * from an in-memory map; counting goes to the shared store after that. Honest traffic pays one
 * property read per response. Tokens are 256-bit, so guessing cannot succeed; the limit keeps a
 * guesser from turning the session store into a free oracle or load generator.
 */
export class TokenGuessingLimiter {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly store: RateLimitStore,
    private readonly failuresPerMinute: number,
  ) {}

  register(fastify: FastifyInstance): void {
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (!tokenLookupFailed(request)) return done(null, payload);
      void this.recordFailure(request.ip);
      const until = this.blockedUntil.get(request.ip);
      if (until === undefined) return done(null, payload);
      if (until <= Date.now()) {
        this.blockedUntil.delete(request.ip);
        return done(null, payload);
      }
      done(null, this.refuse(request, reply, until));
    });
  }

  /** Turns the failed lookup's answer into a 429, in the error filter's shape. */
  private refuse(request: FastifyRequest, reply: FastifyReply, until: number): string {
    const { status } = ERROR_CATALOGUE.RATE_LIMITED;
    const body: ErrorResponseBody = {
      statusCode: status,
      code: 'RATE_LIMITED',
      message: 'Too many invalid session tokens from this address; retry later',
      requestId: request.id,
    };
    reply
      .code(status)
      .removeHeader('www-authenticate')
      .header('content-type', 'application/json; charset=utf-8')
      .header('retry-after', String(Math.max(1, Math.ceil((until - Date.now()) / 1000))));
    return JSON.stringify(body);
  }

  private async recordFailure(ip: string): Promise<void> {
    const { count, resetInMs } = await this.store.hit(`failed-token:${ip}`, WINDOW_MS);
    if (count > this.failuresPerMinute) this.blockedUntil.set(ip, Date.now() + resetInMs);
  }
}
