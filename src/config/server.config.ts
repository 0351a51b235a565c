import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

export interface ServerConfig {
  logLevel: string;
  /** Fastify's trustProxy: false, a hop-count predicate, or the proxies' addresses. Never a blanket `true`. */
  trustProxy: false | string | ((address: string, hop: number) => boolean);
  shutdownDrainMs: number;
  shutdownGraceMs: number;
  /** `Strict-Transport-Security` max-age in seconds; undefined: no HSTS header. */
  hstsMaxAge: number | undefined;
  /** Time to receive a whole request (headers and body); a socket idle twice that long is closed. */
  requestTimeoutMs: number;
}

export const serverConfig = registerAs('server', (): ServerConfig => {
  const env = validateEnv(process.env);
  return {
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS ?? 0,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS ?? 10_000,
    hstsMaxAge: env.HSTS_MAX_AGE,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS ?? 30_000,
  };
});

/**
 * Off by default: X-Forwarded-For is then ignored and the client address is the TCP peer. With a hop
 * count, only that many proxies' entries are believed; with addresses, only those proxies'.
 */
export function parseTrustProxy(value: string | undefined): ServerConfig['trustProxy'] {
  if (!value || ['false', 'off', '0'].includes(value)) return false;
  if (!/^\d+$/.test(value)) return value;
  const hops = Number(value);
  // proxy-addr's hop semantics: trust the nearest `hops` addresses, take the client from beyond them.
  return (_address: string, hop: number) => hop < hops;
}
