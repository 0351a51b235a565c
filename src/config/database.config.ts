import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

export type DatabaseConfig =
  { kind: 'mysql'; url: string; migrationsRun: boolean } | { kind: 'sqlite'; path: string };

export const DEFAULT_SQLITE_PATH = 'data/weapp-auth.sqlite';

export const databaseConfig = registerAs('database', (): DatabaseConfig => {
  const env = validateEnv(process.env);
  if (!env.DATABASE_URL) return { kind: 'sqlite', path: env.SQLITE_PATH ?? DEFAULT_SQLITE_PATH };
  return { kind: 'mysql', url: env.DATABASE_URL, migrationsRun: env.DB_MIGRATIONS_RUN ?? true };
});
