import { describe, expect, test } from '@jest/globals';
import { mergedColumns, orphanedAvatarFile } from './merged-profile.js';
import type { UserRow } from './user-row.js';

const row = (fields: Partial<UserRow>): UserRow =>
  ({
    id: 1,
    appid: 'wxapp',
    openid: 'o1',
    unionid: null,
    nickname: null,
    avatar_url: null,
    avatar_file: null,
    gender: 0,
    province: null,
    city: null,
    country: null,
    language: null,
    phone_number: null,
    pure_phone_number: null,
    country_code: null,
    created_at: new Date('2026-01-01T00:00:00Z'),
    updated_at: new Date('2026-01-01T00:00:00Z'),
    last_login_at: null,
    banned_at: null,
    ban_reason: null,
    ...fields,
  }) as UserRow;

describe('the merge precedence', () => {
  test("the survivor's own values win; what it lacks comes from the merged person; gender 0 counts as lacking", () => {
    const survivor = row({ nickname: '老用户', gender: 0, city: 'Shenzhen' });
    const merged = row({
      id: 2,
      nickname: 'other',
      gender: 2,
      city: 'Beijing',
      province: 'Beijing',
      unionid: 'oU',
    });
    expect(mergedColumns(survivor, merged)).toMatchObject({
      nickname: '老用户',
      gender: 2,
      city: 'Shenzhen',
      province: 'Beijing',
      unionid: 'oU',
    });
  });

  test('the avatar travels with its file, the phone with its parts', () => {
    const survivor = row({ phone_number: null, avatar_url: null });
    const merged = row({
      id: 2,
      avatar_url: 'https://api.example.com/avatars/ab.jpg',
      avatar_file: 'ab.jpg',
      phone_number: '+1 5551234',
      pure_phone_number: '5551234',
      country_code: '1',
    });
    expect(mergedColumns(survivor, merged)).toMatchObject({
      avatar_url: 'https://api.example.com/avatars/ab.jpg',
      avatar_file: 'ab.jpg',
      phone_number: '+1 5551234',
      pure_phone_number: '5551234',
      country_code: '1',
    });
    expect(orphanedAvatarFile(survivor, merged)).toBeNull();
    const withOwn = row({ avatar_url: 'https://cdn.example.com/own.png', avatar_file: null });
    expect(mergedColumns(withOwn, merged)).toMatchObject({
      avatar_url: 'https://cdn.example.com/own.png',
      avatar_file: null,
    });
    expect(orphanedAvatarFile(withOwn, merged)).toBe('ab.jpg');
  });

  test('earliest creation, latest login, and a ban on either person stays', () => {
    const survivor = row({ created_at: new Date('2026-03-01Z'), last_login_at: new Date('2026-03-02Z') });
    const merged = row({
      id: 2,
      created_at: new Date('2026-02-01Z'),
      last_login_at: new Date('2026-04-01Z'),
      banned_at: new Date('2026-04-02Z'),
      ban_reason: 'spam',
    });
    expect(mergedColumns(survivor, merged)).toMatchObject({
      created_at: new Date('2026-02-01Z'),
      last_login_at: new Date('2026-04-01Z'),
      banned_at: new Date('2026-04-02Z'),
      ban_reason: 'spam',
    });
  });
});
