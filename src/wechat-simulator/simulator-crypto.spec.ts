import { createDecipheriv } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { encryptForClient, rawDataSignature, sessionKeySignature } from './simulator-crypto.js';

// Official vectors, see docs/wechat-api-notes.md §7.
describe('simulator crypto', () => {
  test('checksession signature is HMAC-SHA256 keyed by the session_key text over ""', () => {
    expect(sessionKeySignature('o0q0otL8aEzpcZL/FT9WsQ==')).toBe(
      '46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128',
    );
    expect(sessionKeySignature('tiihtNczf5v6AKRyjwEUhQ==')).toBe(
      '7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735',
    );
  });

  test('rawData signature matches the official sample', () => {
    const rawData =
      '{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}';
    expect(rawDataSignature(rawData, 'HyVFkGl5F5OQWJZZaNzBBg==')).toBe(
      '75e81ceda165f4ffa64f4068af58c64b8f54b88c',
    );
  });

  test('encrypts with 16-byte PKCS#7 padding, a watermark, and rawData without ids', () => {
    const key = 'tiihtNczf5v6AKRyjwEUhQ==';
    const iv = Buffer.alloc(16, 7);
    const payload = {
      openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
      nickName: '微信用户😀',
      gender: 0,
      unionId: 'u',
    };
    const out = encryptForClient(payload, key, iv, { timestamp: 1477314187, appid: 'wx4f4bc4dec97d474b' });

    const raw = createDecipheriv('aes-128-cbc', Buffer.from(key, 'base64'), iv).setAutoPadding(false);
    const padded = Buffer.concat([raw.update(Buffer.from(out.encryptedData, 'base64')), raw.final()]);
    const pad = padded[padded.length - 1];
    expect(pad).toBeGreaterThanOrEqual(1);
    expect(pad).toBeLessThanOrEqual(16);
    expect([...padded.subarray(padded.length - pad)].every((byte) => byte === pad)).toBe(true);

    expect(JSON.parse(padded.subarray(0, padded.length - pad).toString('utf8'))).toEqual({
      ...payload,
      watermark: { timestamp: 1477314187, appid: 'wx4f4bc4dec97d474b' },
    });
    expect(out.iv).toBe(iv.toString('base64'));
    expect(out.rawData).toBe('{"nickName":"微信用户😀","gender":0}');
    expect(out.signature).toBe(rawDataSignature(out.rawData, key));
  });
});
