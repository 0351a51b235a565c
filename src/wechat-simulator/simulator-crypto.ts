import { createCipheriv, createHash, createHmac } from 'node:crypto';

/** What a mini program receives from getUserProfile & co (docs/wechat-api-notes.md §7). @publicApi */
export interface ClientEncryptedData {
  /** base64 AES-128-CBC ciphertext of the payload JSON plus `watermark`. */
  encryptedData: string;
  /** base64 of the random 16-byte IV. */
  iv: string;
  /** JSON of the payload without `watermark`, `openId` and `unionId`: what WeChat hands out in clear. */
  rawData: string;
  /** lowercase hex sha1(rawData + session_key). */
  signature: string;
}

/**
 * The login-state signature checksession/resetusersessionkey expect: lowercase hex
 * HMAC-SHA256 keyed with the session_key's base64 *text* over the empty string (docs/wechat-api-notes.md §3).
 */
export function sessionKeySignature(sessionKey: string): string {
  return createHmac('sha256', sessionKey).update('').digest('hex');
}

/** rawData signature: lowercase hex sha1(rawData + session_key) (docs/wechat-api-notes.md §7). */
export function rawDataSignature(rawData: string, sessionKey: string): string {
  return createHash('sha1')
    .update(rawData + sessionKey, 'utf8')
    .digest('hex');
}

/**
 * Encrypts like WeChat does for open data: AES-128-CBC, key = base64-decoded session_key, Node's
 * default auto-padding, which is PKCS#7 on 16-byte blocks. Real data is padded to 16, and 32-byte
 * padding would break strict decryptors (docs/wechat-api-notes.md §7), so never pad to 32 here.
 */
export function encryptForClient(
  payload: Record<string, unknown>,
  sessionKey: string,
  iv: Buffer,
  watermark: { timestamp: number; appid: string },
): ClientEncryptedData {
  const { watermark: _ignored, ...clear } = payload;
  const plaintext = JSON.stringify({ ...clear, watermark });
  const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), iv);
  const encryptedData = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
  // The clear rawData never carries the ids; they only exist inside encryptedData.
  const { openId: _openId, unionId: _unionId, ...profile } = clear;
  const rawData = JSON.stringify(profile);
  return {
    encryptedData,
    iv: iv.toString('base64'),
    rawData,
    signature: rawDataSignature(rawData, sessionKey),
  };
}
