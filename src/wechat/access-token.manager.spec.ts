import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { AccessTokenManager, type FetchedAccessToken } from './access-token.manager.js';
import type { AccessTokenStore } from './access-token.store.js';
import { MemoryAccessTokenStore } from './memory-access-token.store.js';

const APPID = 'wx0123456789abcdef';

const silent: LoggerService = { log() {}, warn() {}, error() {}, debug() {} };

/** A shared store in memory, with the lock semantics of the Redis one. */
class FakeSharedStore implements AccessTokenStore {
  readonly shared = true;
  token?: string;
  ttlMs?: number;
  lockOwner?: string;
  failing = false;

  private check(): void {
    if (this.failing) throw new Error('connection lost');
  }
  async get(): Promise<string | undefined> {
    this.check();
    return this.token;
  }
  async set(_appid: string, token: string, ttlMs: number): Promise<void> {
    this.check();
    this.token = token;
    this.ttlMs = ttlMs;
  }
  async invalidate(_appid: string, token: string): Promise<boolean> {
    this.check();
    if (this.token !== token) return false;
    this.token = undefined;
    return true;
  }
  async tryLock(_appid: string, owner: string): Promise<boolean> {
    this.check();
    if (this.lockOwner) return false;
    this.lockOwner = owner;
    return true;
  }
  async unlock(_appid: string, owner: string): Promise<void> {
    this.check();
    if (this.lockOwner === owner) this.lockOwner = undefined;
  }
  async peek(): Promise<{ token?: string; locked: boolean }> {
    this.check();
    return { token: this.token, locked: this.lockOwner !== undefined };
  }
}

function fetcher(tokens: string[], expiresInSeconds = 7200, delayMs = 20) {
  const calls: string[] = [];
  const fetch = async (appid: string): Promise<FetchedAccessToken> => {
    calls.push(appid);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const token = tokens[Math.min(calls.length - 1, tokens.length - 1)];
    return { token, expiresInSeconds };
  };
  return { fetch, calls };
}

function manager(
  store: AccessTokenStore,
  fetch: (appid: string) => Promise<FetchedAccessToken>,
  lockWaitMs = 500,
) {
  return new AccessTokenManager(store, fetch, {
    lockTtlMs: 2000,
    lockWaitMs,
    pollIntervalMs: 10,
    logger: silent,
  });
}

describe('AccessTokenManager', () => {
  it('single-flights concurrent lookups and then serves the cache', async () => {
    const { fetch, calls } = fetcher(['T1', 'T2']);
    const tokens = manager(new MemoryAccessTokenStore(), fetch);
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.get(APPID)));
    expect(new Set(results)).toEqual(new Set(['T1']));
    expect(await tokens.get(APPID)).toBe('T1');
    expect(calls).toHaveLength(1);
  });

  it('caches until 300 s before expiry, and not at all when less is left', async () => {
    const store = new FakeSharedStore();
    await manager(store, fetcher(['T1'], 7200).fetch).get(APPID);
    expect(store.ttlMs).toBe(6900_000);

    const short = new FakeSharedStore();
    const { fetch, calls } = fetcher(['T1', 'T2'], 300);
    const tokens = manager(short, fetch);
    expect(await tokens.get(APPID)).toBe('T1');
    expect(short.token).toBeUndefined();
    expect(await tokens.get(APPID)).toBe('T2');
    expect(calls).toHaveLength(2);
  });

  it('treats a memory entry as gone once its freshness window passed', async () => {
    let now = 0;
    const store = new MemoryAccessTokenStore(() => now);
    await store.set(APPID, 'T1', 1000);
    expect(await store.get(APPID)).toBe('T1');
    now = 1000;
    expect(await store.get(APPID)).toBeUndefined();
  });

  it('invalidates only the token that failed', async () => {
    const store = new FakeSharedStore();
    const tokens = manager(store, fetcher(['T2']).fetch);
    store.token = 'T2';
    await tokens.invalidate(APPID, 'T1');
    expect(store.token).toBe('T2');
    await tokens.invalidate(APPID, 'T2');
    expect(store.token).toBeUndefined();
  });

  it('does not hand back the rejected token from a lookup that was already under way', async () => {
    const store = new MemoryAccessTokenStore();
    const { fetch, calls } = fetcher(['OLD', 'NEW']);
    const tokens = manager(store, fetch);
    const early = tokens.get(APPID); // starts fetching OLD
    const afterRejection = tokens.get(APPID, 'OLD'); // joins it, sees OLD, must start over
    expect(await early).toBe('OLD');
    await tokens.invalidate(APPID, 'OLD');
    expect(await afterRejection).toBe('NEW');
    expect(calls).toHaveLength(2);
  });

  it('waits for the lock holder in another process instead of fetching', async () => {
    const store = new FakeSharedStore();
    store.lockOwner = 'other-instance';
    const { fetch, calls } = fetcher(['MINE']);
    const pending = manager(store, fetch).get(APPID);
    setTimeout(() => {
      store.token = 'THEIRS';
      store.lockOwner = undefined;
    }, 60);
    expect(await pending).toBe('THEIRS');
    expect(calls).toHaveLength(0);
  });

  it('fetches itself when the lock holder gives up or takes too long', async () => {
    const store = new FakeSharedStore();
    store.lockOwner = 'other-instance';
    const { fetch, calls } = fetcher(['MINE']);
    const pending = manager(store, fetch).get(APPID);
    setTimeout(() => (store.lockOwner = undefined), 40);
    expect(await pending).toBe('MINE');
    expect(calls).toHaveLength(1);

    const stuck = new FakeSharedStore();
    stuck.lockOwner = 'hung-instance';
    const slow = fetcher(['MINE2']);
    const started = Date.now();
    expect(await manager(stuck, slow.fetch, 100).get(APPID)).toBe('MINE2');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(stuck.lockOwner).toBe('hung-instance'); // never releases a lock it does not own
  });

  it('releases its own lock after fetching, also on failure', async () => {
    const store = new FakeSharedStore();
    await manager(store, fetcher(['T1']).fetch).get(APPID);
    expect(store.lockOwner).toBeUndefined();
    const failing = manager(store, async () => {
      throw new Error('stable_token down');
    });
    store.token = undefined;
    await expect(failing.get(APPID)).rejects.toThrow('stable_token down');
    expect(store.lockOwner).toBeUndefined();
  });

  it('keeps working when the cache is down', async () => {
    const store = new FakeSharedStore();
    store.failing = true;
    const { fetch, calls } = fetcher(['T1']);
    const tokens = manager(store, fetch);
    expect(await tokens.get(APPID)).toBe('T1');
    await tokens.invalidate(APPID, 'T1');
    expect(calls).toHaveLength(1);
  });
});
