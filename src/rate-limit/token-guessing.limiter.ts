import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponseBody } from '../common/api.exception.js';
import { ERROR_CATALOGUE } from '../common/error-catalogue.js';
import type { RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 60_000;

/**
 * Per-IP limit on failed token lookups (a 401 on a guarded route for a request that carried a token).
 * Counting happens after the response, in the shared store; the check before a request is an
 * in-memory lookup, so honest traffic pays nothing. Past the limit, requests from that address that
 * carry a token get 429 until the window ends. Tokens are 256-bit, so guessing cannot succeed; this
 * keeps a guesser from turning the session store into a free oracle or load generator.
 */
export class TokenGuessingLimiter {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly store: RateLimitStore,
    private readonly failuresPerMinute: number,
  ) {}

  register(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const until = this.blockedUntil.get(request.ip);
      if (until === undefined || !request.headers.authorization) return done();
      if (until <= Date.now()) {
        this.blockedUntil.delete(request.ip);
        return done();
      }
      this.refuse(request, reply, until);
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      if (
        reply.statusCode === 401 &&
        request.headers.authorization &&
        request.routeOptions.url !== '/auth/login'
      ) {
        void this.recordFailure(request.ip);
      }
      done();
    });
  }

  private refuse(request: FastifyRequest, reply: FastifyReply, until: number): void {
    // Sent from a Fastify hook, before Nest: the body is built here, in the filter's shape.
    const { status } = ERROR_CATALOGUE.RATE_LIMITED;
    const body: ErrorResponseBody = {
      statusCode: status,
      code: 'RATE_LIMITED',
      message: 'Too many invalid session tokens from this address; retry later',
      requestId: request.id,
    };
    void reply
      .code(status)
      .header('retry-after', String(Math.max(1, Math.ceil((until - Date.now()) / 1000))))
      .send(body);
  }

  private async recordFailure(ip: string): Promise<void> {
    const { count, resetInMs } = await this.store.hit(`failed-token:${ip}`, WINDOW_MS);
    if (count > this.failuresPerMinute) this.blockedUntil.set(ip, Date.now() + resetInMs);
  }
}
