import type { UserRow } from './user-row.js';

/** The users-table columns a merge decides, with the value the surviving person keeps. */
export type MergedColumns = Pick<
  UserRow,
  | 'unionid'
  | 'nickname'
  | 'avatar_url'
  | 'avatar_file'
  | 'gender'
  | 'province'
  | 'city'
  | 'country'
  | 'language'
  | 'phone_number'
  | 'pure_phone_number'
  | 'country_code'
  | 'created_at'
  | 'last_login_at'
  | 'banned_at'
  | 'ban_reason'
>;

/**
 * The precedence of a merge (README "One person across WeChat"), in one place:
 * - the survivor's own values win; a field it lacks is taken from the merged person (gender 0 is
 *   "unknown", so it counts as lacking);
 * - the avatar's URL and its stored file travel together, as does the phone number with its parts;
 * - the earliest creation and the latest login are kept;
 * - a ban on either person stays on the survivor (the caller refuses to merge banned persons; this is
 *   the rule should that change).
 * The caller has already refused persons with two different unionids.
 */
export function mergedColumns(survivor: UserRow, merged: UserRow): MergedColumns {
  const avatar = survivor.avatar_url !== null ? survivor : merged;
  const phone = survivor.phone_number !== null ? survivor : merged;
  const ban = survivor.banned_at !== null ? survivor : merged;
  return {
    unionid: survivor.unionid ?? merged.unionid,
    nickname: survivor.nickname ?? merged.nickname,
    avatar_url: avatar.avatar_url,
    avatar_file: avatar.avatar_file,
    gender: Number(survivor.gender) !== 0 ? Number(survivor.gender) : Number(merged.gender),
    province: survivor.province ?? merged.province,
    city: survivor.city ?? merged.city,
    country: survivor.country ?? merged.country,
    language: survivor.language ?? merged.language,
    phone_number: phone.phone_number,
    pure_phone_number: phone.pure_phone_number,
    country_code: phone.country_code,
    created_at: earliest(survivor.created_at, merged.created_at)!,
    last_login_at: latest(survivor.last_login_at, merged.last_login_at),
    banned_at: ban.banned_at,
    ban_reason: ban.ban_reason,
  };
}

/**
 * The stored avatar file the merge leaves without an owner: the merged person's, when the survivor
 * keeps its own picture. The caller releases it once the merge is committed.
 */
export function orphanedAvatarFile(survivor: UserRow, merged: UserRow): string | null {
  if (survivor.avatar_url === null || merged.avatar_file === null) return null;
  return merged.avatar_file === survivor.avatar_file ? null : merged.avatar_file;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null || b === null) return a ?? b;
  return new Date(a) <= new Date(b) ? a : b;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null || b === null) return a ?? b;
  return new Date(a) >= new Date(b) ? a : b;
}
