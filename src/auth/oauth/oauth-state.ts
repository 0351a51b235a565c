import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The scopes of WeChat's authorize pages (docs/wechat-api-notes.md §14.1). @publicApi */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

/** What a started web login remembers in the browser, until its callback. @internal */
export interface OAuthStartedLogin {
  /** sha256 of the `state` sent to WeChat: the cookie never holds the state itself. */
  stateHash: string;
  appid: string;
  scope: OAuthScope;
  /** The allow-listed URL the browser goes to at the end. */
  redirect: string;
  /** The person confirmed a merge (after an `ACCOUNT_CONFLICT`): the login merges instead. */
  merge?: boolean;
  /** Unix ms. */
  expiresAt: number;
}

/** Name of the state cookie. @internal */
export const OAUTH_STATE_COOKIE = 'wxauth_oauth';

const VERSION = 'v1';

/**
 * A fresh `state`: 32 hex characters (128 bits). WeChat takes up to 128 bytes of letters and digits
 * (§14.1), so no base64 punctuation.
 * @internal
 */
export function newOAuthState(): string {
  return randomBytes(16).toString('hex');
}

/** @internal */
export function hashOAuthState(state: string): string {
  return hash('sha256', state, 'base64url');
}

/**
 * Seals a started login into the state cookie's value, and opens it again: `v1.<payload>.<mac>`,
 * the payload base64url JSON, the MAC an HMAC-SHA256 under a key derived from `sessionKeySecret`, so
 * neither the redirect nor the state hash can be changed in the browser. Not encrypted: the payload
 * holds nothing secret (the state's hash, the appid, the scope and the final redirect).
 * @internal
 */
export class OAuthStateSealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    // Its own key, so a MAC here can never be confused with anything else derived from the secret.
    this.key = createHmac('sha256', secret).update('weapp-auth oauth state cookie v1').digest();
  }

  seal(login: OAuthStartedLogin): string {
    const payload = Buffer.from(JSON.stringify(login)).toString('base64url');
    return `${VERSION}.${payload}.${this.mac(payload)}`;
  }

  /** The started login, or null when the value is not one we sealed or has expired. */
  open(value: string, now = Date.now()): OAuthStartedLogin | null {
    const [version, payload, mac, extra] = value.split('.');
    if (version !== VERSION || !payload || !mac || extra !== undefined) return null;
    if (!sameText(mac, this.mac(payload))) return null;
    let login: OAuthStartedLogin;
    try {
      login = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as OAuthStartedLogin;
    } catch {
      return null;
    }
    if (typeof login?.expiresAt !== 'number' || login.expiresAt <= now) return null;
    return login;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

/** Constant-time comparison of two strings. @internal */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The state cookie: HttpOnly (page scripts never see it), SameSite=Lax (sent on WeChat's top-level
 * redirect back to the callback, not on cross-site subrequests), Secure when the callback is https,
 * and scoped to the callback's path.
 * @internal
 */
export function stateCookie(value: string, path: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [`${OAUTH_STATE_COOKIE}=${value}`, `Path=${path}`, `Max-Age=${maxAgeSeconds}`];
  attributes.push('HttpOnly', 'SameSite=Lax');
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** Every value of the state cookie in a `Cookie` header (several when paths overlap). @internal */
export function stateCookieValues(header: string | undefined): string[] {
  if (typeof header !== 'string') return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === OAUTH_STATE_COOKIE) values.push(part.slice(at + 1).trim());
  }
  return values;
}
