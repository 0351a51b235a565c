import type { UserColumns } from './user.entity.js';

/**
 * What a client may see of a user: never openid, unionid or anything about session_key. A type
 * alias (not an interface) so that it is a JSON object for the auth module's session snapshot.
 * @publicApi
 */
export type UserProfile = {
  id: number;
  nickname: string | null;
  avatarUrl: string | null;
  /** 0 unknown, 1 male, 2 female. */
  gender: number;
  /** WeChat userInfo's region and language, free text; null until sent. */
  province: string | null;
  city: string | null;
  country: string | null;
  language: string | null;
  phoneNumber: string | null;
  countryCode: string | null;
  /** ISO time. */
  createdAt: string;
};

/** @publicApi */
export function mapUserProfile(user: UserColumns): UserProfile {
  return {
    id: user.id,
    nickname: user.nickname,
    avatarUrl: user.avatarUrl,
    gender: user.gender,
    province: user.province,
    city: user.city,
    country: user.country,
    language: user.language,
    phoneNumber: user.phoneNumber,
    countryCode: user.countryCode,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
