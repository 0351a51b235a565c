import type { SimulatorClock } from './simulator-clock.js';
import type { OAuthScope, OAuthUserAnswer, OAuthUserInput } from './simulator-control.types.js';
import { WechatError } from './simulator-errors.js';
import type { SimulatorRandom } from './simulator-random.js';
import { CODE_TTL_MS, type SimulatedUser, type SimulatorState } from './simulator-state.js';
import type { SimulatorApp } from './wechat-simulator.options.js';

/** Web OAuth access tokens live 2 hours, refresh tokens 30 days (docs/wechat-api-notes.md §14). */
export const OAUTH_TOKEN_TTL_MS = 7200_000;
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
/** Expired tokens are remembered a day, so they answer 42001 / 42002 rather than 40001 / 40030. */
const REMEMBER_EXPIRED_MS = 86_400_000;
const PRUNE_EVERY = 1024;

/** What `sns/userinfo` tells about a user. @internal */
export interface OAuthProfile {
  nickname: string;
  sex: 0 | 1 | 2;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
}

/** @internal Who confirms one authorize page; `snapshot` holds for that page only. */
export interface AuthorizingUser {
  user: SimulatedUser;
  snapshot: boolean;
}

/** @internal */
export interface OAuthGrant {
  appid: string;
  openid: string;
  scope: OAuthScope;
  snapshot: boolean;
  expiresAt: number;
}

/** @internal An authorize-page code: single use, 5 minutes. */
export interface OAuthCodeRecord extends OAuthGrant {
  used: boolean;
}

/** @internal */
export interface OAuthTokenRecord extends OAuthGrant {
  token: string;
}

/**
 * Codes, user access tokens and refresh tokens of WeChat's web OAuth (Official Account pages and website
 * QR login), plus the users queued for the next authorize page. Users themselves live in
 * `SimulatorState`, so one (appid, openid) is one user whichever way it logged in.
 *
 * @internal
 */
export class SimulatorOAuth {
  readonly codes = new Map<string, OAuthCodeRecord>();
  private readonly accessTokens = new Map<string, OAuthTokenRecord>();
  private readonly refreshTokens = new Map<string, OAuthTokenRecord>();
  private readonly profiles = new Map<string, OAuthProfile>();
  private readonly queued = new Map<string, AuthorizingUser[]>();
  private issued = 0;

  constructor(
    private readonly state: SimulatorState,
    private readonly clock: SimulatorClock,
    private readonly random: SimulatorRandom,
  ) {}

  reset(): void {
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.profiles.clear();
    this.queued.clear();
  }

  /** Creates or updates the user and queues it for the next authorize page of the app. */
  queueNextUser(appid: string, input: OAuthUserInput): OAuthUserAnswer {
    const user = this.prepareUser(this.state.requireApp(appid), input);
    const queue = this.queued.get(appid) ?? [];
    queue.push({ user, snapshot: input.snapshot === true });
    this.queued.set(appid, queue);
    return user.unionid ? { openid: user.openid, unionid: user.unionid } : { openid: user.openid };
  }

  /**
   * The user who confirms an authorize page: `person` from the page's `sim_user` parameter, else the
   * next queued user of the app, else a new user.
   */
  authorizingUser(app: SimulatorApp, person: string | undefined): AuthorizingUser {
    if (person !== undefined) return { user: this.prepareUser(app, { person }), snapshot: false };
    const next = this.queued.get(app.appid)?.shift();
    return next ?? { user: this.prepareUser(app, {}), snapshot: false };
  }

  /** A fresh single-use code for a confirmed authorize page. */
  issueCode({ user, snapshot }: AuthorizingUser, scope: OAuthScope): string {
    const code = this.random.loginCode();
    this.codes.set(code, {
      appid: user.appid,
      openid: user.openid,
      scope,
      snapshot,
      expiresAt: this.clock.now() + CODE_TTL_MS,
      used: false,
    });
    this.prune();
    return code;
  }

  /** Exchanges a checked code: a new access token and a new refresh token. */
  grant(code: OAuthCodeRecord): { access: OAuthTokenRecord; refresh: OAuthTokenRecord } {
    code.used = true;
    const now = this.clock.now();
    const base = { appid: code.appid, openid: code.openid, scope: code.scope, snapshot: code.snapshot };
    const access = { ...base, token: this.random.accessToken(), expiresAt: now + OAUTH_TOKEN_TTL_MS };
    const refresh = { ...base, token: this.random.accessToken(), expiresAt: now + REFRESH_TOKEN_TTL_MS };
    this.accessTokens.set(access.token, access);
    this.refreshTokens.set(refresh.token, refresh);
    return { access, refresh };
  }

  /** A new access token for a valid refresh token; the refresh token itself is unchanged. */
  refresh(refresh: OAuthTokenRecord): OAuthTokenRecord {
    const access = {
      ...refresh,
      token: this.random.accessToken(),
      expiresAt: this.clock.now() + OAUTH_TOKEN_TTL_MS,
    };
    this.accessTokens.set(access.token, access);
    this.prune();
    return access;
  }

  /** The record behind an access token, valid or not. */
  peekAccess(token: string | null): OAuthTokenRecord | undefined {
    return token ? this.accessTokens.get(token) : undefined;
  }

  peekRefresh(token: string | null): OAuthTokenRecord | undefined {
    return token ? this.refreshTokens.get(token) : undefined;
  }

  /** A user access token from the query string: missing 41001, unknown 40001, expired 42001. */
  validateAccess(token: string | null): OAuthTokenRecord {
    if (!token) throw new WechatError(41001);
    const record = this.accessTokens.get(token);
    if (!record) throw new WechatError(40001);
    if (record.expiresAt <= this.clock.now()) throw new WechatError(42001);
    return record;
  }

  profile(appid: string, openid: string): OAuthProfile {
    return this.profiles.get(key(appid, openid)) ?? defaultProfile();
  }

  private prepareUser(app: SimulatorApp, input: OAuthUserInput): SimulatedUser {
    const user = this.state.chooseUser(app, input);
    const id = key(app.appid, user.openid);
    const profile = this.profiles.get(id) ?? defaultProfile();
    this.profiles.set(id, {
      nickname: input.nickname ?? profile.nickname,
      sex: input.sex ?? profile.sex,
      province: input.province ?? profile.province,
      city: input.city ?? profile.city,
      country: input.country ?? profile.country,
      headimgurl: input.headimgurl ?? profile.headimgurl,
    });
    return user;
  }

  /** Forgets codes and tokens long past expiry, so long runs do not grow without bound. */
  private prune(): void {
    if (++this.issued % PRUNE_EVERY !== 0) return;
    const now = this.clock.now();
    for (const [code, record] of this.codes)
      if (record.expiresAt < now - CODE_TTL_MS) this.codes.delete(code);
    for (const map of [this.accessTokens, this.refreshTokens]) {
      for (const [token, record] of map) if (record.expiresAt < now - REMEMBER_EXPIRED_MS) map.delete(token);
    }
  }
}

function key(appid: string, openid: string): string {
  return `${appid}\n${openid}`;
}

/** What WeChat shows for a user who set nothing special: its generic nickname, no location. */
function defaultProfile(): OAuthProfile {
  return { nickname: '微信用户', sex: 0, province: '', city: '', country: '', headimgurl: '' };
}
