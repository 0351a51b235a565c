import type { DataSource } from 'typeorm';

const LOCK_WAIT_SECONDS = 60;

/**
 * Applies pending migrations while holding a MySQL advisory lock, so several instances (or test
 * workers) starting at once do not run the same DDL twice. TypeORM's own `migrationsRun` has no lock.
 */
export async function runMigrationsWithLock(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const lockName = `weapp-auth:migrations:${String(dataSource.options.database ?? '')}`;
  try {
    const [{ acquired }] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
      lockName,
      LOCK_WAIT_SECONDS,
    ])) as { acquired: number | null }[];
    if (Number(acquired) !== 1) {
      throw new Error(`could not take the migration lock within ${LOCK_WAIT_SECONDS}s`);
    }
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await runner.release();
  }
}
