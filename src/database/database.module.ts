import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import {
  DependencyUnavailableError,
  PERMANENT_DATABASE_ERRORS,
  urlAddress,
} from '../lifecycle/startup-failure.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrationsWithLock } from './run-migrations.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => ({
        ...buildDataSourceOptions(config),
        // Fail boot in seconds, not the default half-minute, when the database is unreachable; at once
        // when retrying cannot help (wrong password, no such database).
        retryAttempts: 2,
        retryDelay: 1000,
        toRetry: (error: unknown) =>
          !PERMANENT_DATABASE_ERRORS.has((error as { code?: string } | null)?.code ?? ''),
      }),
      // A connection failure names the server it tried (host:port, never the credentials).
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const dataSource = new DataSource(options!);
        try {
          return await dataSource.initialize();
        } catch (error) {
          if (options?.type !== 'mysql' || !options.url) throw error;
          throw new DependencyUnavailableError('MySQL', urlAddress(options.url, 3306), {
            cause: error,
            secret: passwordOf(options.url),
          });
        }
      },
    }),
  ],
})
export class DatabaseModule implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
  ) {}

  /** Runs before the server listens, so no request ever meets an unmigrated schema. */
  async onModuleInit(): Promise<void> {
    if (this.config.kind === 'mysql' && this.config.migrationsRun)
      await runMigrationsWithLock(this.dataSource);
  }
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
