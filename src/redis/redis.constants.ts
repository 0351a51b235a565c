/** Injection token for the shared ioredis connection, or `null` in development without REDIS_URL. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
