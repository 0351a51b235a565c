import type { User } from './user.entity.js';

/** Columns of the users table in entity order, for hand-written SQL on the login hot path. */
export const USER_COLUMNS =
  'id, appid, openid, unionid, nickname, avatar_url, avatar_file, gender, province, city, country, language, phone_number, pure_phone_number, country_code, created_at, updated_at, last_login_at, banned_at, ban_reason';

/** A raw users row (mysql2 returns DATETIME as Date, TINYINT as number). */
export interface UserRow {
  id: number;
  appid: string;
  openid: string;
  unionid: string | null;
  nickname: string | null;
  avatar_url: string | null;
  avatar_file: string | null;
  gender: number;
  province: string | null;
  city: string | null;
  country: string | null;
  language: string | null;
  phone_number: string | null;
  pure_phone_number: string | null;
  country_code: string | null;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  banned_at: Date | null;
  ban_reason: string | null;
}

export function userFromRow(row: UserRow): User {
  return {
    id: Number(row.id),
    appid: row.appid,
    openid: row.openid,
    unionid: row.unionid,
    nickname: row.nickname,
    avatarUrl: row.avatar_url,
    avatarFile: row.avatar_file,
    gender: Number(row.gender),
    province: row.province,
    city: row.city,
    country: row.country,
    language: row.language,
    phoneNumber: row.phone_number,
    purePhoneNumber: row.pure_phone_number,
    countryCode: row.country_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
    bannedAt: row.banned_at,
    banReason: row.ban_reason,
  };
}
