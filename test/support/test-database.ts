import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';
import { runMigrationsWithLock } from '../../src/database/run-migrations.js';
import { testDatabaseUrl } from './test-services.js';

/** A DataSource on this run's MariaDB database, migrated exactly as the app migrates at boot. */
export async function openTestDataSource(): Promise<DataSource> {
  const dataSource = new DataSource(
    buildDataSourceOptions({ kind: 'mysql', url: testDatabaseUrl(), migrationsRun: true }),
  );
  await dataSource.initialize();
  await runMigrationsWithLock(dataSource);
  return dataSource;
}
