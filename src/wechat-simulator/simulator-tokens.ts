import type { SimulatorClock } from './simulator-clock.js';
import { WechatError } from './simulator-errors.js';
import type { SimulatorRandom } from './simulator-random.js';

const TOKEN_TTL_MS = 7200_000;
/** Grace period of a superseded token, and stable_token's "refresh in the last 5 minutes" window. */
const OVERLAP_MS = 300_000;
const FORCE_MIN_GAP_MS = 30_000;
const FORCE_PER_DAY = 20;
const PRUNE_EVERY = 1024;
/** Expired tokens are remembered a day, so they answer 42001 rather than 40001. */
const REMEMBER_EXPIRED_MS = 86_400_000;

/** @internal */
export interface AccessTokenRecord {
  token: string;
  appid: string;
  expiresAt: number;
  /** When set, the token answers 40001 from this time on (superseded or force-refreshed). */
  revokedAt?: number;
}

/** What both token endpoints return on success (no errcode, docs/wechat-api-notes.md §5). @internal */
export interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

interface StableState {
  live: AccessTokenRecord[];
  lastForcedAt?: number;
  forcedDay?: string;
  forcedCount: number;
}

/**
 * The two isolated access_token namespaces: `/cgi-bin/token` (every call supersedes the previous
 * token after 5 minutes) and `/cgi-bin/stable_token` (shared token, renewed only in its last
 * 5 minutes or by a force refresh). Tokens from one never invalidate the other.
 *
 * @internal
 */
export class SimulatorTokens {
  private readonly byToken = new Map<string, AccessTokenRecord>();
  private readonly classicCurrent = new Map<string, AccessTokenRecord>();
  private readonly stable = new Map<string, StableState>();
  private issued = 0;

  constructor(
    private readonly clock: SimulatorClock,
    private readonly random: SimulatorRandom,
  ) {}

  reset(): void {
    this.byToken.clear();
    this.classicCurrent.clear();
    this.stable.clear();
  }

  /** `/cgi-bin/token`: always a new token; the previous one keeps working for 5 minutes. */
  issueClassic(appid: string): TokenAnswer {
    const now = this.clock.now();
    const previous = this.classicCurrent.get(appid);
    if (previous && previous.revokedAt === undefined) previous.revokedAt = now + OVERLAP_MS;
    const record = this.mint(appid, now);
    this.classicCurrent.set(appid, record);
    return { access_token: record.token, expires_in: TOKEN_TTL_MS / 1000 };
  }

  /**
   * `/cgi-bin/stable_token`. Normal mode hands everyone the same token while more than 5 minutes
   * remain, `expires_in` being what is left. Force mode revokes every live token at once, at most
   * 20 times a day and 30 s apart; a force inside 30 s is treated as a normal call (the doc says it
   * "will not refresh"); past 20 a day we answer 45009, which the doc leaves unspecified.
   */
  issueStable(appid: string, forceRefresh: boolean): TokenAnswer {
    const now = this.clock.now();
    const state = this.stable.get(appid) ?? { live: [], forcedCount: 0 };
    this.stable.set(appid, state);
    state.live = state.live.filter((record) => this.isUsable(record, now));
    const current = state.live.at(-1);

    if (forceRefresh && !(state.lastForcedAt !== undefined && now - state.lastForcedAt < FORCE_MIN_GAP_MS)) {
      const day = beijingDay(now);
      if (state.forcedDay !== day) {
        state.forcedDay = day;
        state.forcedCount = 0;
      }
      if (state.forcedCount >= FORCE_PER_DAY) throw new WechatError(45009);
      state.forcedCount++;
      state.lastForcedAt = now;
      for (const record of state.live) record.revokedAt = now;
      state.live = [];
    } else if (current && current.expiresAt - now > OVERLAP_MS) {
      return { access_token: current.token, expires_in: Math.floor((current.expiresAt - now) / 1000) };
    }
    const record = this.mint(appid, now);
    state.live.push(record);
    return { access_token: record.token, expires_in: TOKEN_TTL_MS / 1000 };
  }

  /** The record behind a token, valid or not; undefined when unknown. */
  peek(token: string | null): AccessTokenRecord | undefined {
    return token ? this.byToken.get(token) : undefined;
  }

  /** Checks a token from the query string: missing 41001, unknown/superseded 40001, expired 42001. */
  validate(token: string | null): AccessTokenRecord {
    if (!token) throw new WechatError(41001);
    const record = this.byToken.get(token);
    const now = this.clock.now();
    if (!record || (record.revokedAt !== undefined && record.revokedAt <= now)) throw new WechatError(40001);
    if (record.expiresAt <= now) throw new WechatError(42001);
    return record;
  }

  private isUsable(record: AccessTokenRecord, now: number): boolean {
    return record.expiresAt > now && (record.revokedAt === undefined || record.revokedAt > now);
  }

  private mint(appid: string, now: number): AccessTokenRecord {
    const record: AccessTokenRecord = {
      token: this.random.accessToken(),
      appid,
      expiresAt: now + TOKEN_TTL_MS,
    };
    this.byToken.set(record.token, record);
    if (++this.issued % PRUNE_EVERY === 0) {
      for (const [token, old] of this.byToken) {
        if (old.expiresAt < now - REMEMBER_EXPIRED_MS) this.byToken.delete(token);
      }
    }
    return record;
  }
}

/** WeChat's daily limits reset at midnight China time (UTC+8). */
function beijingDay(nowMs: number): string {
  return new Date(nowMs + 8 * 3600_000).toISOString().slice(0, 10);
}
