import type { LoggerService } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import {
  APPID_PATTERN,
  WECHAT_DEFAULT_BASE_URL,
  WECHAT_DEFAULT_REDIS_KEY_PREFIX,
  WECHAT_DEFAULT_TIMEOUT_MS,
} from './wechat.constants.js';
import {
  WECHAT_APP_KINDS,
  type WechatAppCredentials,
  type WechatCallObservation,
  type WechatModuleOptions,
} from './wechat-options.interface.js';

/** Options after validation, with defaults applied. @internal */
export interface ResolvedWechatOptions {
  apps: ReadonlyMap<string, WechatAppCredentials>;
  defaultAppid: string;
  baseUrl: string;
  timeoutMs: number;
  connectTimeoutMs?: number;
  redis?: Redis | Cluster;
  redisKeyPrefix: string;
  logger?: LoggerService;
  observeCall?: (observation: WechatCallObservation) => void;
}

/** Thrown at startup for bad {@link WechatModuleOptions}. Names fields, never their values. @publicApi */
export class WechatOptionsError extends Error {
  override readonly name = 'WechatOptionsError';

  constructor(readonly problems: string[]) {
    super(`Invalid WechatModule options: ${problems.join('; ')}`);
  }
}

const MAX_TIMEOUT_MS = 10 * 60_000;

function isPositiveMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_TIMEOUT_MS;
}

function hasMethods(value: unknown, names: string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
  );
}

/**
 * Validates options and applies defaults. Messages point at the field (`apps[1].appid`) but never echo a
 * value: a secret pasted into the appid field must not end up in a startup log.
 *
 * @internal
 */
export function resolveWechatOptions(options: WechatModuleOptions): ResolvedWechatOptions {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) throw new WechatOptionsError(['options are missing']);

  const apps = new Map<string, WechatAppCredentials>();
  if (!Array.isArray(options.apps) || options.apps.length === 0) {
    problems.push('apps must list at least one { appid, secret }');
  } else {
    options.apps.forEach((app: Partial<WechatAppCredentials> | null | undefined, index) => {
      const appid = app?.appid;
      const secret = app?.secret;
      if (typeof appid !== 'string' || !APPID_PATTERN.test(appid)) {
        problems.push(`apps[${index}].appid must be "wx" followed by 16 lowercase hex characters`);
      } else if (apps.has(appid)) {
        problems.push(`apps[${index}].appid is listed twice`);
      }
      if (typeof secret !== 'string' || secret.trim().length === 0) {
        problems.push(`apps[${index}].secret must be a non-empty string`);
      } else if (secret !== secret.trim()) {
        problems.push(`apps[${index}].secret has leading or trailing whitespace`);
      }
      const kind = app?.kind ?? 'mini_program';
      if (!WECHAT_APP_KINDS.includes(kind)) {
        problems.push(`apps[${index}].kind must be one of ${WECHAT_APP_KINDS.join(', ')}`);
      }
      if (typeof appid === 'string' && typeof secret === 'string') {
        apps.set(appid, app?.kind === undefined ? { appid, secret } : { appid, secret, kind });
      }
    });
  }

  const baseUrl = options.baseUrl ?? WECHAT_DEFAULT_BASE_URL;
  let parsedBase: URL | undefined;
  try {
    parsedBase = new URL(baseUrl);
  } catch {
    problems.push('baseUrl must be an absolute http(s) URL');
  }
  if (parsedBase) {
    if (parsedBase.protocol !== 'https:' && parsedBase.protocol !== 'http:') {
      problems.push('baseUrl must use http or https');
    }
    if (parsedBase.search || parsedBase.hash || parsedBase.username || parsedBase.password) {
      problems.push('baseUrl must not carry a query, fragment or credentials');
    }
  }

  const timeoutMs = options.timeoutMs ?? WECHAT_DEFAULT_TIMEOUT_MS;
  if (!isPositiveMs(timeoutMs)) problems.push(`timeoutMs must be an integer between 1 and ${MAX_TIMEOUT_MS}`);
  if (options.connectTimeoutMs !== undefined && !isPositiveMs(options.connectTimeoutMs)) {
    problems.push(`connectTimeoutMs must be an integer between 1 and ${MAX_TIMEOUT_MS}`);
  }
  const redisKeyPrefix = options.redisKeyPrefix ?? WECHAT_DEFAULT_REDIS_KEY_PREFIX;
  if (typeof redisKeyPrefix !== 'string') problems.push('redisKeyPrefix must be a string');
  if (
    options.redis !== undefined &&
    options.redis !== null &&
    !hasMethods(options.redis, ['get', 'set', 'eval', 'mget'])
  ) {
    problems.push('redis must be an ioredis Redis or Cluster instance');
  }
  if (
    options.logger !== undefined &&
    options.logger !== null &&
    !hasMethods(options.logger, ['log', 'warn', 'error'])
  ) {
    problems.push('logger must implement LoggerService (log, warn, error)');
  }
  if (
    options.observeCall !== undefined &&
    options.observeCall !== null &&
    typeof options.observeCall !== 'function'
  ) {
    problems.push('observeCall must be a function');
  }
  if (problems.length > 0) throw new WechatOptionsError(problems);

  return {
    apps,
    // The first mini program: a login without an appid is a mini-program login. With none configured
    // (an OAuth-only client) the first app, which every mini-program call then refuses.
    defaultAppid: (
      options.apps.find((app) => (app.kind ?? 'mini_program') === 'mini_program') ?? options.apps[0]
    ).appid,
    baseUrl,
    timeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    redis: options.redis ?? undefined,
    redisKeyPrefix,
    logger: options.logger ?? undefined,
    observeCall: options.observeCall ?? undefined,
  };
}
