import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseConfig, type DatabaseConfig } from '../config/database.config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { runMigrationsWithLock } from './run-migrations.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: DatabaseConfig) => ({
        ...buildDataSourceOptions(config),
        // Fail boot in seconds, not the default half-minute, when the database is unreachable.
        retryAttempts: 2,
        retryDelay: 1000,
      }),
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
