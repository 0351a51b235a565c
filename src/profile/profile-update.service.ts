import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuditRecorder } from '../audit/audit-event.js';
import { callerOf, type AuthenticatedSession, type CurrentUserContext } from '../auth/index.js';
import { profileConfig } from '../config/profile.config.js';
import type { UserProfile } from '../user/user-profile.js';
import type { UserProfilePatch } from '../user/user.service.js';
import { WechatApiError } from '../wechat/wechat-api.error.js';
import { WechatClient } from '../wechat/wechat.client.js';
import type { UpdateProfileDto } from './dto/update-profile.dto.js';
import { USER_PROFILE_SCHEMA } from './dto/user-profile.schema.js';
import { nicknameRejected, upstreamError } from './profile.errors.js';
import { ProfileWriter } from './profile-writer.service.js';
import { isWechatAnonymousAvatar, isWechatPlaceholderNickname } from './wechat-user-info.js';

/** The fields a profile answer carries: the response schema's, so the two cannot drift apart. */
const PROFILE_FIELDS = Object.keys(USER_PROFILE_SCHEMA.properties);

/** Reads the caller's profile and applies `PATCH /users/me`, screening nicknames when configured. */
@Injectable()
export class ProfileUpdateService {
  private readonly logger = new Logger(ProfileUpdateService.name);

  constructor(
    private readonly writer: ProfileWriter,
    private readonly wechat: WechatClient,
    @Inject(profileConfig.KEY) private readonly config: ConfigType<typeof profileConfig>,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * The profile cached in the session at login (and refreshed on every change): no database query.
   * Only a session issued without a profile falls back to the row.
   */
  current(session: AuthenticatedSession): UserProfile | Promise<UserProfile> {
    const cached = session.record.snapshot;
    // Synchronous when cached: one promise fewer on the hottest route.
    if (cached) return pick(cached);
    return this.writer.apply(callerOf(session), {});
  }

  /**
   * Applies the fields sent, in our spelling or WeChat userInfo's, skipping WeChat's anonymous
   * placeholders (PROFILE_PLACEHOLDER_RULE): a body of nothing but placeholders changes nothing and
   * answers the current profile. `request` is for the audit trail.
   */
  async update(caller: CurrentUserContext, dto: UpdateProfileDto, request?: unknown): Promise<UserProfile> {
    const patch = profilePatch(dto);
    if (patch.nickname && this.config.contentCheck) await this.screen(caller, patch.nickname);
    const profile = await this.writer.apply(caller, patch);
    recordProfileChange(this.audit, caller, Object.keys(patch), request);
    return profile;
  }

  /**
   * msg_sec_check v2, scene 1 (profile). Only `pass` is accepted: `review` means WeChat's machine
   * check was unsure and wants a human, and this service has no review queue, so an unsure nickname is
   * refused like a risky one; the user can pick another. Upstream failures fail closed.
   */
  private async screen(caller: CurrentUserContext, nickname: string): Promise<void> {
    const openid = await this.writer.openidOf(caller);
    let suggest: string;
    try {
      ({ suggest } = await this.wechat.msgSecCheck(caller.appid, openid, nickname));
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      this.logger.warn(
        `msg_sec_check failed: ${error.kind} errcode=${error.errcode ?? '-'} rid=${error.rid ?? '-'}`,
      );
      throw upstreamError(error);
    }
    if (suggest !== 'pass') throw nicknameRejected();
  }
}

/**
 * The columns an update body changes. Validation has trimmed the strings, refused a blank `nickname` and
 * a `nickname`/`nickName` pair that differ; what is left to drop here are the placeholders.
 */
export function profilePatch(dto: UpdateProfileDto): UserProfilePatch {
  const patch: UserProfilePatch = {};
  // WeChat's own marker of the anonymous profile: every value in it is a placeholder.
  if (dto.is_demote === true) return patch;
  // A body with WeChat's `nickName` is a userInfo object, whose gender 0 means "not shared", not "unknown".
  const userInfoShaped = dto.nickName !== undefined;
  const nickname = dto.nickname ?? dto.nickName;
  if (nickname !== undefined && !isWechatPlaceholderNickname(nickname)) patch.nickname = nickname;
  if (dto.avatarUrl === null || (dto.avatarUrl && !isWechatAnonymousAvatar(dto.avatarUrl))) {
    patch.avatarUrl = dto.avatarUrl;
  }
  if (dto.gender !== undefined && !(userInfoShaped && dto.gender === 0)) patch.gender = dto.gender;
  for (const field of ['province', 'city', 'country', 'language'] as const) {
    const value = dto[field];
    if (value !== undefined && value !== '') patch[field] = value;
  }
  return patch;
}

/** `profile.changed` with the names of the fields written (never their values), if any were. */
export function recordProfileChange(
  audit: AuditRecorder,
  caller: CurrentUserContext,
  fields: string[],
  request: unknown,
): void {
  if (fields.length === 0) return;
  const detail = { fields: fields.join(',') };
  audit.record({ kind: 'profile.changed', userId: caller.userId, appid: caller.appid, detail }, request);
}

function pick(profile: Record<string, unknown>): UserProfile {
  const picked: Record<string, unknown> = {};
  for (const field of PROFILE_FIELDS) picked[field] = profile[field] ?? null;
  return picked as unknown as UserProfile;
}
