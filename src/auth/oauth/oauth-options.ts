/**
 * The web login: WeChat OAuth 2 for Official Account pages (`snsapi_base`, `snsapi_userinfo`) and
 * website QR login (`snsapi_login`), at `GET /auth/oauth/{appid}/authorize` and `…/callback`. The apps
 * (appid, secret, `kind`) are the WeChat client's (`wechat.apps`). Needs the module declared with the
 * `oauthRoutes: true` extra.
 * @publicApi
 */
export interface AuthOAuthOptions {
  /**
   * Origins the browser may be sent back to at the end (`https://shop.example.com`, exactly: scheme,
   * host and port, no path). A start whose `redirect` is on any other origin is refused (400
   * `OAUTH_REDIRECT_NOT_ALLOWED`) before anything is redirected. At least one.
   */
  redirectAllowlist: string[];
  /** Where the browser authorizes. Default `https://open.weixin.qq.com`; tests point it at the simulator. */
  authorizeBaseUrl?: string;
  /**
   * The public URL this module's routes are reached under (origin, plus any global prefix), from which
   * WeChat's `redirect_uri` is built: `{publicBaseUrl}/auth/oauth/{appid}/callback`. Its origin must
   * be on the app's authorization domain in the WeChat console. Default: the request's protocol, Host
   * header and path prefix, which only suits development: set it behind a proxy and in production.
   */
  publicBaseUrl?: string;
  /** Seconds a started login stays valid (its state cookie's lifetime), 60 to 3600. Default 600. */
  stateTtlSeconds?: number;
}

/** @internal */
export interface ResolvedOAuthOptions {
  allowedOrigins: ReadonlySet<string>;
  authorizeBaseUrl: string;
  /** Without a trailing slash; undefined: from the request. */
  publicBaseUrl?: string;
  stateTtlSeconds: number;
}

/** @publicApi */
export const OAUTH_DEFAULT_AUTHORIZE_BASE_URL = 'https://open.weixin.qq.com';

function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Validates `oauth`, adding each problem to `problems` (values are not echoed). @internal */
export function resolveOAuthOptions(options: AuthOAuthOptions, problems: string[]): ResolvedOAuthOptions {
  const allowedOrigins = new Set<string>();
  if (!Array.isArray(options.redirectAllowlist) || options.redirectAllowlist.length === 0) {
    problems.push('`oauth.redirectAllowlist` must list at least one origin, e.g. https://shop.example.com');
  } else {
    options.redirectAllowlist.forEach((entry, index) => {
      const url = httpUrl(entry);
      // An origin serialises as scheme://host[:port]; anything more (a path, a query) would be ignored
      // by an origin comparison and mislead whoever reads the configuration.
      if (!url || url.origin !== String(entry).replace(/\/$/, '')) {
        problems.push(`\`oauth.redirectAllowlist[${index}]\` must be an http(s) origin without a path`);
      } else {
        allowedOrigins.add(url.origin);
      }
    });
  }
  const authorizeBaseUrl = options.authorizeBaseUrl ?? OAUTH_DEFAULT_AUTHORIZE_BASE_URL;
  const authorize = httpUrl(authorizeBaseUrl);
  if (!authorize || authorize.search || authorize.hash) {
    problems.push('`oauth.authorizeBaseUrl` must be an http(s) URL without a query or fragment');
  }
  let publicBaseUrl: string | undefined;
  if (options.publicBaseUrl !== undefined) {
    const base = httpUrl(options.publicBaseUrl);
    if (!base || base.search || base.hash || base.username || base.password) {
      problems.push('`oauth.publicBaseUrl` must be an http(s) URL without a query, fragment or credentials');
    } else {
      publicBaseUrl = base.toString().replace(/\/+$/, '');
    }
  }
  const stateTtlSeconds = options.stateTtlSeconds ?? 600;
  if (!Number.isInteger(stateTtlSeconds) || stateTtlSeconds < 60 || stateTtlSeconds > 3600) {
    problems.push('`oauth.stateTtlSeconds` must be a whole number from 60 to 3600');
  }
  return {
    allowedOrigins,
    authorizeBaseUrl: authorizeBaseUrl.replace(/\/+$/, ''),
    publicBaseUrl,
    stateTtlSeconds,
  };
}
