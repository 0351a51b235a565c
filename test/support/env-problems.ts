import { InvalidEnvironmentError, validateEnv } from '../../src/config/env.validation.js';

/** What validateEnv refuses in `env`, one line per problem; [] when it accepts it. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
  return [];
}

/** A complete, valid production environment (no real host behind it): specs change one thing at a time. */
export const VALID_PRODUCTION_ENV: Readonly<Record<string, string>> = Object.freeze({
  NODE_ENV: 'production',
  DATABASE_URL: 'mysql://app:pw@db:3306/weapp',
  REDIS_URL: 'redis://cache:6379',
  WECHAT_APPID: 'wx4f4bc4dec97d474b',
  WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
  SESSION_KEY_SECRET: 'x9QmJ2vR7tL4pW8zN3bK6hF1sD5gA0cE',
  PUBLIC_BASE_URL: 'https://api.example.com',
});
