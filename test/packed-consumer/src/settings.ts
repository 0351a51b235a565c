/** What the packed-consumer test hands the app through the environment. */
export interface ConsumerSettings {
  /** `full`: login routes, TypeORM, WeChat client. `token-only`: `routes: false`, Redis only. */
  mode: 'full' | 'token-only';
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  sessionKeySecret: string;
}

/** weapp-auth's user table in this app: the app's own `users` table is another thing. */
export const WECHAT_USERS_TABLE = 'wechat_users';

export function readSettings(env: NodeJS.ProcessEnv = process.env): ConsumerSettings {
  const mode = env.CONSUMER_MODE ?? 'full';
  if (mode !== 'full' && mode !== 'token-only') throw new Error(`CONSUMER_MODE: unknown mode ${mode}`);
  return {
    mode,
    databaseUrl: required(env, 'CONSUMER_DATABASE_URL', mode === 'full'),
    redisUrl: required(env, 'CONSUMER_REDIS_URL', true),
    redisKeyPrefix: required(env, 'CONSUMER_REDIS_PREFIX', true),
    sessionKeySecret: required(env, 'CONSUMER_SESSION_KEY_SECRET', true),
  };
}

function required(env: NodeJS.ProcessEnv, name: string, needed: boolean): string {
  const value = env[name];
  if (needed && !value) throw new Error(`${name} is not set`);
  return value ?? '';
}
