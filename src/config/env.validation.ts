import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from '../http/class-validator.js';
import { parseDurationSeconds } from './duration.js';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

// Reads the raw string (implicit conversion would already have turned 'false' into true), and leaves
// unrecognised words as strings so @IsBoolean reports them instead of silently meaning false.
const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  on: true,
  false: false,
  '0': false,
  no: false,
  off: false,
};
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  return typeof raw === 'string' ? (BOOLEAN_WORDS[raw.toLowerCase()] ?? raw) : raw;
};

const DURATION_FORMAT = /^[1-9]\d*\s*[smhdw]?$/i;
const DURATION_MESSAGE = (name: string) =>
  `${name} must be a positive duration in seconds or like 45s, 30m, 1h, 7d, 2w`;

/** `name:sha256hex` pairs of OPERATOR_CREDENTIALS. */
const OPERATOR_CREDENTIALS_FORMAT =
  /^[A-Za-z0-9._-]{1,32}:[0-9a-fA-F]{64}(,[A-Za-z0-9._-]{1,32}:[0-9a-fA-F]{64})*$/;
/**
 * Every environment variable the service reads, with its rules. Defaults live in the config namespaces.
 * With `stopAtFirstError` the decorator nearest the property is reported first, so type checks go last.
 */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(NODE_ENVS)
  NODE_ENV?: NodeEnv;

  @IsOptional()
  @Max(65535)
  @Min(0)
  @IsInt()
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @Matches(/^(mysql|mariadb):\/\/[^/]+\/[^/?]+/, {
    message: 'DATABASE_URL must look like mysql://user:pass@host:port/database',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  SQLITE_PATH?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  DB_MIGRATIONS_RUN?: boolean;

  @IsOptional()
  @Matches(/^rediss?:\/\/[^,\s]+(,rediss?:\/\/[^,\s]+)*$/, {
    message:
      'REDIS_URL must look like redis://host:port[/db], or list Redis Cluster nodes separated by commas',
  })
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  REDIS_KEY_PREFIX?: string;

  @IsOptional()
  @Matches(/^wx[0-9a-f]{16}(,wx[0-9a-f]{16})*$/, {
    message: 'WECHAT_APPID must be one appid (wx + 16 lowercase hex) or a comma-separated list of them',
  })
  WECHAT_APPID?: string;

  @IsOptional()
  @IsString()
  WECHAT_SECRET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  WECHAT_API_BASE_URL?: string;

  @IsOptional()
  @Max(60000)
  @Min(100)
  @IsInt()
  WECHAT_TIMEOUT_MS?: number;

  @IsOptional()
  @Max(65535)
  @Min(0)
  @IsInt()
  WECHAT_SIMULATOR_PORT?: number;

  /** True: `POST /auth/login/cloud-hosting` trusts WeChat Cloud Hosting's X-WX-* headers (docs/configuration.md). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  WECHAT_CLOUD_HOSTING?: boolean;

  /** The web login's Official Account (docs/web-login.md); with its secret, or neither. */
  @IsOptional()
  @Matches(/^wx[0-9a-f]{16}$/, {
    message: 'WECHAT_OFFICIAL_ACCOUNT_APPID must be one appid (wx + 16 lowercase hex)',
  })
  WECHAT_OFFICIAL_ACCOUNT_APPID?: string;

  @IsOptional()
  @IsString()
  WECHAT_OFFICIAL_ACCOUNT_SECRET?: string;

  /** The web login's website app (QR login); with its secret, or neither. */
  @IsOptional()
  @Matches(/^wx[0-9a-f]{16}$/, { message: 'WECHAT_WEBSITE_APPID must be one appid (wx + 16 lowercase hex)' })
  WECHAT_WEBSITE_APPID?: string;

  @IsOptional()
  @IsString()
  WECHAT_WEBSITE_SECRET?: string;

  /** Origins the web login may send the browser back to, comma-separated (`https://shop.example.com`). */
  @IsOptional()
  @Matches(/^https?:\/\/[^/,\s]+\/?(,\s*https?:\/\/[^/,\s]+\/?)*$/, {
    message:
      'OAUTH_REDIRECT_ALLOWLIST must list origins (scheme://host[:port], no path), comma-separated, e.g. https://shop.example.com',
  })
  OAUTH_REDIRECT_ALLOWLIST?: string;

  /** WeChat's authorize pages; default https://open.weixin.qq.com (the simulator in development). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  OAUTH_AUTHORIZE_BASE_URL?: string;

  @IsOptional()
  @MinLength(32, { message: 'SESSION_KEY_SECRET must be at least 32 characters' })
  @IsString()
  SESSION_KEY_SECRET?: string;

  @IsOptional()
  @Matches(DURATION_FORMAT, { message: DURATION_MESSAGE('SESSION_IDLE_TTL') })
  SESSION_IDLE_TTL?: string;

  @IsOptional()
  @Matches(DURATION_FORMAT, { message: DURATION_MESSAGE('SESSION_TOUCH_INTERVAL') })
  SESSION_TOUCH_INTERVAL?: string;

  @IsOptional()
  @Matches(DURATION_FORMAT, { message: DURATION_MESSAGE('SESSION_ABSOLUTE_TTL') })
  SESSION_ABSOLUTE_TTL?: string;

  @IsOptional()
  @Max(100)
  @Min(1)
  @IsInt()
  SESSION_MAX_PER_USER?: number;

  @IsOptional()
  @IsString()
  AVATAR_DIR?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  AVATAR_UPLOADS_ENABLED?: boolean;

  /** Side, in pixels, of the square every stored avatar is re-encoded to. */
  @IsOptional()
  @Max(1024)
  @Min(64)
  @IsInt()
  AVATAR_SIZE?: number;

  /** Largest width or height an upload may declare; checked from the header, before decoding. */
  @IsOptional()
  @Max(16_384)
  @Min(64)
  @IsInt()
  AVATAR_MAX_DIMENSION?: number;

  /** Uploads are refused (507) while the avatar volume has less free space than this; 0 turns the check off. */
  @IsOptional()
  @Max(1_000_000_000)
  @Min(0)
  @IsInt()
  AVATAR_MIN_FREE_MB?: number;

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'PUBLIC_BASE_URL must be an http(s) URL such as https://api.example.com' },
  )
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  WECHAT_CONTENT_CHECK?: boolean;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  SWAGGER_ENABLED?: boolean;

  /** False: nothing is recorded (a no-op recorder), e.g. for comparison benchmarks. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  AUDIT_ENABLED?: boolean;

  /** Audit events older than this many days are deleted by the hourly retention job. */
  @IsOptional()
  @Max(36500)
  @Min(1)
  @IsInt()
  AUDIT_RETENTION_DAYS?: number;

  /** Operator API credentials: `name:sha256hex` pairs, comma-separated (`npm run operator:credential`). */
  @IsOptional()
  @Matches(OPERATOR_CREDENTIALS_FORMAT, {
    message:
      'OPERATOR_CREDENTIALS must be name:sha256hex pairs, comma-separated (names of letters, digits, ., _ or -, up to 32); ' +
      'make one with npm run operator:credential -- <name>',
  })
  OPERATOR_CREDENTIALS?: string;

  /** false: no metrics are collected and `/metrics` does not exist (comparison benchmarks). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  METRICS_ENABLED?: boolean;

  /** Serve `/metrics` alone on this port (on HOST); unset: on the API port, behind an operator credential. */
  @IsOptional()
  @Max(65535, { message: 'METRICS_PORT must be a TCP port, 0 to 65535 (0 picks a free one)' })
  @Min(0, { message: 'METRICS_PORT must be a TCP port, 0 to 65535 (0 picks a free one)' })
  @IsInt({ message: 'METRICS_PORT must be a whole number, e.g. 9464' })
  METRICS_PORT?: number;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Matches(/^(false|off|0|[1-9]\d?|[0-9a-fA-F:./]+(,[0-9a-fA-F:./]+)*)$/, {
    message:
      'TRUST_PROXY must be false, the number of proxy hops in front of the service (e.g. 1), or the proxy addresses/CIDRs, comma-separated',
  })
  TRUST_PROXY?: string;

  /** Seconds of `Strict-Transport-Security: max-age`; unset sends no HSTS header (two years at most). */
  @IsOptional()
  @Max(63_072_000, { message: 'HSTS_MAX_AGE must be at most 63072000 seconds (two years)' })
  @Min(0, { message: 'HSTS_MAX_AGE must be a number of seconds, 0 or more' })
  @IsInt({ message: 'HSTS_MAX_AGE must be a whole number of seconds, e.g. 31536000 for a year' })
  HSTS_MAX_AGE?: number;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  RATE_LIMIT_ENABLED?: boolean;

  @IsOptional()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  RATE_LIMIT_LOGIN_PER_MINUTE?: number;

  @IsOptional()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  RATE_LIMIT_SESSION_PER_MINUTE?: number;

  @IsOptional()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  RATE_LIMIT_FAILED_TOKENS_PER_MINUTE?: number;

  @IsOptional()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  RATE_LIMIT_WECHAT_CALLS_PER_USER_PER_HOUR?: number;

  @IsOptional()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  RATE_LIMIT_AVATAR_UPLOADS_PER_USER_PER_HOUR?: number;

  @IsOptional()
  @Max(600_000)
  @Min(0)
  @IsInt()
  SHUTDOWN_DRAIN_MS?: number;

  @IsOptional()
  @Max(600_000)
  @Min(100)
  @IsInt()
  SHUTDOWN_GRACE_MS?: number;

  /** Time to receive a whole request, headers and body, in ms: slower or stalled clients get 408. */
  @IsOptional()
  @Max(600_000, { message: 'REQUEST_TIMEOUT_MS must be at most 600000 (ten minutes)' })
  @Min(1000, { message: 'REQUEST_TIMEOUT_MS must be at least 1000 ms' })
  @IsInt({ message: 'REQUEST_TIMEOUT_MS must be a whole number of milliseconds, e.g. 30000' })
  REQUEST_TIMEOUT_MS?: number;
}

