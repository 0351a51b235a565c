import type { AuthModuleOptions } from './auth-module-options.interface.js';
import { isWechatOAuthClient } from './oauth/oauth-client.port.js';
import { resolveOAuthOptions, type ResolvedOAuthOptions } from './oauth/oauth-options.js';

const DAY = 86_400;

/** Options after defaults, as the module's services use them. @internal */
export interface ResolvedAuthOptions {
  keyPrefix: string;
  sessionKeySecret: string;
  idleTtlSeconds: number;
  touchIntervalSeconds: number;
  absoluteTtlSeconds: number;
  loginReplayWindowSeconds: number;
  maxSessionsPerUser: number;
  /** `sessionApps` as a set, or null when sessions of any app pass. */
  sessionApps?: ReadonlySet<string> | null;
  /** The web login's options: set exactly when its routes are declared. */
  oauth?: ResolvedOAuthOptions;
  /** Explicit store, or null to build one from `redis` / memory. */
  source: Pick<
    AuthModuleOptions,
    'redis' | 'sessionStore' | 'inMemoryStore' | 'wechat' | 'wechatClient' | 'users' | 'events'
  >;
}

/** The module was configured in a way that cannot work; raised at start-up. @publicApi */
export class AuthModuleOptionsError extends Error {
  override readonly name = 'AuthModuleOptionsError';

  constructor(readonly problems: string[]) {
    super(`WechatAuth module options are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function resolveAuthOptions(
  options: AuthModuleOptions,
  needsLogin: boolean,
  needsOAuth = false,
): ResolvedAuthOptions {
  const problems: string[] = [];
  const resolved: ResolvedAuthOptions = {
    keyPrefix: options.keyPrefix ?? 'wxauth:',
    sessionKeySecret: options.sessionKeySecret,
    idleTtlSeconds: options.idleTtlSeconds ?? 7 * DAY,
    touchIntervalSeconds: options.touchIntervalSeconds ?? 3600,
    absoluteTtlSeconds: options.absoluteTtlSeconds ?? 30 * DAY,
    loginReplayWindowSeconds: options.loginReplayWindowSeconds ?? 30,
    maxSessionsPerUser: options.maxSessionsPerUser ?? 10,
    sessionApps: options.sessionApps ? new Set(options.sessionApps) : null,
    source: options,
  };
  if (!options.redis && !options.sessionStore && !options.inMemoryStore) {
    problems.push(
      'no session store: pass `redis` (an ioredis connection), a `sessionStore`, or `inMemoryStore: true` for development',
    );
  }
  if (typeof options.sessionKeySecret !== 'string' || options.sessionKeySecret.length < 32) {
    problems.push(
      '`sessionKeySecret` is required and must be at least 32 characters (it seals session_keys at rest)',
    );
  }
  for (const name of ['idleTtlSeconds', 'touchIntervalSeconds', 'absoluteTtlSeconds'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1)
      problems.push(`\`${name}\` must be a positive whole number of seconds`);
  }
  if (resolved.touchIntervalSeconds > resolved.idleTtlSeconds) {
    problems.push(
      '`touchIntervalSeconds` must not exceed `idleTtlSeconds`, or sessions would expire between touches',
    );
  }
  if (resolved.idleTtlSeconds > resolved.absoluteTtlSeconds) {
    problems.push('`idleTtlSeconds` must not exceed `absoluteTtlSeconds`');
  }
  const replay = resolved.loginReplayWindowSeconds;
  if (!Number.isInteger(replay) || replay < 1 || replay > 30) {
    problems.push('`loginReplayWindowSeconds` must be a whole number from 1 to 30');
  }
  const max = resolved.maxSessionsPerUser;
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    problems.push('`maxSessionsPerUser` must be a whole number from 1 to 100');
  }
  if (needsLogin && !options.wechat && !options.wechatClient) {
    problems.push(
      'the login route needs `wechat` (apps and secrets) or a `wechatClient`; or declare the module with `routes: false`',
    );
  }
  if (needsLogin && typeof options.users?.findOrCreate !== 'function') {
    problems.push(
      'the login route needs `users`: `UsersService` from weapp-auth/users or your own `{ findOrCreate(identity) }`; or declare the module with `routes: false`',
    );
  }
  const apps = options.sessionApps;
  if (
    apps !== undefined &&
    (!Array.isArray(apps) || apps.length === 0 || !apps.every((appid) => typeof appid === 'string' && appid))
  ) {
    problems.push('`sessionApps` must be a non-empty list of appids (leave it out to accept every app)');
  }
  if (options.events !== undefined && typeof options.events?.onAuthEvent !== 'function') {
    problems.push('`events` must be an object with an `onAuthEvent(event, request)` method');
  }
  problems.push(...oauthProblems(options, resolved, needsLogin, needsOAuth));
  if (problems.length > 0) throw new AuthModuleOptionsError(problems);
  return resolved;
}

function oauthProblems(
  options: AuthModuleOptions,
  resolved: ResolvedAuthOptions,
  needsLogin: boolean,
  needsOAuth: boolean,
): string[] {
  const problems: string[] = [];
  if (!needsOAuth) {
    if (options.oauth !== undefined) {
      problems.push('`oauth` is set but the module was declared without the `oauthRoutes: true` extra');
    }
    return problems;
  }
  if (!needsLogin) problems.push('the `oauthRoutes` extra needs the login routes: drop `routes: false`');
  if (typeof options.oauth !== 'object' || options.oauth === null) {
    problems.push('the `oauthRoutes` extra needs `oauth` (at least `redirectAllowlist`)');
    return problems;
  }
  resolved.oauth = resolveOAuthOptions(options.oauth, problems);
  if (options.wechatClient && !isWechatOAuthClient(options.wechatClient)) {
    problems.push(
      '`wechatClient` must also implement WechatOAuthClient (appKind, oauthAccessToken, oauthUserInfo) for the web login',
    );
  }
  const apps = options.wechatClient ? undefined : options.wechat?.apps;
  if (
    Array.isArray(apps) &&
    !apps.some((app) => app?.kind === 'official_account' || app?.kind === 'website')
  ) {
    problems.push('the web login needs an app of kind `official_account` or `website` in `wechat.apps`');
  }
  return problems;
}
