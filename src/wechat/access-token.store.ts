/**
 * Where access tokens are cached between calls, and (when shared between instances) the refresh lock.
 * Every mutation that could discard someone else's newer value is compare-and-set.
 *
 * @internal
 */
export interface AccessTokenStore {
  /** True when other processes share this store, so a refresh lock is worth taking. */
  readonly shared: boolean;
  /** The cached, still-fresh token, if any. */
  get(appid: string): Promise<string | undefined>;
  /** Caches `token` for `ttlMs` (its remaining life minus the refresh margin). */
  set(appid: string, token: string, ttlMs: number): Promise<void>;
  /** Deletes the cached token only if it is still `token`. Returns whether it deleted. */
  invalidate(appid: string, token: string): Promise<boolean>;
  /** Takes the refresh lock for `ttlMs` if nobody holds it. */
  tryLock(appid: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the refresh lock only if `owner` still holds it. */
  unlock(appid: string, owner: string): Promise<void>;
  /** The cached token and whether somebody holds the lock, in one round trip. */
  peek(appid: string): Promise<{ token?: string; locked: boolean }>;
}

/** Redis keys; the `{appid}` hash tag keeps both in one Redis Cluster slot. @internal */
export function accessTokenKeys(prefix: string, appid: string): { token: string; lock: string } {
  const base = `${prefix}wechat:{${appid}}:access-token`;
  return { token: base, lock: `${base}-lock` };
}
