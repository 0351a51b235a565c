// Plain JS on purpose: jest hands global setup to Node's own loader, which cannot resolve our TS imports.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/**
 * Creates one fresh MariaDB database for this jest run, so concurrent or repeated runs never share
 * rows. Workers inherit its URL through the environment and migrate it the way the app does at boot
 * (under an advisory lock). The service URLs default to the machine's MariaDB and Redis.
 */
export default async function globalSetup() {
  process.env.TEST_MYSQL_URL ??= 'mysql://root@127.0.0.1:3306/test';
  process.env.TEST_REDIS_URL ??= 'redis://127.0.0.1:6379';
  const runId = `wxauth_t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const admin = await mysql.createConnection(process.env.TEST_MYSQL_URL);
  try {
    await admin.query(`CREATE DATABASE \`${runId}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(process.env.TEST_MYSQL_URL);
  url.pathname = `/${runId}`;
  process.env.WEAPP_AUTH_TEST_RUN_ID = runId;
  process.env.WEAPP_AUTH_TEST_DATABASE_URL = url.toString();
}
