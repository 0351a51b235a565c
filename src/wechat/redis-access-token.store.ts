import type { Cluster, Redis } from 'ioredis';
import { accessTokenKeys, type AccessTokenStore } from './access-token.store.js';

// Delete KEYS[1] only if it still holds ARGV[1]: used both to release a lock we own and to drop a token
// that failed without discarding a newer one another instance already stored.
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Access tokens shared by every instance through Redis (or Redis Cluster: both keys share a hash tag).
 * The TTL of the token key is its freshness window, so an expired entry simply disappears.
 *
 * @internal
 */
export class RedisAccessTokenStore implements AccessTokenStore {
  readonly shared = true;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  async get(appid: string): Promise<string | undefined> {
    return (await this.redis.get(accessTokenKeys(this.prefix, appid).token)) ?? undefined;
  }

  async set(appid: string, token: string, ttlMs: number): Promise<void> {
    await this.redis.set(
      accessTokenKeys(this.prefix, appid).token,
      token,
      'PX',
      Math.max(1, Math.floor(ttlMs)),
    );
  }

  async invalidate(appid: string, token: string): Promise<boolean> {
    const deleted = await this.redis.eval(
      COMPARE_AND_DELETE,
      1,
      accessTokenKeys(this.prefix, appid).token,
      token,
    );
    return deleted === 1;
  }

  async tryLock(appid: string, owner: string, ttlMs: number): Promise<boolean> {
    const ok = await this.redis.set(accessTokenKeys(this.prefix, appid).lock, owner, 'PX', ttlMs, 'NX');
    return ok === 'OK';
  }

  async unlock(appid: string, owner: string): Promise<void> {
    await this.redis.eval(COMPARE_AND_DELETE, 1, accessTokenKeys(this.prefix, appid).lock, owner);
  }

  async peek(appid: string): Promise<{ token?: string; locked: boolean }> {
    const keys = accessTokenKeys(this.prefix, appid);
    const [token, lock] = await this.redis.mget(keys.token, keys.lock);
    return { token: token ?? undefined, locked: lock !== null };
  }
}
