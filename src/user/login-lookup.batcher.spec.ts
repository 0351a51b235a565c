import { describe, expect, test } from '@jest/globals';
import { LoginLookupBatcher, type IdentityKey, type IdentityUserRow } from './login-lookup.batcher.js';

// The batching rules alone, over a reader that records its statements; the SQL itself runs against
// the real MariaDB in user.service.spec.ts.
function recordingReader(known: string[]) {
  const statements: string[][] = [];
  const read = async (keys: readonly IdentityKey[]): Promise<IdentityUserRow[]> => {
    statements.push(keys.map(({ openid }) => openid));
    // Rows come back in reverse order, unknown identities absent: matched by identity, not position.
    return keys
      .filter(({ openid }) => known.includes(openid))
      .reverse()
      .map(
        ({ appid, openid }) =>
          ({
            id: known.indexOf(openid) + 1,
            identity_appid: appid,
            identity_openid: openid,
          }) as IdentityUserRow,
      );
  };
  return { statements, read };
}

const key = (openid: string): IdentityKey => ({ appid: 'wxapp', openid });

describe('LoginLookupBatcher', () => {
  test('lookups of one event-loop turn share one read, in key order, each gets its own row or null', async () => {
    const reader = recordingReader(['oA', 'oC']);
    const batcher = new LoginLookupBatcher(reader.read);
    const rows = await Promise.all(['oC', 'oB', 'oA', 'oC'].map((openid) => batcher.lookup(key(openid))));
    expect(rows.map((row) => row?.id ?? null)).toEqual([2, null, 1, 2]);
    // A repeat of one identity in the same turn is read once.
    expect(reader.statements).toEqual([['oA', 'oB', 'oC']]);
  });

  test('more than 64 identities are split into several reads; a failed read fails only its own lookups', async () => {
    const openids = Array.from({ length: 70 }, (_, i) => `o${String(i).padStart(3, '0')}`);
    let calls = 0;
    const batcher = new LoginLookupBatcher(async (keys) => {
      calls++;
      if (keys.some(({ openid }) => openid === 'o069')) throw new Error('connection lost');
      return keys.map(
        ({ appid, openid }) => ({ id: 1, identity_appid: appid, identity_openid: openid }) as IdentityUserRow,
      );
    });
    const results = await Promise.allSettled(openids.map((openid) => batcher.lookup(key(openid))));
    expect(calls).toBe(2);
    expect(results.slice(0, 64).every(({ status }) => status === 'fulfilled')).toBe(true);
    expect(results.slice(64).every(({ status }) => status === 'rejected')).toBe(true);
  });

  test('lookups of a later turn leave in a read of their own', async () => {
    const reader = recordingReader(['oA']);
    const batcher = new LoginLookupBatcher(reader.read);
    await batcher.lookup(key('oA'));
    await batcher.lookup(key('oA'));
    expect(reader.statements).toEqual([['oA'], ['oA']]);
  });
});