/** Thrown at boot when the environment is unusable; its message lists every problem at once. */
export class InvalidEnvironmentError extends Error {
  override readonly name = 'InvalidEnvironmentError';

  constructor(readonly problems: string[]) {
    super(`Invalid environment, the service will not start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const PLACEHOLDER_SECRET = /^(changeme|change-me|secret|test|dev|development|placeholder|x+|0+)$/i;

/**
 * The AppSecret of the WeChat simulator's default app (`DEFAULT_SIMULATOR_APP` in
 * src/wechat-simulator/wechat-simulator.options.ts). Written out because config must not load the
 * simulator (lint); env.validation.spec.ts checks that the two agree. The README publishes it, so
 * production refuses it: a configuration holding it was copied from the docs or points at a simulator.
 * @internal
 */
export const SIMULATOR_PUBLISHED_SECRET = '5e3f0c1a9b7d2e4f6a8c0b1d3e5f7a9c';

/**
 * Variables that make a host a deployment rather than a laptop. With any of them set, `NODE_ENV` must
 * say which one it is: unset, the service would otherwise run on development fallbacks (Swagger on,
 * a per-process SESSION_KEY_SECRET, the simulator) without anyone having asked for them.
 */
const DEPLOYMENT_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'WECHAT_APPID',
  'WECHAT_SECRET',
  'SESSION_KEY_SECRET',
  'PUBLIC_BASE_URL',
] as const;

/** Minimum number of distinct characters in a production `SESSION_KEY_SECRET`. */
const SECRET_MIN_DISTINCT = 10;
/** A production `SESSION_KEY_SECRET` may not hold this many identical or consecutive characters in a row. */
const SECRET_MAX_RUN = 8;

/**
 * Why a production `SESSION_KEY_SECRET` does not look random, or null. The rule (docs/configuration.md):
 * at least 32 characters, at least 10 distinct ones, not one shorter pattern repeated, and no run of 8
 * identical or consecutive characters (`aaaaaaaa`, `12345678`, `hgfedcba`). Random output always
 * passes: 32 hex characters from `openssl rand -hex 16` have 14 distinct ones on average (fewer than
 * 10 about once in 12,000 draws, hence not 16); base64url of 32 random bytes, the README's recipe, has ~30.
 * A typed phrase can still pass; the check catches keyboard patterns, not every human choice.
 */
export function sessionSecretWeakness(secret: string): string | null {
  if (secret.length < 32) return 'it is shorter than 32 characters';
  if (new Set(secret).size < SECRET_MIN_DISTINCT)
    return `it has fewer than ${SECRET_MIN_DISTINCT} distinct characters`;
  // A string is a repetition of a shorter pattern exactly when it occurs inside itself doubled.
  if ((secret + secret).indexOf(secret, 1) < secret.length) return 'it repeats one shorter pattern';
  let run = 1;
  let step = NaN;
  for (let i = 1; i < secret.length; i++) {
    const delta = secret.charCodeAt(i) - secret.charCodeAt(i - 1);
    run = Math.abs(delta) > 1 ? 1 : delta === step ? run + 1 : 2;
    step = delta;
    if (run >= SECRET_MAX_RUN)
      return `it holds ${SECRET_MAX_RUN} identical or consecutive characters in a row`;
  }
  return null;
}

/** Plain http is acceptable only to this machine: nothing crosses a network in clear. */
function isHttpsOrLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true; // malformed: already reported by the field's own rule
  }
  if (parsed.protocol === 'https:') return true;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Validates and converts the raw environment. Empty strings count as unset.
 * In production every development fallback (SQLite, in-process store, simulator) is refused.
 */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== '' && value != null),
  );
  const env = plainToInstance(EnvironmentVariables, present, { enableImplicitConversion: true });
  const problems = validateSync(env, { stopAtFirstError: true }).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
  problems.push(...crossFieldProblems(env));
  if (env.NODE_ENV === undefined) problems.push(...undeclaredModeProblems(env));
  if (env.NODE_ENV === 'production') problems.push(...productionProblems(env));
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return env;
}

function crossFieldProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  const appids = env.WECHAT_APPID?.split(',') ?? [];
  const secrets = env.WECHAT_SECRET?.split(',') ?? [];
  if (appids.length > 0 && secrets.length !== appids.length) {
    problems.push(`WECHAT_SECRET must list one secret per WECHAT_APPID (${appids.length} appid(s) given)`);
  }
  if (appids.length === 0 && secrets.length > 0) {
    problems.push('WECHAT_SECRET is set but WECHAT_APPID is not');
  }
  const seconds = (value: string | undefined, fallback: number) =>
    (value && parseDurationSeconds(value)) || fallback;
  const idle = seconds(env.SESSION_IDLE_TTL, 7 * 86_400);
  if (seconds(env.SESSION_TOUCH_INTERVAL, 3600) > idle) {
    problems.push('SESSION_TOUCH_INTERVAL must not exceed SESSION_IDLE_TTL');
  }
  if (idle > seconds(env.SESSION_ABSOLUTE_TTL, 30 * 86_400)) {
    problems.push('SESSION_IDLE_TTL must not exceed SESSION_ABSOLUTE_TTL');
  }
  problems.push(...oauthCrossFieldProblems(env));
  if (env.METRICS_PORT && env.METRICS_PORT === (env.PORT ?? 3000)) {
    problems.push('METRICS_PORT must differ from PORT (unset it to serve /metrics on the API port)');
  }
  return problems;
}

/**
 * Development fallbacks run when nothing is configured (a fresh clone) or when `NODE_ENV` says
 * `development`/`test`. A host that sets some deployment variables but no `NODE_ENV` is most likely a
 * production host missing one line: refuse rather than run it in development mode.
 */
function undeclaredModeProblems(env: EnvironmentVariables): string[] {
  const set = DEPLOYMENT_VARIABLES.filter((name) => env[name] !== undefined);
  if (set.length === 0) return [];
  return [
    `NODE_ENV is unset but ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set: set NODE_ENV=production ` +
      'for a deployment, or NODE_ENV=development to run on development fallbacks (simulator, SQLite, in-process store, ' +
      'a per-process SESSION_KEY_SECRET, /docs) on purpose',
  ];
}

function productionProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (!env.DATABASE_URL) {
    problems.push(
      'DATABASE_URL is required in production (the embedded SQLite file is for development only)',
    );
  }
  if (!env.REDIS_URL) {
    problems.push(
      'REDIS_URL is required in production (the in-process session store is for development only)',
    );
  }
  if (!env.SESSION_KEY_SECRET) {
    problems.push('SESSION_KEY_SECRET is required in production (it seals WeChat session_keys at rest)');
  } else {
    const weakness = sessionSecretWeakness(env.SESSION_KEY_SECRET);
    // Shorter than 32 is already reported by the field's own rule.
    if (weakness && env.SESSION_KEY_SECRET.length >= 32) {
      problems.push(
        `SESSION_KEY_SECRET does not look random (${weakness}); generate one, e.g. ` +
          `node -e 'console.log(require("node:crypto").randomBytes(32).toString("base64url"))'`,
      );
    }
  }
  if (env.WECHAT_API_BASE_URL && !isHttpsOrLoopback(env.WECHAT_API_BASE_URL)) {
    problems.push(
      'WECHAT_API_BASE_URL must use https in production (the AppSecret travels in the query string); ' +
        'plain http is allowed only to a loopback address (a local egress proxy or a test rig)',
    );
  }
  problems.push(...publicBaseUrlProblems(env));
  problems.push(...oauthProductionProblems(env));
  if (!env.WECHAT_APPID || !env.WECHAT_SECRET) {
    problems.push(
      'WECHAT_APPID and WECHAT_SECRET are required in production (the built-in WeChat simulator is for development only)',
    );
  } else if (env.WECHAT_SECRET.split(',').some((secret) => PLACEHOLDER_SECRET.test(secret))) {
    problems.push('WECHAT_SECRET holds a placeholder value');
  } else if (env.WECHAT_SECRET.split(',').includes(SIMULATOR_PUBLISHED_SECRET)) {
    problems.push(
      "WECHAT_SECRET is the WeChat simulator's published secret (see the README), not a real AppSecret",
    );
  }
  return problems;
}

/**
 * Production builds stored avatar URLs from PUBLIC_BASE_URL only: the request's Host header is the
 * client's to choose, and a forged one would be written into other people's profile pages.
 */
function publicBaseUrlProblems(env: EnvironmentVariables): string[] {
  if (!env.PUBLIC_BASE_URL) {
    if (env.AVATAR_UPLOADS_ENABLED === false) return [];
    return [
      'PUBLIC_BASE_URL is required in production while avatar uploads are enabled (stored avatar URLs are built ' +
        'from it, never from the Host header); set it to the public origin, e.g. https://api.example.com, ' +
        'or set AVATAR_UPLOADS_ENABLED=false',
    ];
  }
  if (!isHttpsOrLoopback(env.PUBLIC_BASE_URL)) {
    return [
      'PUBLIC_BASE_URL must use https in production (mini programs load images over https only); plain http ' +
        'is allowed only to a loopback address',
    ];
  }
  return [];
}

/** The web login's apps come in appid + secret pairs, and need somewhere to send the browser back to. */
function oauthCrossFieldProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  for (const [appid, secret] of [
    ['WECHAT_OFFICIAL_ACCOUNT_APPID', 'WECHAT_OFFICIAL_ACCOUNT_SECRET'],
    ['WECHAT_WEBSITE_APPID', 'WECHAT_WEBSITE_SECRET'],
  ] as const) {
    if ((env[appid] === undefined) !== (env[secret] === undefined)) {
      problems.push(`${appid} and ${secret} must be set together`);
    }
  }
  const webApps = [env.WECHAT_OFFICIAL_ACCOUNT_APPID, env.WECHAT_WEBSITE_APPID].filter(Boolean);
  if (webApps.length > 0 && !env.OAUTH_REDIRECT_ALLOWLIST) {
    problems.push(
      'OAUTH_REDIRECT_ALLOWLIST is required with WECHAT_OFFICIAL_ACCOUNT_APPID or WECHAT_WEBSITE_APPID: ' +
        'the origins the web login may send the browser back to (e.g. https://shop.example.com)',
    );
  }
  const all = [...(env.WECHAT_APPID?.split(',') ?? []), ...webApps];
  if (new Set(all).size !== all.length) {
    problems.push(
      'an appid is configured twice (WECHAT_APPID, WECHAT_OFFICIAL_ACCOUNT_APPID, WECHAT_WEBSITE_APPID)',
    );
  }
  return problems;
}

/**
 * In production the session token travels to the allow-listed pages in the URL fragment, and WeChat
 * sends the code back to PUBLIC_BASE_URL: both over https (loopback aside).
 */
function oauthProductionProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (!env.WECHAT_OFFICIAL_ACCOUNT_APPID && !env.WECHAT_WEBSITE_APPID) return problems;
  if (!env.PUBLIC_BASE_URL) {
    problems.push(
      "PUBLIC_BASE_URL is required in production for the web login (WeChat's redirect_uri is built from it, never from the Host header)",
    );
  }
  const plain = (env.OAUTH_REDIRECT_ALLOWLIST?.split(',') ?? []).filter(
    (origin) => !isHttpsOrLoopback(origin.trim()),
  );
  if (plain.length > 0) {
    problems.push(
      'OAUTH_REDIRECT_ALLOWLIST must list https origins in production (the session token travels to them); ' +
        'plain http is allowed only to a loopback address',
    );
  }
  if (env.OAUTH_AUTHORIZE_BASE_URL && !isHttpsOrLoopback(env.OAUTH_AUTHORIZE_BASE_URL)) {
    problems.push('OAUTH_AUTHORIZE_BASE_URL must use https in production (loopback aside)');
  }
  for (const name of ['WECHAT_OFFICIAL_ACCOUNT_SECRET', 'WECHAT_WEBSITE_SECRET'] as const) {
    const secret = env[name];
    if (secret && (PLACEHOLDER_SECRET.test(secret) || secret === SIMULATOR_PUBLISHED_SECRET)) {
      problems.push(`${name} holds a placeholder value`);
    }
  }
  return problems;
}
