import { Injectable } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-event.js';
import { SessionService, type CurrentUserContext } from '../auth/index.js';
import type { User } from '../user/user.entity.js';
import type { UserProfilePatch } from '../user/user.service.js';
import { nicknameProblem, normalizeNickname } from '../user/nickname.js';
import {
  LANGUAGE_MAX_CODE_POINTS,
  profileTextProblem,
  REGION_MAX_CODE_POINTS,
} from '../user/profile-text.js';
import { WechatDecryptError } from '../wechat/wechat-api.error.js';
import { decryptData, verifyRawDataSignature } from '../wechat/wechat.crypto.js';
import type { DecryptOpenDataDto } from './dto/decrypt-open-data.dto.js';
import { AVATAR_URL_MAX_LENGTH } from './dto/update-profile.dto.js';
import { decryptFailed } from './profile.errors.js';
import { recordProfileChange } from './profile-update.service.js';
import { ProfileWriter } from './profile-writer.service.js';
import {
  httpsWechatAvatarUrl,
  isWechatAnonymousAvatar,
  isWechatPlaceholderNickname,
} from './wechat-user-info.js';

/**
 * How old a watermark may be. The client decrypts right after getUserProfile & co, so anything older
 * is a replay of data captured earlier under the same session_key (which can live for days).
 */
const MAX_DATA_AGE_SECONDS = 15 * 60;

/** userInfo's free-text fields and their column bounds. */
const REGION_FIELDS = [
  ['province', REGION_MAX_CODE_POINTS],
  ['city', REGION_MAX_CODE_POINTS],
  ['country', REGION_MAX_CODE_POINTS],
  ['language', LANGUAGE_MAX_CODE_POINTS],
] as const;
const UNIONID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `POST /users/me/decrypt` for older base libraries: decrypts with the caller's latest session_key,
 * checks it strictly, and stores what a user-info payload proves.
 */
@Injectable()
export class OpenDataService {
  constructor(
    private readonly sessions: SessionService,
    private readonly writer: ProfileWriter,
    private readonly audit: AuditRecorder,
  ) {}

  /** `request` is for the audit trail. */
  async decrypt(
    caller: CurrentUserContext,
    dto: DecryptOpenDataDto,
    request?: unknown,
  ): Promise<Record<string, unknown>> {
    const sessionKey = await this.sessions.findSessionKey(caller.appid, caller.userId);
    if (sessionKey === null) throw decryptFailed();
    let data: Record<string, unknown>;
    try {
      // Strict 16-byte PKCS#7, UTF-8 JSON object, watermark.appid = the session's app, fresh timestamp.
      data = decryptData(caller.appid, sessionKey, dto.encryptedData, dto.iv, {
        maxAgeSeconds: MAX_DATA_AGE_SECONDS,
      });
    } catch (error) {
      if (error instanceof WechatDecryptError) throw decryptFailed();
      throw error;
    }
    if (dto.rawData !== undefined && !verifyRawDataSignature(dto.rawData, dto.signature ?? '', sessionKey)) {
      throw decryptFailed();
    }
    const user = await this.writer.load(caller);
    const openid = await this.writer.openidOf(caller);
    // Data about someone else, decryptable only because of a shared key, proves nothing about this user.
    if (data.openId !== undefined && data.openId !== openid) throw decryptFailed();
    if (data.openId === openid) {
      const patch = provenFields(user, data);
      if (Object.keys(patch).length > 0) {
        await this.writer.apply(caller, patch);
        recordProfileChange(this.audit, caller, Object.keys(patch), request);
      }
    }
    const { watermark: _watermark, openId: _openId, unionId: _unionId, ...visible } = data;
    return visible;
  }
}

/**
 * What a user-info payload (`openId` matching the caller) may fill in: the unionid if the row has
 * none, and profile fields only where the user has none, so nothing the user chose is overwritten.
 * The anonymous placeholder profile WeChat has sent since late 2022 is not worth storing.
 */
function provenFields(user: User, data: Record<string, unknown>): UserProfilePatch {
  const patch: UserProfilePatch = {};
  if (!user.unionid && typeof data.unionId === 'string' && UNIONID.test(data.unionId)) {
    patch.unionid = data.unionId;
  }
  if (typeof data.nickName !== 'string' || isWechatPlaceholderNickname(data.nickName)) return patch;
  const nickname = normalizeNickname(data.nickName);
  if (!user.nickname && nicknameProblem(nickname) === null) patch.nickname = nickname;
  const avatarUrl = httpsAvatar(data.avatarUrl);
  if (!user.avatarUrl && avatarUrl && !isWechatAnonymousAvatar(avatarUrl)) patch.avatarUrl = avatarUrl;
  if (user.gender === 0 && (data.gender === 1 || data.gender === 2)) patch.gender = data.gender;
  for (const [field, max] of REGION_FIELDS) {
    const value = data[field];
    if (user[field] || typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (trimmed !== '' && profileTextProblem(trimmed, max) === null) patch[field] = trimmed;
  }
  return patch;
}

/** WeChat's older payloads link avatars over http on *.qlogo.cn, which also serves https. */
function httpsAvatar(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > AVATAR_URL_MAX_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(httpsWechatAvatarUrl(value));
  } catch {
    return null;
  }
  return url.protocol === 'https:' && url.href.length <= AVATAR_URL_MAX_LENGTH ? url.href : null;
}
