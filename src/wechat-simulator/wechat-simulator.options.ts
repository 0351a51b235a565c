/**
 * Options of the WeChat API simulator and their defaults.
 *
 * @publicApi
 */

/**
 * What kind of WeChat app an appid is (docs/wechat-api-notes.md §14): a mini program logs in with
 * jscode2session, an Official Account with the in-WeChat web authorize page
 * (`snsapi_base` / `snsapi_userinfo`), a website app with the QR login page (`snsapi_login`).
 */
export type SimulatorAppKind = 'mini_program' | 'official_account' | 'website';

export const SIMULATOR_APP_KINDS: readonly SimulatorAppKind[] = [
  'mini_program',
  'official_account',
  'website',
];

/** One app known to the simulator (a mini program unless `kind` says otherwise). */
export interface SimulatorApp {
  /** `wx` + 16 lowercase hex in real life; any non-empty string is accepted here. */
  appid: string;
  /** AppSecret; 32 hex chars in real life. */
  secret: string;
  /**
   * Set when the app is bound to a WeChat Open Platform account: jscode2session then returns a
   * `unionid`, shared by every app with the same `openPlatformId`.
   */
  openPlatformId?: string;
  /** Default `'mini_program'`. */
  kind?: SimulatorAppKind;
  /**
   * Official Account and website apps: the hosts a `redirect_uri` may point at (the web authorization
   * domain set in the WeChat console). A listed host also allows its subdomains. Default none, so every
   * authorize request is refused until a domain is set.
   */
  redirectDomains?: string[];
}

/**
 * When minting a login code (the simulator's `wx.login`) creates a new session_key.
 * WeChat only says a new code *may* rotate the key (docs/wechat-api-notes.md §2, §12.2), so tests pick one.
 */
export type SessionKeyRotation = 'always' | 'never' | { minIntervalSeconds: number };

/**
 * Optional jscode2session per-minute limit (45011). WeChat's scope is disputed
 * (docs/wechat-api-notes.md §12.1).
 */
export type LoginRateLimit = false | { perMinute: number; scope: 'openid' | 'appid' };

/** The WeChat endpoints the simulator serves, named by the last path segment. */
export type WechatApiName =
  | 'jscode2session'
  | 'checksession'
  | 'resetusersessionkey'
  | 'token'
  | 'stable_token'
  | 'getuserphonenumber'
  | 'msg_sec_check'
  | 'sns/oauth2/access_token'
  | 'sns/oauth2/refresh_token'
  | 'sns/userinfo'
  | 'sns/auth';

export const WECHAT_API_NAMES: readonly WechatApiName[] = [
  'jscode2session',
  'checksession',
  'resetusersessionkey',
  'token',
  'stable_token',
  'getuserphonenumber',
  'msg_sec_check',
  'sns/oauth2/access_token',
  'sns/oauth2/refresh_token',
  'sns/userinfo',
  'sns/auth',
];

/** @publicApi */
export interface WechatSimulatorOptions {
  /** TCP port; 0 (default) picks any free port. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Registered apps; default `[DEFAULT_SIMULATOR_APP]`. */
  apps?: SimulatorApp[];
  /** Serve the `/__sim/*` test-control API; default true. When false every `/__sim/*` answers 404. */
  controlApi?: boolean;
  /** Default `'always'`: every minted login code carries a fresh session_key. */
  sessionKeyRotation?: SessionKeyRotation;
  /**
   * Absolute session_key lifetime from its creation; default 3 days (the one staff answer,
   * docs/wechat-api-notes.md §2).
   */
  sessionKeyTtlSeconds?: number;
  /** Default false (no limit). */
  loginRateLimit?: LoginRateLimit;
  /** Millisecond clock; default `Date.now`. The control API can move it forward. */
  now?: () => number;
  /** Seed for a deterministic RNG (codes, keys, tokens, IVs, rids); default: crypto-random. */
  seed?: string | number;
  /** Sensitive words for msg_sec_check at start and after reset; default none. */
  sensitiveWords?: string[];
  /** Override the Content-Type per endpoint (real ones: text/plain for jscode2session, else JSON). */
  contentTypes?: Partial<Record<WechatApiName, string>>;
  /** How many requests `/__sim/requests` keeps (oldest dropped first); default 10,000. */
  requestLogLimit?: number;
  /** Default true: print nothing. When false, one line per WeChat API call goes to stdout. */
  quiet?: boolean;
}

/**
 * The app every simulator knows unless `apps` says otherwise. Not a real app: the secret is fake.
 *
 * @publicApi
 */
