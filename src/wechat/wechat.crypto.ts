import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { WechatDecryptError } from './wechat-api.error.js';

/** @publicApi */
export interface DecryptDataOptions {
  /** Reject data whose `watermark.timestamp` is older than this many seconds. No age check when absent. */
  maxAgeSeconds?: number;
  /** Clock for the age check (default: the current time). */
  now?: Date;
}

/** The `watermark` WeChat puts in every encrypted payload. @publicApi */
export interface WechatWatermark {
  appid: string;
  timestamp: number;
}

/** @publicApi */
export type DecryptedData<T extends object = Record<string, unknown>> = T & { watermark: WechatWatermark };

/** How far in the future a watermark may be (clock skew between WeChat and us) when an age window is set. */
const FUTURE_SKEW_SECONDS = 300;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes base64 that may have passed through a form or query string unescaped, where `+` became a space.
 * Anything else that is not canonical base64 is rejected rather than silently skipped (Node's decoder
 * ignores invalid characters).
 */
function decodeBase64(value: unknown): Buffer {
  if (typeof value !== 'string') throw new WechatDecryptError();
  const repaired = value.replaceAll(' ', '+');
  if (repaired.length === 0 || !STRICT_BASE64.test(repaired)) throw new WechatDecryptError();
  return Buffer.from(repaired, 'base64');
}

/**
 * Strict PKCS#7 for 16-byte blocks: the last byte n is 1..16 and the last n bytes all equal n.
 * WeChat pads to 16 (verified on the official sample, docs/wechat-api-notes.md §7); the 1..32 leniency of some
 * SDKs comes from Official-Account message crypto and is not applied here.
 */
function unpadPkcs7(plain: Buffer): Buffer {
  const n = plain.length === 0 ? 0 : plain[plain.length - 1];
  let bad = n < 1 || n > 16 || n > plain.length ? 1 : 0;
  // Check every pad byte without an early exit.
  for (let i = 1; i <= 16 && i <= plain.length; i++) {
    if (i <= n && plain[plain.length - i] !== n) bad = 1;
  }
  if (bad) throw new WechatDecryptError();
  return plain.subarray(0, plain.length - n);
}

/**
 * Decrypts `encryptedData` from `wx.getUserProfile`, the legacy phone button, WeRun or share info
 * (AES-128-CBC, key = session_key, strict 16-byte PKCS#7) and checks its watermark.
 * https://developers.weixin.qq.com/miniprogram/en/dev/framework/open-ability/signature.html
 *
 * Every failure throws the same {@link WechatDecryptError}.
 *
 * @publicApi
 */
export function decryptData<T extends object = Record<string, unknown>>(
  appid: string,
  sessionKey: string,
  encryptedData: string,
  iv: string,
  options: DecryptDataOptions = {},
): DecryptedData<T> {
  let parsed: unknown;
  try {
    const key = decodeBase64(sessionKey);
    const ivBytes = decodeBase64(iv);
    const cipherText = decodeBase64(encryptedData);
    if (key.length !== 16 || ivBytes.length !== 16) throw new WechatDecryptError();
    if (cipherText.length === 0 || cipherText.length % 16 !== 0) throw new WechatDecryptError();
    const decipher = createDecipheriv('aes-128-cbc', key, ivBytes);
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
    parsed = JSON.parse(utf8.decode(unpadPkcs7(plain)));
  } catch {
    // Deliberately drop whatever failed (and its message): one error, one message, no cause.
    throw new WechatDecryptError();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new WechatDecryptError();
  const watermark = (parsed as { watermark?: unknown }).watermark as Partial<WechatWatermark> | undefined;
  if (typeof watermark !== 'object' || watermark === null || watermark.appid !== appid) {
    throw new WechatDecryptError();
  }
  if (options.maxAgeSeconds !== undefined) {
    const timestamp = watermark.timestamp;
    const nowSeconds = Math.floor((options.now?.getTime() ?? Date.now()) / 1000);
    if (
      typeof timestamp !== 'number' ||
      !Number.isInteger(timestamp) ||
      nowSeconds - timestamp > options.maxAgeSeconds ||
      timestamp - nowSeconds > FUTURE_SKEW_SECONDS
    ) {
      throw new WechatDecryptError();
    }
  }
  return parsed as DecryptedData<T>;
}

/**
 * Checks the `signature` that accompanies `rawData` (`wx.getUserProfile`): lowercase hex
 * SHA1(rawData + session_key), session_key as its base64 text. Constant-time comparison.
 *
 * @publicApi
 */
export function verifyRawDataSignature(rawData: string, signature: string, sessionKey: string): boolean {
  if (typeof rawData !== 'string' || typeof signature !== 'string' || typeof sessionKey !== 'string') {
    return false;
  }
  const expected = Buffer.from(
    createHash('sha1')
      .update(rawData + sessionKey, 'utf8')
      .digest('hex'),
    'utf8',
  );
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The login-state signature for `checksession` / `resetusersessionkey`: lowercase hex
 * HMAC-SHA256(key = session_key's base64 text as UTF-8, message = '').
 * https://developers.weixin.qq.com/minigame/en/dev/tutorial/open-ability/http-signature.html
 *
 * @publicApi
 */
export function sessionKeySignature(sessionKey: string, message = ''): string {
  return createHmac('sha256', Buffer.from(sessionKey, 'utf8')).update(message, 'utf8').digest('hex');
}
