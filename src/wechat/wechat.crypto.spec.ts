import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { WechatDecryptError } from './wechat-api.error.js';
import { decryptData, sessionKeySignature, verifyRawDataSignature } from './wechat.crypto.js';

// Official WXBizDataCrypt sample (docs/wechat-api-notes.md §7).
const SAMPLE = {
  appid: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
};
const SAMPLE_TIME = new Date(1477314187 * 1000);

const KEY = randomBytes(16);
const IV = randomBytes(16);
const APPID = 'wx0123456789abcdef';

/** Encrypts with explicit padding so tests can produce bad padding on purpose. */
function encryptRaw(plain: Buffer, key = KEY, iv = IV): string {
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function pkcs7(data: Buffer, block = 16): Buffer {
  const n = block - (data.length % block);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function encryptJson(value: unknown, key = KEY, iv = IV): string {
  return encryptRaw(pkcs7(Buffer.from(JSON.stringify(value), 'utf8')), key, iv);
}

const now = new Date('2026-01-01T00:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);
const payload = {
  openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
  watermark: { appid: APPID, timestamp: nowSeconds - 10 },
};

function decrypt(
  encryptedData: string,
  options = {},
  key = KEY.toString('base64'),
  iv = IV.toString('base64'),
) {
  return decryptData(APPID, key, encryptedData, iv, { now, ...options });
}

function expectDecryptError(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WechatDecryptError);
  const error = caught as WechatDecryptError;
  expect(error.name).toBe('WechatDecryptError');
  expect(error.message).toBe('Unable to decrypt WeChat data');
  expect(error.cause).toBeUndefined();
}

describe('decryptData', () => {
  it('decrypts the official WXBizDataCrypt sample', () => {
    const data = decryptData(SAMPLE.appid, SAMPLE.sessionKey, SAMPLE.encryptedData, SAMPLE.iv);
    expect(data).toMatchObject({
      openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE',
      nickName: 'Band',
      gender: 1,
      unionId: 'ocMvos6NjeKLIBqg5Mr9QjxrP1FA',
      watermark: { timestamp: 1477314187, appid: 'wx4f4bc4dec97d474b' },
    });
  });

  it('accepts the sample within its age window and rejects it outside', () => {
    expect(
      decryptData(SAMPLE.appid, SAMPLE.sessionKey, SAMPLE.encryptedData, SAMPLE.iv, {
        maxAgeSeconds: 60,
        now: new Date(SAMPLE_TIME.getTime() + 30_000),
      }).watermark.timestamp,
    ).toBe(1477314187);
    expectDecryptError(() =>
      decryptData(SAMPLE.appid, SAMPLE.sessionKey, SAMPLE.encryptedData, SAMPLE.iv, { maxAgeSeconds: 60 }),
    );
  });

  it('repairs base64 whose "+" became spaces', () => {
    const mangled = (s: string) => s.replaceAll('+', ' ');
    expect(SAMPLE.encryptedData).toContain('+');
    const data = decryptData(SAMPLE.appid, SAMPLE.sessionKey, mangled(SAMPLE.encryptedData), SAMPLE.iv);
    expect(data.watermark.appid).toBe(SAMPLE.appid);
  });

  it('round-trips a 16-byte-padded payload, including a full pad block', () => {
    expect(decrypt(encryptJson(payload))).toEqual(payload);
    const json = JSON.stringify({ watermark: { appid: APPID, timestamp: 1 } });
    const exact = Buffer.from(json.padEnd(Math.ceil(json.length / 16) * 16, ' '));
    expect(exact.length % 16).toBe(0);
    expect(decrypt(encryptRaw(pkcs7(exact)))).toMatchObject({ watermark: { appid: APPID } });
  });

  it('rejects every failure with the same error', () => {
    const json = Buffer.from(JSON.stringify(payload));
    const good = pkcs7(json);
    const cases: Record<string, () => unknown> = {
      'pad byte 0': () =>
        decrypt(encryptRaw(Buffer.concat([json, Buffer.alloc(16 - (json.length % 16), 0)]))),
      'pad byte 17 (32-byte style)': () => {
        const padded = pkcs7(json, 32);
        return decrypt(encryptRaw(padded));
      },
      'inconsistent pad bytes': () => {
        const bad = Buffer.from(good);
        const n = bad[bad.length - 1];
        if (n > 1) bad[bad.length - n] = n ^ 1;
        else bad[bad.length - 1] = 3;
        return decrypt(encryptRaw(bad));
      },
      'wrong key': () => decrypt(encryptJson(payload), {}, randomBytes(16).toString('base64')),
      'key not 16 bytes': () => decrypt(encryptJson(payload), {}, randomBytes(24).toString('base64')),
      'iv not 16 bytes': () =>
        decrypt(encryptJson(payload), {}, undefined, randomBytes(12).toString('base64')),
      'wrong iv (first block garbled)': () =>
        decrypt(encryptJson(payload), {}, undefined, randomBytes(16).toString('base64')),
      'bad base64': () => decrypt('!!!not-base64!!!'),
      'empty data': () => decrypt(''),
      'ciphertext not a block multiple': () =>
        decrypt(Buffer.from(encryptJson(payload), 'base64').subarray(1).toString('base64')),
      'not JSON': () => decrypt(encryptRaw(pkcs7(Buffer.from('hello, not json')))),
      'JSON but not an object': () => decrypt(encryptJson([1, 2, 3])),
      'no watermark': () => decrypt(encryptJson({ openId: 'x' })),
      'watermark appid mismatch': () =>
        decrypt(
          encryptJson({ ...payload, watermark: { appid: 'wx4f4bc4dec97d474b', timestamp: nowSeconds } }),
        ),
      'too old': () =>
        decrypt(encryptJson({ ...payload, watermark: { appid: APPID, timestamp: nowSeconds - 3601 } }), {
          maxAgeSeconds: 3600,
        }),
      'too far in the future': () =>
        decrypt(encryptJson({ ...payload, watermark: { appid: APPID, timestamp: nowSeconds + 3600 } }), {
          maxAgeSeconds: 3600,
        }),
      'timestamp not an integer': () =>
        decrypt(encryptJson({ ...payload, watermark: { appid: APPID, timestamp: String(nowSeconds) } }), {
          maxAgeSeconds: 3600,
        }),
      'invalid UTF-8': () => decrypt(encryptRaw(pkcs7(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))),
      'non-string input': () =>
        decryptData(APPID, KEY.toString('base64'), undefined as unknown as string, IV.toString('base64')),
    };
    for (const [name, run] of Object.entries(cases)) {
      try {
        expectDecryptError(run);
      } catch (error) {
        throw new Error(`case "${name}": ${(error as Error).message}`, { cause: error });
      }
    }
  });

  it('accepts a watermark inside the window', () => {
    expect(decrypt(encryptJson(payload), { maxAgeSeconds: 60 })).toEqual(payload);
  });
});

describe('verifyRawDataSignature', () => {
  const rawData =
    '{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}';
  const sessionKey = 'HyVFkGl5F5OQWJZZaNzBBg==';
  const signature = '75e81ceda165f4ffa64f4068af58c64b8f54b88c';

  it('accepts the official sample', () => {
    expect(verifyRawDataSignature(rawData, signature, sessionKey)).toBe(true);
    expect(verifyRawDataSignature(rawData, signature.toUpperCase(), sessionKey)).toBe(true);
  });

  it('rejects a wrong signature, key, data or length', () => {
    expect(verifyRawDataSignature(rawData, signature.replace('7', '8'), sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, signature, 'tiihtNczf5v6AKRyjwEUhQ==')).toBe(false);
    expect(verifyRawDataSignature(`${rawData} `, signature, sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, signature.slice(0, 39), sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, '', sessionKey)).toBe(false);
    expect(verifyRawDataSignature(rawData, undefined as unknown as string, sessionKey)).toBe(false);
  });
});

describe('sessionKeySignature', () => {
  it('matches the login-state signature vectors', () => {
    expect(sessionKeySignature('o0q0otL8aEzpcZL/FT9WsQ==', '{"foo":"bar"}')).toBe(
      '654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b',
    );
    expect(sessionKeySignature('o0q0otL8aEzpcZL/FT9WsQ==')).toBe(
      '46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128',
    );
    expect(sessionKeySignature('tiihtNczf5v6AKRyjwEUhQ==')).toBe(
      '7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735',
    );
  });
});
