import type { FastifyInstance } from 'fastify';

export interface SecurityHeadersOptions {
  /** `Strict-Transport-Security: max-age=<seconds>` on every response; undefined sends none. */
  hstsMaxAge?: number;
}

/**
 * Headers every response gets before any handler runs. `Cache-Control: no-store` by default because
 * almost every answer is per user (a token, a profile, a phone number, a session list, an export) or an
 * error that may echo input; public, immutable content (served avatars, the Swagger UI assets) sets its
 * own. `nosniff` everywhere, so no JSON or avatar is ever sniffed into HTML.
 *
 * One onRequest hook setting constant strings: no per-request allocation (the guarded GET /users/me is
 * benchmarked). Handlers and error filters may still override any of them.
 */
export function registerSecurityHeaders(
  fastify: FastifyInstance,
  { hstsMaxAge }: SecurityHeadersOptions = {},
): void {
  const hsts = hstsMaxAge === undefined ? undefined : `max-age=${hstsMaxAge}`;
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    if (hsts !== undefined) reply.header('strict-transport-security', hsts);
    done();
  });
}
