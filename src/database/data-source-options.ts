import type { DataSourceOptions } from 'typeorm';
import { CreateAuditEvents1798500000000 } from '../audit/migrations/1798500000000-create-audit-events.js';
import type { DatabaseConfig } from '../config/database.config.js';
import { userMigrations } from '../user/migrations/index.js';
import { User } from '../user/user.entity.js';
import { SqljsFile } from './sqljs-file.js';

export const ENTITIES = [User];
/** The package's users-table migrations, then the app's own tables. */
export const MIGRATIONS = [...userMigrations(), CreateAuditEvents1798500000000];

/**
 * The one place TypeORM options are built, shared by the app and by ormconfig.ts (the migration CLI),
 * so both always talk to the same schema the same way.
 */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  if (config.kind === 'sqlite') {
    // Development only: the same migrations as MySQL, run when the file opens. sql.js is SQLite compiled
    // to WebAssembly, so `npm ci` builds nothing native (better-sqlite3 compiled from source, 1-3 min).
    // The database lives in memory and every write is saved to the file before the query returns; one
    // process per file (development-database.ts locks it).
    const file = new SqljsFile(config.path);
    return {
      type: 'sqljs',
      location: config.path,
      autoSave: true,
      autoSaveCallback: (data: Uint8Array) => file.save(data),
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsRun: true,
      synchronize: false,
    };
  }
  return {
    type: 'mysql',
    url: config.url,
    // Sets the connection charset (SET NAMES utf8mb4): 4-byte emoji survive the wire, not just the column.
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // Applied by runMigrationsWithLock at start-up instead, which serialises concurrent instances.
    migrationsRun: false,
    synchronize: false,
    connectTimeout: 5000,
    // trace: false stops mysql2 capturing a stack trace on every query (~50 µs of CPU per login).
    // maxPreparedStatements: mysql2 sizes each connection's statement cache up front (16,000 slots,
    // ~0.5 MB of arrays per connection, 10 MB for the pool) and the GC scans it on every full
    // collection; TypeORM sends plain queries, so the cache stays empty. That scan took a guarded GET
    // from ~32 to ~50 µs of CPU once the pool was open (bench/).
    extra: { connectionLimit: 20, enableKeepAlive: true, trace: false, maxPreparedStatements: 16 },
  };
}
