// Plain JS on purpose: see global-setup.js.
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';

/** Drops this run's database and deletes every Redis key written under this run's prefix. */
export default async function globalTeardown() {
  const runId = process.env.WEAPP_AUTH_TEST_RUN_ID;
  if (!runId) return;
  const admin = await mysql.createConnection(process.env.TEST_MYSQL_URL);
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${runId}\``);
  } finally {
    await admin.end();
  }
  const redis = new Redis(process.env.TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${runId}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
