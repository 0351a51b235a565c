import { describe, expect, test } from '@jest/globals';
import { LoginUpsertBatcher, type LoginWrite } from './login-upsert.batcher.js';
import type { UserRow } from './user-row.js';

// The batching rules alone, over a writer that records its statements; the SQL itself is
// exercised against the real MariaDB in user.service.spec.ts.
class RowError extends Error {}

function recordingWriter(refuse: (write: LoginWrite) => boolean = () => false) {
  const statements: LoginWrite[][] = [];
  let nextId = 1;
  const ids = new Map<string, number>();
  const write = async (writes: readonly LoginWrite[]): Promise<UserRow[]> => {
    statements.push([...writes]);
    if (writes.some(refuse)) throw new RowError('refused');
    // Rows come back in reverse order: the batcher must match them by user, not by position.
    return [...writes].reverse().map(({ appid, openid, unionid, at }) => {
      const key = `${appid}/${openid}`;
      if (!ids.has(key)) ids.set(key, nextId++);
      return { id: ids.get(key)!, appid, openid, unionid, last_login_at: at } as UserRow;
    });
  };
  return { statements, write };
}

const login = (openid: string, unionid: string | null = null, at = new Date()): LoginWrite => ({
  appid: 'wxapp',
  openid,
  unionid,
  at,
});

describe('LoginUpsertBatcher', () => {
  test('logins of one event-loop turn share one statement, in key order, and each gets its own row', async () => {
    const writer = recordingWriter();
    const batcher = new LoginUpsertBatcher(writer.write, (error) => error instanceof RowError);
    const rows = await Promise.all(['oC', 'oA', 'oB'].map((openid) => batcher.upsert(login(openid))));
    expect(rows.map((row) => row.openid)).toEqual(['oC', 'oA', 'oB']);
    expect(writer.statements.map((writes) => writes.map((w) => w.openid))).toEqual([['oA', 'oB', 'oC']]);

    await batcher.upsert(login('oD'));
    expect(writer.statements).toHaveLength(2);
  });

  test('one user twice in a turn is one row: the latest time and the unionid WeChat gave win', async () => {
    const writer = recordingWriter();
    const batcher = new LoginUpsertBatcher(writer.write, () => true);
    const [first, second] = await Promise.all([
      batcher.upsert(login('oSame', 'oUnion', new Date(2000))),
      batcher.upsert(login('oSame', null, new Date(3000))),
    ]);
    expect(first).toBe(second);
    expect(writer.statements).toEqual([[login('oSame', 'oUnion', new Date(3000))]]);
  });

  test('more than 64 users in a turn are split into statements of at most 64', async () => {
    const writer = recordingWriter();
    const batcher = new LoginUpsertBatcher(writer.write, () => true);
    await Promise.all(Array.from({ length: 130 }, (_, i) => batcher.upsert(login(`o${1000 + i}`))));
    expect(writer.statements.map((writes) => writes.length)).toEqual([64, 64, 2]);
  });

  test('a refused row fails alone; any other failure fails the whole statement', async () => {
    const writer = recordingWriter((write) => write.openid === 'oBad');
    const batcher = new LoginUpsertBatcher(writer.write, (error) => error instanceof RowError);
    const results = await Promise.allSettled(['oA', 'oBad', 'oC'].map((o) => batcher.upsert(login(o))));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writer.statements.map((writes) => writes.map((w) => w.openid))).toEqual([
      ['oA', 'oBad', 'oC'],
      ['oA'],
      ['oBad'],
      ['oC'],
    ]);

    const down = new Error('connection lost');
    const failing = new LoginUpsertBatcher(
      () => Promise.reject(down),
      (error) => error instanceof RowError,
    );
    const outcomes = await Promise.allSettled(['oA', 'oB'].map((o) => failing.upsert(login(o))));
    expect(outcomes).toEqual([
      { status: 'rejected', reason: down },
      { status: 'rejected', reason: down },
    ]);
  });
});
