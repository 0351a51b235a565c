import { describe, expect, test } from '@jest/globals';
import {
  generateSessionToken,
  hashSessionToken,
  parseBearerToken,
  SESSION_TOKEN_PATTERN,
} from './session-token.js';

describe('session tokens', () => {
  test('are 256-bit base64url strings, different every time', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateSessionToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(SESSION_TOKEN_PATTERN);
    expect(Buffer.from([...tokens][0], 'base64url')).toHaveLength(32);
  });

  test('are stored as their SHA-256, never as themselves', () => {
    const token = generateSessionToken();
    expect(hashSessionToken(token)).not.toContain(token);
    expect(hashSessionToken(token)).toBe(hashSessionToken(token));
    expect(Buffer.from(hashSessionToken(token), 'base64url')).toHaveLength(32);
  });

  test('parse only from a well-formed Bearer header', () => {
    const token = generateSessionToken();
    expect(parseBearerToken(`Bearer ${token}`)).toBe(token);
    expect(parseBearerToken(`bearer ${token}`)).toBe(token);
    expect(parseBearerToken(`BeArEr  ${token} `)).toBe(token);
    expect(parseBearerToken(undefined)).toBeUndefined();
    expect(parseBearerToken('')).toBeUndefined();
    for (const bad of [
      token,
      `Basic ${token}`,
      `Bearer ${token}=`,
      `Bearer ${token} extra`,
      'Bearer',
      [`Bearer ${token}`],
    ]) {
      expect(parseBearerToken(bad)).toBeNull();
    }
  });
});
