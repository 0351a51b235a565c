import { hash } from 'node:crypto';
import { pooledRandomBytes } from '../../common/random-pool.js';

/** 32 bytes from the CSPRNG: 256 bits, so guessing is hopeless and no rate limit is needed to keep it so. */
const TOKEN_BYTES = 32;
/** base64url of 32 bytes, no padding. */
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const BEARER = /^bearer +([^\s]+) *$/i;

export function generateSessionToken(): string {
  return pooledRandomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * What the store keys sessions by. The raw token lives only in the response and on the client; a
 * leaked store dump yields hashes, which cannot be replayed. A plain SHA-256 suffices: the input is
 * 256 random bits, not a password.
 */
export function hashSessionToken(token: string): string {
  return hash('sha256', token, 'base64url');
}

export function generateSessionId(): string {
  return pooledRandomBytes(12).toString('base64url');
}

/**
 * Extracts the token from `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1).
 * Returns `undefined` when absent and `null` when present but malformed.
 */
export function parseBearerToken(authorization: string | string[] | undefined): string | null | undefined {
  if (authorization === undefined || authorization === '') return undefined;
  if (typeof authorization !== 'string') return null;
  const token = BEARER.exec(authorization)?.[1];
  return token && SESSION_TOKEN_PATTERN.test(token) ? token : null;
}
