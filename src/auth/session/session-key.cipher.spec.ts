import { describe, expect, test } from '@jest/globals';
import { SessionKeyCipher } from './session-key.cipher.js';

describe('SessionKeyCipher', () => {
  const cipher = new SessionKeyCipher('a-secret-of-at-least-thirty-two-characters');
  const sessionKey = 'nzoqhc3OnwHzeTxJs+inbQ==';

  test('round-trips a session_key for its owner, with a fresh IV each time', () => {
    const sealed = cipher.seal(sessionKey, 'wx:1');
    expect(sealed).not.toContain(sessionKey);
    expect(cipher.seal(sessionKey, 'wx:1')).not.toBe(sealed);
    expect(cipher.open(sealed, 'wx:1')).toBe(sessionKey);
  });

  test('will not open for another owner, under another secret, or when tampered with', () => {
    const sealed = cipher.seal(sessionKey, 'wx:1');
    expect(cipher.open(sealed, 'wx:2')).toBeNull();
    expect(new SessionKeyCipher('another-secret-of-thirty-two-characters!').open(sealed, 'wx:1')).toBeNull();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(cipher.open(parts.join('.'), 'wx:1')).toBeNull();
    expect(cipher.open('garbage', 'wx:1')).toBeNull();
  });
});
