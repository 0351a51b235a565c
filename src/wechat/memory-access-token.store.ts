import type { AccessTokenStore } from './access-token.store.js';

/**
 * Per-process cache, used when no Redis is configured. Refreshes are already single-flight within the
 * process, so the lock is trivially granted.
 *
 * @internal
 */
export class MemoryAccessTokenStore implements AccessTokenStore {
  readonly shared = false;
  private readonly entries = new Map<string, { token: string; freshUntil: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(appid: string): Promise<string | undefined> {
    const entry = this.entries.get(appid);
    if (!entry) return undefined;
    if (entry.freshUntil <= this.now()) {
      this.entries.delete(appid);
      return undefined;
    }
    return entry.token;
  }

  async set(appid: string, token: string, ttlMs: number): Promise<void> {
    this.entries.set(appid, { token, freshUntil: this.now() + ttlMs });
  }

  async invalidate(appid: string, token: string): Promise<boolean> {
    if (this.entries.get(appid)?.token !== token) return false;
    this.entries.delete(appid);
    return true;
  }

  async tryLock(): Promise<boolean> {
    return true;
  }

  async unlock(): Promise<void> {}

  async peek(appid: string): Promise<{ token?: string; locked: boolean }> {
    return { token: await this.get(appid), locked: false };
  }
}
