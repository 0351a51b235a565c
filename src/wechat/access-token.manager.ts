import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { AccessTokenStore } from './access-token.store.js';
import { ACCESS_TOKEN_REFRESH_MARGIN_SECONDS } from './wechat.constants.js';

/** A freshly fetched token and its remaining life in seconds (stable_token `expires_in`). @internal */
export interface FetchedAccessToken {
  token: string;
  expiresInSeconds: number;
}

/** @internal */
export interface AccessTokenManagerOptions {
  /** How long the cross-instance refresh lock lives if its owner dies. */
  lockTtlMs: number;
  /** How long a process that lost the lock polls the cache before fetching on its own. */
  lockWaitMs: number;
  pollIntervalMs?: number;
  logger: LoggerService;
}

const LOG_CONTEXT = 'WechatClient';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error's class name only: ioredis errors can carry command arguments (a token) in their fields. */
function describe(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * Access tokens per appid: cached (Redis or process memory), refreshed `ACCESS_TOKEN_REFRESH_MARGIN_SECONDS`
 * before expiry, single-flight within the process (one promise per appid) and across processes (a Redis
 * `SET NX PX` lock; losers poll the cache, then fetch anyway, which stable_token tolerates because its
 * normal mode hands every caller the same token).
 *
 * Cache failures never fail a call: a broken Redis degrades to fetching from WeChat.
 *
 * @internal
 */
export class AccessTokenManager {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly pollIntervalMs: number;

  constructor(
    private readonly store: AccessTokenStore,
    private readonly fetchToken: (appid: string) => Promise<FetchedAccessToken>,
    private readonly options: AccessTokenManagerOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
  }

  /**
   * A usable token. With `rejected` (a token WeChat just refused), never returns a cached copy of that
   * token: it joins or starts a refresh instead.
   */
  async get(appid: string, rejected?: string): Promise<string> {
    const running = this.inflight.get(appid);
    if (running) {
      const token = await running;
      if (token !== rejected) return token;
    }
    // Nothing under way, or the lookup we joined began before the rejection and produced the rejected token.
    return this.inflight.get(appid) ?? this.startLookup(appid, rejected);
  }

  private startLookup(appid: string, rejected: string | undefined): Promise<string> {
    const lookup = this.lookup(appid, rejected);
    this.inflight.set(appid, lookup);
    const settled = (): void => {
      if (this.inflight.get(appid) === lookup) this.inflight.delete(appid);
    };
    lookup.then(settled, settled);
    return lookup;
  }

  /** Drops the cached token, but only if it is still the one that failed (compare-before-invalidate). */
  async invalidate(appid: string, failedToken: string): Promise<void> {
    try {
      const deleted = await this.store.invalidate(appid, failedToken);
      this.options.logger.warn(
        deleted
          ? `access token for ${appid} rejected by WeChat; cache cleared`
          : `access token for ${appid} rejected by WeChat; cache already holds another token`,
        LOG_CONTEXT,
      );
    } catch (error) {
      this.options.logger.warn(`access token cache invalidate failed (${describe(error)})`, LOG_CONTEXT);
    }
  }

  private async lookup(appid: string, rejected: string | undefined): Promise<string> {
    const cached = await this.cachedToken(appid);
    if (cached !== undefined && cached !== rejected) return cached;
    if (!this.store.shared) return this.fetchAndStore(appid);

    const owner = randomUUID();
    let locked: boolean;
    try {
      locked = await this.store.tryLock(appid, owner, this.options.lockTtlMs);
    } catch (error) {
      this.options.logger.warn(
        `access token lock failed (${describe(error)}); refreshing unlocked`,
        LOG_CONTEXT,
      );
      return this.fetchAndStore(appid);
    }
    if (locked) {
      try {
        // Another instance may have stored a token between our cache miss and taking the lock.
        const again = await this.cachedToken(appid);
        if (again !== undefined && again !== rejected) return again;
        return await this.fetchAndStore(appid);
      } finally {
        await this.store.unlock(appid, owner).catch((error: unknown) => {
          this.options.logger.warn(`access token unlock failed (${describe(error)})`, LOG_CONTEXT);
        });
      }
    }

    const deadline = Date.now() + this.options.lockWaitMs;
    while (Date.now() < deadline) {
      await sleep(this.pollIntervalMs);
      let peeked: { token?: string; locked: boolean };
      try {
        peeked = await this.store.peek(appid);
      } catch (error) {
        this.options.logger.warn(`access token cache read failed (${describe(error)})`, LOG_CONTEXT);
        break;
      }
      if (peeked.token !== undefined && peeked.token !== rejected) return peeked.token;
      if (!peeked.locked) break; // The owner gave up without storing a token.
    }
    this.options.logger.debug?.(
      `access token for ${appid}: no token from the lock holder; fetching`,
      LOG_CONTEXT,
    );
    return this.fetchAndStore(appid);
  }

  private async cachedToken(appid: string): Promise<string | undefined> {
    try {
      return await this.store.get(appid);
    } catch (error) {
      this.options.logger.warn(`access token cache read failed (${describe(error)})`, LOG_CONTEXT);
      return undefined;
    }
  }

  private async fetchAndStore(appid: string): Promise<string> {
    const { token, expiresInSeconds } = await this.fetchToken(appid);
    const freshMs = (expiresInSeconds - ACCESS_TOKEN_REFRESH_MARGIN_SECONDS) * 1000;
    // stable_token never returns a token with ≤ 300 s left in normal mode; if it does, use it once uncached.
    if (freshMs > 0) {
      try {
        await this.store.set(appid, token, freshMs);
      } catch (error) {
        this.options.logger.warn(`access token cache write failed (${describe(error)})`, LOG_CONTEXT);
      }
    }
    this.options.logger.debug?.(
      `access token for ${appid} refreshed, expires in ${expiresInSeconds} s`,
      LOG_CONTEXT,
    );
    return token;
  }
}
