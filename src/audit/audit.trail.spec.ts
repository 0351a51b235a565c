import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditRow } from './audit-row.js';
import { toAuditRow } from './audit-row.js';
import { AuditStore } from './audit.store.js';
import { AuditTrail } from './audit.trail.js';

/** Records what it is asked to insert; `down` makes every insert fail, as an unreachable database would. */
class FakeAuditStore extends AuditStore {
  readonly inserts: AuditRow[][] = [];
  down = false;

  async insert(rows: readonly AuditRow[]): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.inserts.push([...rows]);
  }

  async deleteOlderThan(): Promise<number> {
    return 0;
  }

  async exclusively<T>(_name: string, work: (session: unknown) => Promise<T>): Promise<T | null> {
    return work(null);
  }

  get rows(): AuditRow[] {
    return this.inserts.flat();
  }
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(10);
  expect(condition()).toBe(true);
};

describe('AuditTrail', () => {
  test('queues up to the bound, then drops and counts, without throwing or writing on record()', async () => {
    const store = new FakeAuditStore();
    const trail = new AuditTrail(store, { maxQueue: 3, batchSize: 100, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) trail.record({ kind: 'logout', userId: i });
    expect(trail.stats()).toEqual({ backlog: 3, dropped: 2, failedWrites: 0 });
    expect(store.inserts).toEqual([]);

    await trail.drain(1000);
    expect(store.rows.map((row) => row.userId)).toEqual([0, 1, 2]);
    expect(trail.stats()).toEqual({ backlog: 0, dropped: 2, failedWrites: 0 });
    // Room again once written.
    trail.record({ kind: 'logout', userId: 9 });
    expect(trail.stats().backlog).toBe(1);
    await trail.onApplicationShutdown();
  });

  test('writes many events in few multi-row inserts, off the caller', async () => {
    const store = new FakeAuditStore();
    const trail = new AuditTrail(store, { batchSize: 50, flushIntervalMs: 20 });
    for (let i = 0; i < 120; i++) trail.record({ kind: 'login.succeeded', userId: i });
    expect(store.inserts).toEqual([]);
    await until(() => store.rows.length === 120);
    expect(store.inserts.length).toBeLessThanOrEqual(3);
    expect(store.rows.map((row) => row.userId)).toEqual([...Array(120).keys()]);
    await trail.onApplicationShutdown();
  });

  test('a failing store counts failed writes, keeps the events, and they are written once it recovers', async () => {
    const store = new FakeAuditStore();
    store.down = true;
    const trail = new AuditTrail(store, { flushIntervalMs: 5, maxBackoffMs: 20 });
    trail.record({ kind: 'login.failed', code: 'WECHAT_UNAVAILABLE' });
    await until(() => trail.stats().failedWrites >= 2);
    expect(trail.stats().backlog).toBe(1);

    store.down = false;
    await until(() => trail.stats().backlog === 0);
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({ kind: 'login.failed', code: 'WECHAT_UNAVAILABLE' });
    await trail.onApplicationShutdown();
  });

  test('shutdown writes what is still queued', async () => {
    const store = new FakeAuditStore();
    const trail = new AuditTrail(store, { flushIntervalMs: 60_000 });
    trail.record({ kind: 'account.deleted', userId: 7 });
    await trail.beforeApplicationShutdown();
    expect(store.rows.map((row) => row.kind)).toEqual(['account.deleted']);
  });

  test('a broken request object is no reason to throw', () => {
    const trail = new AuditTrail(new FakeAuditStore());
    const hostile = {
      get headers(): never {
        throw new Error('boom');
      },
    };
    expect(() => trail.record({ kind: 'logout' }, hostile)).not.toThrow();
  });
});

describe('toAuditRow', () => {
  test('takes address, user agent and request id from the request, cut to the columns', () => {
    const row = toAuditRow(
      { kind: 'logout', userId: 1, detail: { sessionId: 's1' } },
      { ip: '203.0.113.9', id: 'req-1', headers: { 'user-agent': '😀'.repeat(300) } },
      Date.UTC(2026, 10, 30, 13, 5, 1, 234),
    );
    expect(row).toMatchObject({
      occurredAt: '2026-11-30 13:05:01.234',
      ip: '203.0.113.9',
      requestId: 'req-1',
      detail: '{"sessionId":"s1"}',
    });
    expect(Array.from(row.userAgent!)).toHaveLength(255);
  });

  test('no request: no address, user agent or request id', () => {
    expect(toAuditRow({ kind: 'user.banned', operator: 'alice' }, undefined, 0)).toMatchObject({
      ip: null,
      userAgent: null,
      requestId: null,
      operator: 'alice',
      detail: null,
    });
  });
});
