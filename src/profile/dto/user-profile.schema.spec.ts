import { describe, expect, test } from '@jest/globals';
import { mapUserProfile } from '../../user/user-profile.js';
import type { User } from '../../user/user.entity.js';
import { USER_PROFILE_SCHEMA } from './user-profile.schema.js';

describe('USER_PROFILE_SCHEMA', () => {
  test('lists exactly the fields mapUserProfile produces, so the serialiser neither drops nor adds one', () => {
    const profile = mapUserProfile({
      id: 1,
      nickname: null,
      avatarUrl: null,
      gender: 0,
      province: null,
      city: null,
      country: null,
      language: null,
      phoneNumber: null,
      countryCode: null,
      createdAt: new Date(0),
    } as unknown as User);
    expect(Object.keys(USER_PROFILE_SCHEMA.properties).sort()).toEqual(Object.keys(profile).sort());
  });
});