export const DEFAULT_SIMULATOR_APP: Readonly<SimulatorApp> = Object.freeze({
  appid: 'wx0123456789abcdef',
  secret: '5e3f0c1a9b7d2e4f6a8c0b1d3e5f7a9c',
});

/** @internal Options with every default filled in. */
export interface ResolvedSimulatorOptions {
  port: number;
  host: string;
  apps: SimulatorApp[];
  controlApi: boolean;
  sessionKeyRotation: SessionKeyRotation;
  sessionKeyTtlSeconds: number;
  loginRateLimit: LoginRateLimit;
  now: () => number;
  seed: string | number | undefined;
  sensitiveWords: string[];
  contentTypes: Record<WechatApiName, string>;
  requestLogLimit: number;
  quiet: boolean;
}

// Observed headers: jscode2session says text/plain, the token API says `encoding=` instead of
// `charset=` (docs/wechat-api-notes.md §1). Other endpoints are assumed to behave like the token API.
const JSON_CONTENT_TYPE = 'application/json; encoding=utf-8';
const DEFAULT_CONTENT_TYPES: Record<WechatApiName, string> = {
  jscode2session: 'text/plain',
  checksession: JSON_CONTENT_TYPE,
  resetusersessionkey: JSON_CONTENT_TYPE,
  token: JSON_CONTENT_TYPE,
  stable_token: JSON_CONTENT_TYPE,
  getuserphonenumber: JSON_CONTENT_TYPE,
  msg_sec_check: JSON_CONTENT_TYPE,
  // The web OAuth endpoints are assumed to answer like the token API (not observed).
  'sns/oauth2/access_token': JSON_CONTENT_TYPE,
  'sns/oauth2/refresh_token': JSON_CONTENT_TYPE,
  'sns/userinfo': JSON_CONTENT_TYPE,
  'sns/auth': JSON_CONTENT_TYPE,
};

const THREE_DAYS_SECONDS = 3 * 24 * 3600;

/** @internal Fills defaults and rejects options that would make the simulator misbehave silently. */
export function resolveSimulatorOptions(options: WechatSimulatorOptions = {}): ResolvedSimulatorOptions {
  const apps = (options.apps ?? [DEFAULT_SIMULATOR_APP]).map((app) => ({ ...app }));
  const seen = new Set<string>();
  for (const app of apps) {
    if (!app.appid || !app.secret) throw new Error('WechatSimulator: every app needs an appid and a secret');
    if (seen.has(app.appid)) throw new Error(`WechatSimulator: app ${app.appid} is listed twice`);
    seen.add(app.appid);
    validateAppKind(app);
  }
  const rotation = options.sessionKeyRotation ?? 'always';
  if (typeof rotation === 'object' && !(rotation.minIntervalSeconds >= 0)) {
    throw new Error('WechatSimulator: sessionKeyRotation.minIntervalSeconds must be >= 0');
  }
  const ttl = options.sessionKeyTtlSeconds ?? THREE_DAYS_SECONDS;
  if (!(ttl > 0)) throw new Error('WechatSimulator: sessionKeyTtlSeconds must be > 0');
  const rateLimit = options.loginRateLimit ?? false;
  if (rateLimit && !(rateLimit.perMinute >= 1)) {
    throw new Error('WechatSimulator: loginRateLimit.perMinute must be >= 1');
  }
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    apps,
    controlApi: options.controlApi ?? true,
    sessionKeyRotation: rotation,
    sessionKeyTtlSeconds: ttl,
    loginRateLimit: rateLimit,
    now: options.now ?? Date.now,
    seed: options.seed,
    sensitiveWords: [...(options.sensitiveWords ?? [])],
    contentTypes: { ...DEFAULT_CONTENT_TYPES, ...options.contentTypes },
    requestLogLimit: options.requestLogLimit ?? 10_000,
    quiet: options.quiet ?? true,
  };
}

/** @internal Rejects an unknown kind and redirect domains that could never match a host. */
export function validateAppKind(app: SimulatorApp): void {
  if (app.kind !== undefined && !SIMULATOR_APP_KINDS.includes(app.kind)) {
    throw new Error(
      `WechatSimulator: app ${app.appid} kind must be one of ${SIMULATOR_APP_KINDS.join(', ')}`,
    );
  }
  for (const domain of app.redirectDomains ?? []) {
    if (typeof domain !== 'string' || !/^[a-z0-9.-]+(:\d+)?$/i.test(domain)) {
      throw new Error(`WechatSimulator: app ${app.appid} redirectDomains must be host names, got ${domain}`);
    }
  }
}
