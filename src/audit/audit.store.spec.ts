import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../database/data-source-options.js';
import { formatSqlTime } from '../common/sql-time.js';
import { toAuditRow } from './audit-row.js';
import { AuditQuery } from './audit.query.js';
import { TypeOrmAuditStore } from './audit.store.js';

const DAY_MS = 86_400_000;

// The development default (sql.js, in memory here): the same migration, inserts, queries and the
// DELETE-through-ids that SQLite needs in place of DELETE … LIMIT. MariaDB is covered by test/audit.e2e-spec.ts.
describe('audit_events on SQLite (sql.js)', () => {
  let dataSource: DataSource;
  let store: TypeOrmAuditStore;
  let query: AuditQuery;

  beforeAll(async () => {
    dataSource = new DataSource({ type: 'sqljs', migrations: MIGRATIONS, migrationsRun: true });
    await dataSource.initialize();
    store = new TypeOrmAuditStore(dataSource);
    query = new AuditQuery(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  test('multi-row inserts read back newest first, filtered and paged by id', async () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0, 5);
    const request = { ip: '203.0.113.7', id: 'req-9', headers: { 'user-agent': 'WeChat/8.0 😀' } };
    await store.insert([
      toAuditRow({ kind: 'login.succeeded', userId: 1, appid: 'wx1', openid: 'o1' }, request, now),
      toAuditRow({ kind: 'login.failed', code: 'LOGIN_CODE_INVALID' }, request, now + 1),
      toAuditRow({ kind: 'profile.changed', userId: 1, detail: { fields: 'nickname' } }, null, now + 2),
    ]);

    const mine = await query.find({ userId: 1, limit: 200 });
    expect(mine.map((row) => row.kind)).toEqual(['profile.changed', 'login.succeeded']);
    expect(mine[0].detail).toEqual({ fields: 'nickname' });
    expect(mine[1]).toMatchObject({
      appid: 'wx1',
      openid: 'o1',
      ip: '203.0.113.7',
      userAgent: 'WeChat/8.0 😀',
      requestId: 'req-9',
      occurredAt: new Date(now),
    });
    const failed = await query.find({ kind: 'login.failed', limit: 10 });
    expect(failed).toMatchObject([{ code: 'LOGIN_CODE_INVALID', userId: null }]);
    const next = await query.find({ limit: 1, beforeId: mine[0].id });
    expect(next.map((row) => row.kind)).toEqual(['login.failed']);
    expect(await query.find({ limit: 10, before: new Date(now + 1) })).toHaveLength(1);
  });

  test('retention deletes old rows chunk by chunk and keeps new ones', async () => {
    const now = Date.now();
    const old = Array.from({ length: 7 }, () => toAuditRow({ kind: 'logout' }, null, now - 200 * DAY_MS));
    await store.insert([...old, toAuditRow({ kind: 'logout', userId: 42 }, null, now)]);
    const cutoff = formatSqlTime(now - 180 * DAY_MS);

    const deleted = await store.exclusively('retention', async (session) => [
      await store.deleteOlderThan(cutoff, 5, session),
      await store.deleteOlderThan(cutoff, 5, session),
    ]);
    expect(deleted).toEqual([5, 2]);
    expect((await query.find({ userId: 42, limit: 5 })).length).toBe(1);
  });
});
