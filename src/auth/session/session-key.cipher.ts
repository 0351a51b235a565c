import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { pooledRandomBytes } from '../../common/random-pool.js';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Seals WeChat session_keys at rest with AES-256-GCM. The key is derived (HKDF-SHA256) from
 * SESSION_KEY_SECRET; the associated data binds each ciphertext to its app. A dump of Redis alone
 * reveals no session_key.
 *
 * Sealed once per login, when WeChat answers: the same ciphertext goes into the login-code ledger
 * and into the user's slot (a second AES-GCM seal was ~4 % of a login's CPU). So the binding is to
 * the app, not the user; moving a sealed key between users of one app takes Redis write access,
 * which would also allow forging sessions outright.
 * @internal
 */
export class SessionKeyCipher {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(
      Buffer.from(hkdfSync('sha256', secret, 'weapp-auth', 'session-key-at-rest-v1', 32)),
    );
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, each part base64url. Runs once per login. */
  seal(sessionKey: string, owner: string): string {
    const iv = pooledRandomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(owner));
    const ciphertext = Buffer.concat([cipher.update(sessionKey, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${VERSION}.${iv.toString('base64url')}.${tag.toString('base64url')}.${ciphertext.toString('base64url')}`;
  }

  /** The session_key, or null when the sealed value is damaged, foreign or sealed under another secret. */
  open(sealed: string, owner: string): string | null {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(owner))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return null;
    }
  }
}

/** The associated data every session_key of an app is sealed under. @internal */
export function sessionKeyOwner(appid: string): string {
  return `session-key:${appid}`;
}
