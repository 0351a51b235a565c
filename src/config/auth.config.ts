import { Logger } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { parseDurationSeconds } from './duration.js';
import { validateEnv } from './env.validation.js';

export interface AuthConfig {
  sessionKeySecret: string;
  /** True when no SESSION_KEY_SECRET is set (development): a random one per process. */
  ephemeralSecret: boolean;
  idleTtlSeconds: number;
  touchIntervalSeconds: number;
  absoluteTtlSeconds: number;
  maxSessionsPerUser: number;
}

export const authConfig = registerAs('auth', (): AuthConfig => {
  const env = validateEnv(process.env);
  const seconds = (value: string | undefined, fallback: number) =>
    value ? parseDurationSeconds(value)! : fallback;
  if (!env.SESSION_KEY_SECRET) {
    new Logger('Config').warn(
      'SESSION_KEY_SECRET is not set: using a random one, so stored session_keys do not survive a restart',
    );
  }
  return {
    // Production refuses to start without it (env.validation.ts); development gets a throwaway one.
    sessionKeySecret: env.SESSION_KEY_SECRET ?? randomBytes(32).toString('base64url'),
    ephemeralSecret: !env.SESSION_KEY_SECRET,
    idleTtlSeconds: seconds(env.SESSION_IDLE_TTL, 7 * 86_400),
    touchIntervalSeconds: seconds(env.SESSION_TOUCH_INTERVAL, 3600),
    absoluteTtlSeconds: seconds(env.SESSION_ABSOLUTE_TTL, 30 * 86_400),
    maxSessionsPerUser: env.SESSION_MAX_PER_USER ?? 10,
  };
});
