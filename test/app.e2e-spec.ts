import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabaseUrl, testRedisUrl } from './support/test-services.js';
import { http } from './support/http.js';
import { startTestApp, type RunningTestApp } from './support/test-app.js';

describe('the service boots', () => {
  const running: RunningTestApp[] = [];
  const sqliteDir = mkdtempSync(join(tmpdir(), 'weapp-auth-'));

  afterAll(async () => {
    await Promise.all(running.map((app) => app.close()));
    rmSync(sqliteDir, { recursive: true, force: true });
  });

  test('on the embedded development default (SQLite, in-process store) and answers /health/live', async () => {
    const sqlitePath = join(sqliteDir, 'dev.sqlite');
    const app = await startTestApp({ NODE_ENV: 'development', SQLITE_PATH: sqlitePath });
    running.push(app);

    const live = await http('GET', `${app.url}/health/live`);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await http('GET', `${app.url}/health/ready`);
    expect(ready.body.details.redis.store).toMatch(/in-process/);
  });

  test('on MariaDB and Redis, migrating at start-up, and reports ready', async () => {
    const app = await startTestApp({ DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() });
    running.push(app);

    const ready = await http('GET', `${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.details.database.status).toBe('up');
    expect(ready.body.details.redis.status).toBe('up');
  });

  test('refuses production without its services, naming each missing variable', async () => {
    await expect(startTestApp({ NODE_ENV: 'production' })).rejects.toThrow(
      /DATABASE_URL[\s\S]*REDIS_URL[\s\S]*WECHAT_APPID and WECHAT_SECRET/,
    );
  });
});
