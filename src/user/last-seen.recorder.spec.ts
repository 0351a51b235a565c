import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IdentityKey } from './login-lookup.batcher.js';
import { LastSeenRecorder } from './last-seen.recorder.js';

// The coalescing rules alone; the UPDATE itself runs on the real MariaDB in user.service.spec.ts.
const key = (openid: string): IdentityKey => ({ appid: 'wxapp', openid });

describe('LastSeenRecorder', () => {
  test("a quarter second of logins is one write, repeats once, in key order, off the login's path", async () => {
    const writes: string[][] = [];
    const recorder = new LastSeenRecorder(
      async (keys) => void writes.push(keys.map(({ openid }) => openid)),
      () => {},
    );
    for (const openid of ['oC', 'oA', 'oB', 'oA']) recorder.record(key(openid));
    expect(writes).toEqual([]);
    await sleep(400);
    expect(writes).toEqual([['oA', 'oB', 'oC']]);
  });

  test('a failed write is logged and dropped; the next one still goes out', async () => {
    const warnings: string[] = [];
    let calls = 0;
    const recorder = new LastSeenRecorder(
      async () => {
        if (calls++ === 0) throw new Error('connection lost');
      },
      (message) => warnings.push(message),
    );
    recorder.record(key('oA'));
    await recorder.flush();
    recorder.record(key('oB'));
    await recorder.flush();
    expect(calls).toBe(2);
    expect(warnings).toEqual(['last-seen times of 1 logins not written: connection lost']);
  });

  test('500 pending identities start a write at once; behind a stuck database, at most 20,000 wait and the rest are dropped and counted', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const warnings: string[] = [];
    const recorder = new LastSeenRecorder(
      async (keys) => {
        sizes.push(keys.length);
        await blocked;
      },
      (message) => warnings.push(message),
    );
    for (let i = 0; i < 500; i++) recorder.record(key(`o${i}`));
    await sleep(0);
    expect(sizes).toEqual([500]);
    for (let i = 500; i < 20_100; i++) recorder.record(key(`o${i}`));
    release();
    await recorder.flush();
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(20_000);
    expect(warnings).toEqual(['last-seen times of 100 logins dropped: more than 20000 waiting']);
  });
});
