import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { freePort, killAndWait } from './child-process.js';

/**
 * A private MariaDB server (its own data directory, a spare loopback port) for outage tests, which
 * stop and restart it freely; the machine's shared MariaDB is never touched. Data survives a
 * stop/start, like a real database restart.
 */
export interface DisposableMariaDb {
  /** mysql://root@127.0.0.1:<port>/weapp — the database exists. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startDisposableMariaDb(): Promise<DisposableMariaDb> {
  const dir = mkdtempSync(join(tmpdir(), 'weapp-auth-mariadb-'));
  const install = spawnSync(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--user=root',
    ],
    { stdio: 'ignore' },
  );
  if (install.status !== 0) throw new Error('mariadb-install-db failed');
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    child = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'mysqld.sock')}`,
        '--user=root',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=32M',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
      ],
      { stdio: 'ignore' },
    );
    await waitUntilAnswering(port);
  };
  const stop = async () => {
    const running = child;
    child = null;
    await killAndWait(running);
  };

  await start();
  const admin = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  await admin.query('CREATE DATABASE weapp CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  await admin.end();
  return {
    url: `mysql://root@127.0.0.1:${port}/weapp`,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilAnswering(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const connection = await mysql.createConnection({
        host: '127.0.0.1',
        port,
        user: 'root',
        connectTimeout: 500,
      });
      await connection.end();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`mariadbd on port ${port} did not start`);
}
